/* libFuzzer target: the YAML configuration loader. Template for every fuzz target:
 * one file fuzz/fuzz_<name>.c, seeds in fuzz/corpus/<name>/, built by `make fuzz-build`
 * (clang, -DFUZZ=ON, ASan+UBSan), run by tools/fuzz.sh. The target must not leak, and
 * must not write to stdout/stderr on every input (it slows fuzzing). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nf/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *devnull;
    if (!devnull)
        devnull = fopen("/dev/null", "w");
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;
    g5_config cfg;
    g5_config_defaults(&cfg);
    (void)g5_config_load_string(&cfg, text, "fuzz.yaml", devnull);
    free(text);
    return 0;
}
