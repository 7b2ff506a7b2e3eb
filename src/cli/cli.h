/* Subcommands of the `glass5g` binary. Each cmd_*() gets argv with argv[0] = its own name,
 * returns the process exit code: 0 success, 1 failure of the operation (bad MAC, decode
 * error...), 2 usage error (bad or missing arguments; the message says which). */
#ifndef G5_CLI_H
#define G5_CLI_H

#include <stdio.h>

enum { G5_EXIT_OK = 0, G5_EXIT_FAIL = 1, G5_EXIT_USAGE = 2 };

int cmd_run(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_auth(int argc, char **argv); /* cmd_auth.c: auth vector | resync */
int cmd_suci(int argc, char **argv); /* cmd_suci.c: keygen | conceal | deconceal */
int cmd_decode(int argc, char **argv); /* cmd_codec.c: decode nas|ngap|pfcp|gtpu HEX */
int cmd_encode(int argc, char **argv); /* cmd_codec.c: encode nas|ngap|pfcp|gtpu < JSON */
int cmd_subscriber(int argc, char **argv); /* cmd_subscriber.c */
int cmd_ctl(int argc, char **argv); /* cmd_ctl.c: control of a running `glass5g run` */

/* True if argv has -h or --help anywhere. */
int g5_cli_wants_help(int argc, char **argv);

#endif
