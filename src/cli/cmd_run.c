/* `glass5g run`: load the configuration and run the network functions. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/err.h"
#include "core/log.h"
#include "nf/config.h"
#include "nf/upf/upf_main.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: glass5g run [-c glass5g.yaml] [--check] [--nf upf]\n"
               "Runs the core network. -c names the configuration file (defaults are used\n"
               "without one); --check validates the configuration and exits;\n"
               "--nf upf runs only the UPF (the upf: section).\n");
}

/* --nf NAME: run one network function alone. */
static int run_one_nf(const char *nf, const g5_config *cfg)
{
    if (!strcmp(nf, "upf"))
        return upf_run(cfg) ? G5_EXIT_FAIL : G5_EXIT_OK;
    fprintf(stderr, "glass5g run: --nf %s: unknown network function (known: upf)\n", nf);
    return G5_EXIT_USAGE;
}

int cmd_run(int argc, char **argv)
{
    const char *path = NULL;
    const char *nf = NULL;
    int check = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return G5_EXIT_OK;
        } else if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) && i + 1 < argc) {
            path = argv[++i];
        } else if (!strcmp(argv[i], "--nf") && i + 1 < argc) {
            nf = argv[++i];
        } else if (!strcmp(argv[i], "--check")) {
            check = 1;
        } else {
            fprintf(stderr, "glass5g run: unexpected argument '%s'\n", argv[i]);
            usage(stderr);
            return G5_EXIT_USAGE;
        }
    }
    g5_config cfg;
    g5_config_defaults(&cfg);
    if (path && g5_config_load(&cfg, path, stderr) != 0)
        return G5_EXIT_FAIL;
    g5_log_set_level((enum g5_log_level)cfg.log.level);
    if (cfg.log.file[0] && g5_log_set_file(cfg.log.file) != 0) {
        fprintf(stderr, "glass5g run: log.file: cannot open '%s' for append\n", cfg.log.file);
        return G5_EXIT_FAIL;
    }
    if (check) {
        printf("%s: configuration OK\n", path ? path : "(defaults)");
        return G5_EXIT_OK;
    }
    if (nf)
        return run_one_nf(nf, &cfg);
    fprintf(stderr, "glass5g run: the network functions are not built yet "
                    "(configuration loaded and valid)\n");
    return G5_EXIT_FAIL;
}
