/* libFuzzer target: the subscriber importer (CSV and YAML), which reads files an operator
 * may receive from a provisioning system. The first byte picks the format. Must never
 * crash, leak, or accept a record that fails g5_subscriber_validate. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *name = (data[0] & 1) ? "fuzz.yaml" : "fuzz.csv";
    g5_import imp;
    char err[512], why[256];
    if (g5_import_buffer(data + 1, size - 1, name, &imp, err, sizeof err) == 0) {
        for (size_t i = 0; i < imp.n; i++)
            if (g5_subscriber_validate(&imp.subs[i], why, sizeof why) != 0)
                abort(); /* the importer let an invalid record through */
        g5_import_free(&imp);
    }
    return 0;
}
