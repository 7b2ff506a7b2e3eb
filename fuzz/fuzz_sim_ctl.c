/* libFuzzer target: the simulator's control-socket request handler (one JSON line from a
 * local client) and the sim.yaml loader. The first input byte picks which; the rest is the
 * input. Neither may crash, leak, or answer with anything but a JSON object. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"
#include "sim/sim_ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uv_loop_t loop;
static sim_config cfg;
static sim_engine eng;

static void setup_once(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    uv_loop_init(&loop);
    sim_config_defaults(&cfg);
    cfg.ue[0].count = 100;
    sim_pop pop;
    sim_engine_opts o = {.rate = 1000, .max_inflight = 8};
    if (sim_pop_build(&pop, &cfg, 0) != 0 || sim_engine_init(&eng, &loop, &cfg, &pop, &o) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *devnull;
    if (!devnull)
        devnull = fopen("/dev/null", "w");
    setup_once();
    if (size < 1)
        return 0;
    if (data[0] & 1) {
        json_t *a = sim_ctl_handle(&eng, (const char *)data + 1, size - 1);
        if (!json_is_object(a))
            abort();
        json_decref(a);
        return 0;
    }
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;
    static sim_config c;
    sim_config_defaults(&c);
    (void)sim_config_load_string(&c, text, "fuzz.yaml", devnull);
    free(text);
    return 0;
}
