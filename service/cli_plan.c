/* service/cli_plan.c -- `kkc plan`: POST /v1/plan on the command line.
 *
 * The options become the same JSON body the API takes and the request is answered in process by
 * the API's own handler (api_dispatch), so the table shows exactly what the API answers; --json
 * prints the answer as is. */
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

#define NAMES_SHOWN 4 /* municipalities named per site in the table */

static const char plan_help[] =
    "usage: kkc plan (--add N | --remove N) (--minutes T | --km D) [--kind K[,K..]]\n"
    "                [--region CODE] [--candidates municipalities|FILE] [--close ID,ID..]\n"
    "                [--method auto|greedy|exact] [--json] [--db FILE]\n\n"
    "Where N new centres of the kinds would cover the most people not covered now within T\n"
    "minutes by road or D km in a straight line (maximal covering), or which N centres of the\n"
    "region could close losing the least covered population. Candidates are the region's\n"
    "municipalities, or the points of FILE (one LON,LAT per line, or a JSON array [[lon, lat],\n"
    "...]; at most 10,000). N is 1..20. The greedy choice is exact-checked by branch and bound\n"
    "when that finishes in time (--method). --json prints exactly what POST /v1/plan answers.\n";

/* Answer one POST of body in process against the database; the caller frees res->body. 0/1. */
static int plan_call(const char *db, const char *body, struct api_res *res)
{
    struct params q;
    struct api_req r = {.method = "POST",
                        .path = "/v1/plan",
                        .q = &q,
                        .content_type = "application/json",
                        .body = body,
                        .body_len = strlen(body)};
    params_init(&q);
    return cli_call(db, &r, res);
}

/* The points of a candidates file: a JSON array, or LON,LAT lines (# comments). NULL with a
 * message printed on failure. */
static json_t *read_candidates(const char *path)
{
    FILE *f = fopen(path, "r");
    json_t *a = NULL;
    char line[256];
    long n = 0;
    int c;
    if (!f) {
        perror(path);
        return NULL;
    }
    while ((c = getc(f)) == ' ' || c == '\t' || c == '\n' || c == '\r')
        ;
    ungetc(c, f);
    if (c == '[') {
        json_error_t je;
        if (!(a = json_loadf(f, 0, &je)))
            fprintf(stderr, "kkc: %s:%d:%d: %s\n", path, je.line, je.column, je.text);
        fclose(f);
        return a;
    }
    a = json_array();
    while (a && fgets(line, sizeof line, f)) {
        double lon, lat;
        char end;
        n++;
        if (line[strspn(line, " \t\r\n")] == '\0' || line[strspn(line, " \t")] == '#')
            continue;
        if (sscanf(line, " %lf , %lf %c", &lon, &lat, &end) != 2) {
            fprintf(stderr, "kkc: %s:%ld: expected LON,LAT\n", path, n);
            json_decref(a), a = NULL;
            break;
        }
        json_array_append_new(a, json_pack("[f,f]", lon, lat));
    }
    fclose(f);
    return a;
}

/* A number option into the body (as an integer when integral); 0, or 2 for a bad value. */
static int set_number(json_t *body, const char *key, const char *s, int integer)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v) || (integer && v != floor(v))) {
        fprintf(stderr, "kkc: --%s takes a%s number, not '%s'\n", key, integer ? "n integer" : "",
                s);
        return 2;
    }
    json_object_set_new(body, key, integer ? json_integer((json_int_t)v) : json_real(v));
    return 0;
}

/* "A,B,C" into a JSON array of strings. */
static json_t *split_ids(const char *s)
{
    json_t *a = json_array();
    const char *p = s;
    while (*p) {
        size_t n = strcspn(p, ",");
        json_array_append_new(a, json_stringn(p, n));
        p += n + (p[n] == ',');
    }
    return a;
}

/* One option into the body; 0, -1 for help printed, 2 for a usage error. */
static int plan_option(int c, const char *arg, json_t *body, const char **db, int *json)
{
    switch (c) {
    case 'a':
        return set_number(body, "add", arg, 1);
    case 'R':
        return set_number(body, "remove", arg, 1);
    case 'm':
        return set_number(body, "minutes", arg, 0);
    case 'k':
        return set_number(body, "km", arg, 0);
    case 'K':
        return json_object_set_new(body, "kind", json_string(arg)), 0;
    case 'r':
        return json_object_set_new(body, "region", json_string(arg)), 0;
    case 'M':
        return json_object_set_new(body, "method", json_string(arg)), 0;
    case 'c':
        return json_object_set_new(body, "close", split_ids(arg)), 0;
    case 'C': {
        json_t *a = strcmp(arg, "municipalities") == 0 ? json_string(arg) : read_candidates(arg);
        return a ? (json_object_set_new(body, "candidates", a), 0) : 2;
    }
    case 'j':
        return *json = 1, 0;
    case 'd':
        return *db = arg, 0;
    case 'h':
        fputs(plan_help, stdout);
        return -1;
    default:
        fputs(plan_help, stderr);
        return 2;
    }
}

/* Options into the JSON body; returns -1 for help printed, 2 for a usage error, 0 to go on. */
static int plan_options(int argc, char **argv, json_t *body, const char **db, int *json)
{
    static const struct option longs[] = {{"add", required_argument, 0, 'a'},
                                          {"remove", required_argument, 0, 'R'},
                                          {"minutes", required_argument, 0, 'm'},
                                          {"km", required_argument, 0, 'k'},
                                          {"kind", required_argument, 0, 'K'},
                                          {"region", required_argument, 0, 'r'},
                                          {"method", required_argument, 0, 'M'},
                                          {"close", required_argument, 0, 'c'},
                                          {"candidates", required_argument, 0, 'C'},
                                          {"json", no_argument, 0, 'j'},
                                          {"db", required_argument, 0, 'd'},
                                          {"help", no_argument, 0, 'h'},
                                          {0, 0, 0, 0}};
    int c, rc;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1)
        if ((rc = plan_option(c, optarg, body, db, json)))
            return rc;
    if (optind != argc) {
        fputs(plan_help, stderr);
        return 2;
    }
    return 0;
}

static double num(json_t *o, const char *a, const char *b)
{
    json_t *v = json_object_get(o, a);
    v = b ? json_object_get(v, b) : v;
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The summary lines. */
static void print_summary(json_t *v)
{
    json_t *reg = json_object_get(v, "region"), *thr = json_object_get(v, "threshold");
    json_t *ex = json_object_get(v, "exact"), *g = json_object_get(v, "greedy"), *k;
    int road = json_object_get(thr, "minutes") != NULL;
    int add = strcmp(json_string_value(json_object_get(v, "goal")), "add") == 0;
    const char *fig = add ? "population_gained" : "population_lost";
    size_t i;
    printf("region %s (%s, %s); ", json_string_value(json_object_get(reg, "code")),
           json_string_value(json_object_get(reg, "name")),
           json_string_value(json_object_get(reg, "level")));
    json_array_foreach(json_object_get(v, "kind"), i, k)
        printf("%s%s", i ? "," : "", json_string_value(k));
    printf(" %s %g %s\n", road ? "by road within" : "within",
           road ? num(thr, "minutes", NULL) : num(thr, "km", NULL), road ? "min" : "km");
    printf("population covered: %.0f of %.0f (%.2f %%) -> %.0f (%.2f %%)\n",
           num(v, "population", "covered_before"), num(v, "population", "total"),
           100 * num(v, "population", "share_before"), num(v, "population", "covered_after"),
           100 * num(v, "population", "share_after"));
    printf("method %s: greedy %s %.0f", json_string_value(json_object_get(v, "method")),
           add ? "gains" : "loses", num(g, fig, NULL));
    if (json_object_get(ex, fig))
        printf(", exact %.0f (gap %.0f, %.0f nodes)", num(ex, fig, NULL), num(ex, "gap", NULL),
               num(ex, "nodes", NULL));
    else
        printf(", exact skipped (%s)", json_string_value(json_object_get(ex, "skipped")));
    if (add)
        printf("; greedy guarantees >= %.1f %% of the optimum, optimum <= %.0f\n",
               100 * num(g, "ratio", NULL), num(g, "optimum_at_most", NULL));
    else
        printf("; optimum loses >= %.0f\n", num(g, "optimum_at_least", NULL));
}

/* The sites, one line each: what, gain or loss, covered share after, municipalities changed. */
static void print_sites(json_t *v);

static void print_plan(json_t *v, void *arg)
{
    (void)arg;
    print_summary(v);
    print_sites(v);
}

static void print_sites(json_t *v)
{
    json_t *s, *ms, *m;
    size_t i, j;
    int add = strcmp(json_string_value(json_object_get(v, "goal")), "add") == 0;
    printf("\n%4s  %11s %11s  %-32s %9s %9s  %s\n", "rank", "lon", "lat", add ? "site" : "centre",
           add ? "gained" : "lost", "covered",
           add ? "municipalities newly covered" : "municipalities no longer covered");
    json_array_foreach(json_object_get(v, "sites"), i, s)
    {
        json_t *c = json_object_get(s, "centre"), *mu = json_object_get(s, "municipality");
        char what[96];
        if (c)
            snprintf(what, sizeof what, "%s %s", json_string_value(json_object_get(c, "id")),
                     json_string_value(json_object_get(c, "name")));
        else if (mu)
            snprintf(what, sizeof what, "%s (%s)", json_string_value(json_object_get(mu, "name")),
                     json_string_value(json_object_get(mu, "code")));
        else
            snprintf(what, sizeof what, "candidate %.0f", num(s, "candidate", NULL));
        printf("%4.0f  %11.7f %11.7f  ", num(s, "rank", NULL), num(s, "lon", NULL),
               num(s, "lat", NULL));
        cli_put_col(what, 32);
        printf(" %9.0f %7.2f %%  ", num(s, add ? "population_gained" : "population_lost", NULL),
               100 * num(s, "covered_share", NULL));
        ms = json_object_get(s, add ? "municipalities_covered" : "municipalities_uncovered");
        json_array_foreach(ms, j, m)
        {
            if (j == NAMES_SHOWN) {
                printf(", ... (%zu)", json_array_size(ms));
                break;
            }
            printf("%s%s", j ? ", " : "", json_string_value(json_object_get(m, "name")));
        }
        printf("\n");
    }
    if (json_array_size(json_object_get(v, "sites")) == 0)
        printf("(none: no candidate covers anyone not covered now)\n");
}

int cli_plan(int argc, char **argv)
{
    const char *db = cli_db_default();
    json_t *body = json_object();
    struct api_res res = {0};
    int json = 0, rc = plan_options(argc, argv, body, &db, &json);
    char *text = rc ? NULL : json_dumps(body, JSON_COMPACT);

    json_decref(body);
    if (rc || !text) {
        free(text);
        return rc < 0 ? 0 : rc ? rc : 1;
    }
    rc = plan_call(db, text, &res);
    free(text);
    if (rc)
        return 1;
    return cli_print(&res, json, print_plan, NULL);
}
