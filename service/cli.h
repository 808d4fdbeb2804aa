/* service/cli.h -- the `kkc` subcommands. Each takes argc/argv after the subcommand name
 * (argv[0] is the subcommand) and returns the process exit status. */
#ifndef KKC_CLI_H
#define KKC_CLI_H

#include "base/err.h"

int cli_import(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_nearest(int argc, char **argv);
int cli_route(int argc, char **argv);
/* kkc coverage (service/cli_coverage.c): the GET /v1/coverage report as a table. */
int cli_coverage(int argc, char **argv);
/* kkc plan (service/cli_plan.c): the POST /v1/plan answer as a table. */
int cli_plan(int argc, char **argv);
/* kkc closures list|add|remove|import (service/cli_closures.c): road closures in the database. */
int cli_closures(int argc, char **argv);

/* kkc search TEXT (service/cli_search.c): GET /v1/search as a table. */
int cli_search(int argc, char **argv);
/* The import step that builds the search index of st (osm: the extract or NULL), printing its
 * counts; rejected features go to report (service/cli_search.c). */
struct store;
enum kkc_code cli_import_search(struct store *st, const char *osm, kkc_report_fn report,
                                struct kkc_err *err);

/* kkc nearest --batch FILE (service/cli_batch.c): answer every incident of FILE with the query
 * parameters q (k, kind, by, include_closed, crs; borrowed) as POST /v1/nearest does, against
 * the database db. json: print the API's JSON document; else a table and a summary. Returns the
 * process exit status. */
struct params;
int cli_batch(const char *db, const char *file, struct params *q, int json);

/* Print s in a column of width characters (UTF-8 aware: cut or padded by code points). */
void cli_put_col(const char *s, int width);

#endif
