/* service/cli.h -- the `kkc` subcommands. Each takes argc/argv after the subcommand name
 * (argv[0] is the subcommand) and returns the process exit status. */
#ifndef KKC_CLI_H
#define KKC_CLI_H

int cli_import(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_nearest(int argc, char **argv);
int cli_route(int argc, char **argv);

#endif
