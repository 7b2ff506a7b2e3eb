/* Placeholder until this command is implemented (its owner replaces this file). */
#include <stdio.h>

#include "cli/cli.h"

int cmd_suci(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "glass5g suci: not implemented yet\n");
    return G5_EXIT_FAIL;
}
