/* glass5g: the core network binary. `glass5g <command> [args]`; `glass5g help`. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"run", cmd_run, "run the core network (all NFs in one process by default)"},
    {"ctl", cmd_ctl, "operator control of a running core (status, UEs, gNBs, actions)"},
    {"subscriber", cmd_subscriber, "add, list, show, update, delete, import subscribers"},
    {"auth", cmd_auth, "authentication vectors (MILENAGE, 5G-AKA keys) and resync"},
    {"suci", cmd_suci, "SUCI home-network keys, conceal and de-conceal"},
    {"decode", cmd_decode, "decode NAS / NGAP / PFCP / GTP-U bytes (hex) to JSON"},
    {"encode", cmd_encode, "encode JSON (stdin) to NAS / NGAP / PFCP / GTP-U bytes (hex)"},
    {"version", cmd_version, "print the version"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: glass5g <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'glass5g <command> --help' describes a command.\n");
}

int g5_cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return 1;
    return 0;
}

int cmd_version(int argc, char **argv)
{
    if (g5_cli_wants_help(argc, argv)) {
        printf("usage: glass5g version\nPrints the glass5g version.\n");
        return G5_EXIT_OK;
    }
    if (argc > 1) {
        fprintf(stderr, "glass5g version: unexpected argument '%s'\n", argv[1]);
        return G5_EXIT_USAGE;
    }
    printf("glass5g %s\n", G5_VERSION);
    return G5_EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return G5_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (!strcmp(name, "help") || !strcmp(name, "-h") || !strcmp(name, "--help")) {
        usage(stdout);
        return G5_EXIT_OK;
    }
    if (!strcmp(name, "--version"))
        name = "version";
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(name, commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "glass5g: unknown command '%s'\n\n", name);
    usage(stderr);
    return G5_EXIT_USAGE;
}
