/* Placeholder until this command is implemented (its owner replaces this file). */
#include <stdio.h>

#include "cli/cli.h"

int cmd_subscriber(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "glass5g subscriber: not implemented yet\n");
    return G5_EXIT_FAIL;
}
