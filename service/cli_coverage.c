/* service/cli_coverage.c -- `kkc coverage`: the GET /v1/coverage report on the command line.
 *
 * The options become the same query parameters and the request is answered in process by the
 * API's own handler (api_dispatch), so the table shows exactly what the API answers; --json
 * prints the answer as is (--geojson the GeoJSON form). */
#include "cli.h"
#include "routes.h"
#include "tctx.h"
#include "cli_call.h"

#include "api.h"
#include "world.h"

#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNCOVERED_SHOWN 20

static const char coverage_help[] =
    "usage: kkc coverage (--minutes T | --km D) [--kind K[,K..]] [--region CODE]\n"
    "                    [--close ID,ID..] [--add LON,LAT;LON,LAT..] [--all] [--json | --geojson]\n"
    "                    [--db FILE]\n\n"
    "Who is farther than T minutes of driving (by road) or D km (straight line) from every centre\n"
    "of the kinds: covered population, area and road shares, the breakdown by the next level of\n"
    "regions and the uncovered municipalities, worst (population x shortfall) first; --all lists\n"
    "every one (default: the first 20). --region takes a kraj/okres/ORP code (CZ052), LEVEL:CODE\n"
    "or `network` (the road network's area); --close treats centres as unavailable and --add\n"
    "places hypothetical ones, without changing stored data. --json prints exactly what\n"
    "GET /v1/coverage answers; --geojson its GeoJSON form (gaps, service area, uncovered "
    "points).\n";

static double num(json_t *o, const char *a, const char *b)
{
    json_t *v = json_object_get(o, a);
    v = b ? json_object_get(v, b) : v;
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* "12.3 %" or "-" */
static const char *pct(double share, char *buf, size_t cap)
{
    if (isnan(share))
        return "-";
    snprintf(buf, cap, "%.1f %%", 100 * share);
    return buf;
}

/* The summary lines. */
static void print_summary(json_t *v)
{
    json_t *reg = json_object_get(v, "region"), *thr = json_object_get(v, "threshold");
    char a[32], b[32], c[32];
    int road = json_object_get(thr, "minutes") != NULL;
    printf("region %s (%s, %s); %s %g %s; centres used %.0f (off the roads %.0f)\n",
           json_string_value(json_object_get(reg, "code")),
           json_string_value(json_object_get(reg, "name")),
           json_string_value(json_object_get(reg, "level")), road ? "by road within" : "within",
           road ? num(thr, "minutes", NULL) : num(thr, "km", NULL), road ? "min" : "km",
           num(v, "centres", "used"), num(v, "centres", "off_road"));
    if (json_is_null(json_object_get(json_object_get(v, "population"), "total")))
        printf("population: no census data here (population_source none)\n");
    else
        printf("population: %.0f of %.0f covered (%s)\n", num(v, "population", "covered"),
               num(v, "population", "total"), pct(num(v, "population", "share"), a, sizeof a));
    printf("area: %.1f of %.1f km2 covered (%s)\n", num(v, "area_km2", "covered"),
           num(v, "area_km2", "total"), pct(num(v, "area_km2", "share"), b, sizeof b));
    if (json_object_get(v, "road_km"))
        printf("roads: %.1f of %.1f km reached (%s)\n", num(v, "road_km", "covered"),
               num(v, "road_km", "total"), pct(num(v, "road_km", "share"), c, sizeof c));
    printf("municipalities: %.0f, uncovered %.0f (unreachable %.0f)\n",
           num(v, "municipalities", "total"), num(v, "municipalities", "uncovered"),
           num(v, "municipalities", "unreachable"));
}

/* The breakdown and the uncovered list. */
static void print_tables(json_t *v, int all);

/* The plain-text answer: the summary, then the tables (all rows with --all). */
static void print_coverage(json_t *v, void *all)
{
    print_summary(v);
    print_tables(v, *(int *)all);
}

static void print_tables(json_t *v, int all)
{
    json_t *it;
    size_t i;
    char a[32];
    int road = json_object_get(json_object_get(v, "threshold"), "minutes") != NULL;
    if (json_array_size(json_object_get(v, "regions")))
        printf("\n%-8s %-28s %10s %9s %6s %9s\n", "code", "name", "population", "covered", "munis",
               "uncovered");
    json_array_foreach(json_object_get(v, "regions"), i, it)
    {
        printf("%-8s ", json_string_value(json_object_get(it, "code")));
        cli_put_col(json_string_value(json_object_get(it, "name")), 28);
        printf(" %10.0f %9s %6.0f %9.0f\n", num(it, "population", NULL),
               pct(num(it, "covered_share", NULL), a, sizeof a), num(it, "municipalities", NULL),
               num(it, "uncovered", NULL));
    }
    if (json_array_size(json_object_get(v, "uncovered")))
        printf("\n%-8s %-28s %10s %10s %10s  %s\n", "code", "uncovered", "population",
               road ? "drive" : "distance", "short by", "nearest centre");
    json_array_foreach(json_object_get(v, "uncovered"), i, it)
    {
        json_t *nc = json_object_get(it, "nearest_centre");
        double val = num(it, road ? "duration_s" : "distance_m", NULL) / (road ? 60 : 1000);
        double sh = num(it, road ? "shortfall_s" : "shortfall_m", NULL) / (road ? 60 : 1000);
        if (!all && i == UNCOVERED_SHOWN) {
            printf("... %zu more (--all lists them)\n",
                   json_array_size(json_object_get(v, "uncovered")) - i);
            break;
        }
        printf("%-8s ", json_string_value(json_object_get(it, "code")));
        cli_put_col(json_string_value(json_object_get(it, "name")), 28);
        printf(" %10.0f %7.1f %-2s %7.1f %-2s  %s\n", num(it, "population", NULL), val,
               road ? "mn" : "km", sh, road ? "mn" : "km",
               nc ? json_string_value(json_object_get(nc, "name")) : "(unreachable)");
    }
}

/* Options into q; returns -1 for help printed, 2 for a usage error, 0 to go on. */
static int cov_options(int argc, char **argv, struct params *q, const char **db, int *json,
                       int *all)
{
    static const struct option longs[] = {
        {"minutes", required_argument, 0, 'm'}, {"km", required_argument, 0, 'k'},
        {"kind", required_argument, 0, 'K'},    {"region", required_argument, 0, 'r'},
        {"close", required_argument, 0, 'c'},   {"add", required_argument, 0, 'a'},
        {"all", no_argument, 0, 'A'},           {"json", no_argument, 0, 'j'},
        {"geojson", no_argument, 0, 'g'},       {"db", required_argument, 0, 'd'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (c) {
        case 'm':
            params_add(q, "minutes", optarg);
            break;
        case 'k':
            params_add(q, "km", optarg);
            break;
        case 'K':
            params_add(q, "kind", optarg);
            break;
        case 'r':
            params_add(q, "region", optarg);
            break;
        case 'c':
            params_add(q, "close", optarg);
            break;
        case 'a':
            params_add(q, "add", optarg);
            break;
        case 'A':
            *all = 1;
            break;
        case 'j':
            *json = 1;
            break;
        case 'g':
            *json = 2, params_add(q, "format", "geojson");
            break;
        case 'd':
            *db = optarg;
            break;
        case 'h':
            fputs(coverage_help, stdout);
            return -1;
        default:
            fputs(coverage_help, stderr);
            return 2;
        }
    }
    if (optind != argc) {
        fputs(coverage_help, stderr);
        return 2;
    }
    return 0;
}

int cli_coverage(int argc, char **argv)
{
    const char *db = cli_db_default();
    struct params q;
    int json = 0, all = 0, rc;

    params_init(&q);
    if ((rc = cov_options(argc, argv, &q, &db, &json, &all)))
        return rc < 0 ? 0 : rc;
    return cli_get(db, "/v1/coverage", &q, json, print_coverage, &all);
}
