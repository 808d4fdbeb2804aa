/* service/main.c -- the `kkc` command: picks the subcommand. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int (*run)(int, char **);
    const char *help;
} commands[] = {
    {"import", cli_import, "build the database from the reference data and OSM extracts"},
    {"serve", cli_serve, "serve the JSON HTTP API and the web map"},
    {"nearest", cli_nearest, "the nearest centres to a point, by distance or driving time"},
    {"route", cli_route, "the fastest drive between two points"},
    {"coverage", cli_coverage, "who is farther than T minutes or D km from every centre"},
    {"plan", cli_plan, "where new centres would cover the most people, which could close"},
    {"search", cli_search, "municipalities, places, streets and addresses by name"},
    {"closures", cli_closures, "road closures and slow-downs: list, add, remove, import"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: kkc COMMAND [OPTIONS]\n\n"
               "KKC nearest-centre and routing service.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\n`kkc COMMAND --help` describes each command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "kkc: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
