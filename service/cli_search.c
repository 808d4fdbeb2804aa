/* service/cli_search.c -- the search on the command line: the import step that builds the search
 * index, and `kkc search TEXT`, answered in process by GET /v1/search's own handler. */
#include "cli.h"
#include "cli_call.h"

#include "api.h"
#include "search/search.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kkc_code cli_import_search(struct store *st, const char *osm, kkc_report_fn report,
                                struct kkc_err *err)
{
    struct search_build_opts o = {.osm_path = osm, .report = report, .report_ud = st};
    struct search_build_stats s;
    enum kkc_code rc = search_build(st, &o, &s, err);
    if (!rc)
        printf("search index: %ld municipalities, %ld places, %ld streets, %ld addresses; %ld "
               "features skipped\n",
               s.municipalities, s.places, s.streets, s.addresses, s.rejected);
    return rc;
}

static const char search_help[] =
    "usage: kkc search TEXT [--limit N] [--json] [--db FILE]\n\n"
    "Municipalities, places, streets and addresses whose names start with the words of TEXT,\n"
    "ignoring case and accents (\"vaclavske nam\" finds Václavské náměstí), best match first,\n"
    "then by population. N is 1..50 (default 10). --json prints what GET /v1/search answers.\n";

/* Print the results of answer as a table. */
static void search_table(json_t *answer)
{
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(answer, "results"), i, h)
    {
        json_t *pop = json_object_get(h, "population");
        cli_put_col(json_string_value(json_object_get(h, "kind")), 13);
        cli_put_col(json_string_value(json_object_get(h, "name")), 34);
        cli_put_col(json_string_value(json_object_get(h, "municipality")), 22);
        printf(" %10.6f %10.6f", json_number_value(json_object_get(h, "lon")),
               json_number_value(json_object_get(h, "lat")));
        if (json_is_integer(pop))
            printf(" %lld", (long long)json_integer_value(pop));
        printf("\n");
    }
}

int cli_search(int argc, char **argv)
{
    static const struct option longs[] = {{"limit", required_argument, 0, 'l'},
                                          {"json", no_argument, 0, 'j'},
                                          {"db", required_argument, 0, 'd'},
                                          {"help", no_argument, 0, 'h'},
                                          {0, 0, 0, 0}};
    const char *db = cli_db_default();
    const char *limit = NULL;
    struct params q;
    struct api_req r = {.method = "GET", .path = "/v1/search", .q = &q};
    struct api_res res = {0};
    json_t *answer;
    int c, json = 0, failed = 0;

    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        if (c == 'l')
            limit = optarg;
        else if (c == 'j')
            json = 1;
        else if (c == 'd')
            db = optarg;
        else {
            fputs(search_help, c == 'h' ? stdout : stderr);
            return c == 'h' ? 0 : 2;
        }
    }
    if (optind != argc - 1) {
        fputs(search_help, stderr);
        return 2;
    }
    params_init(&q);
    params_add(&q, "q", argv[optind]);
    if (limit)
        params_add(&q, "limit", limit);
    if (cli_call(db, &r, &res))
        return 1;
    if (json && res.status == 200)
        printf("%s\n", res.body);
    answer = cli_answer(&res, &failed);
    if (!json && !failed)
        search_table(answer);
    json_decref(answer);
    free(res.body);
    return failed;
}
