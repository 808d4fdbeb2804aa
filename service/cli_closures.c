/* service/cli_closures.c -- kkc closures list|add|remove|import: road closures in the database. */
#include "cli.h"
#include "cli_call.h"

#include "base/store.h"
#include "closures/closures.h"
#include "closures_json.h"
#include "state/state.h"

#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char closures_help[] =
    "usage: kkc closures list [--active] [--json] [--db FILE]\n"
    "       kkc closures add --reason TEXT (--ways ID,ID... | --geometry GEOJSON)\n"
    "                        [--factor F] [--direction both|forward|backward]\n"
    "                        [--from TIME] [--until TIME] [--source TEXT] [--db FILE]\n"
    "       kkc closures remove ID... [--db FILE]\n"
    "       kkc closures import FILE.geojson [--db FILE]\n\n"
    "Road closures (factor 0, the default) and slow-downs (factor > 1) by OSM way id or by a\n"
    "GeoJSON LineString / Polygon geometry in WGS84; TIME is ISO 8601 (2026-12-02T10:00:00Z).\n"
    "import reads a FeatureCollection whose features carry reason, ways, factor, direction,\n"
    "valid_from, valid_until in their properties; all of a file is stored or nothing. A running\n"
    "server applies changes made here on SIGHUP (the HTTP API applies its own at once).\n";

struct cl_args {
    const char *db;
    int active, json;
    json_t *fields; /* for add: the closure object built from the options */
};

static void print_row(const struct closure *c, int64_t now)
{
    char from[32] = "-", until[32] = "-";
    time_t a = (time_t)c->valid_from, b = (time_t)c->valid_until;
    struct tm tm;
    if (c->valid_from && gmtime_r(&a, &tm))
        strftime(from, sizeof from, "%Y-%m-%d %H:%M", &tm);
    if (c->valid_until && gmtime_r(&b, &tm))
        strftime(until, sizeof until, "%Y-%m-%d %H:%M", &tm);
    printf("%6" PRId64 "  ", c->id);
    cli_put_col(closure_active(c, now) ? "platí" : "neplatí", 9); /* UTF-8 aware */
    printf("%-16s %-16s %5zu  %-8s ", from, until, c->nways, c->wkt ? "ano" : "ne");
    if (c->factor == 0)
        printf("uzavřeno  ");
    else
        printf("×%-7.2f  ", c->factor);
    printf("%s\n", c->reason);
}

static int cmd_list(struct store *st, const struct cl_args *a)
{
    struct closure_list l = {0};
    struct kkc_err err = {0};
    int64_t now = (int64_t)time(NULL), version = 0;
    if (closures_load(st, &l, &err) || closures_version(st, &version, &err)) {
        fprintf(stderr, "kkc closures: %s\n", err.msg);
        return 1;
    }
    if (a->json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < l.len; i++)
            if (!a->active || closure_active(&l.items[i], now))
                json_array_append_new(arr, closure_to_json(&l.items[i], now));
        json_dumpf(json_pack("{s:o, s:I}", "closures", arr, "version", (json_int_t)version),
                   stdout, JSON_INDENT(2));
        putchar('\n');
    } else {
        printf("    id  stav     od               do               cesty  plocha   účinek    "
               "důvod\n");
        for (size_t i = 0; i < l.len; i++)
            if (!a->active || closure_active(&l.items[i], now))
                print_row(&l.items[i], now);
        printf("verze uzavírek: %" PRId64 "\n", version);
    }
    closure_list_free(&l);
    return 0;
}

/* Store the closures of doc (add); prints their ids. */
static int store_doc(struct store *st, json_t *doc)
{
    struct closure_list l = {0};
    struct kkc_err err = {0};
    int64_t now = (int64_t)time(NULL), version = 0;
    enum kkc_code rc = closures_from_json(doc, now, &l, &err);
    if (!rc)
        rc = closures_write(st, CLOSURES_ADD, l.items, l.len, now, &version, &err);
    if (rc)
        fprintf(stderr, "kkc closures: %s; nothing stored\n", err.msg);
    for (size_t i = 0; !rc && i < l.len; i++)
        printf("added closure %" PRId64 "\n", l.items[i].id);
    if (!rc)
        printf("closures version %" PRId64 "\n", version);
    closure_list_free(&l);
    return rc ? 1 : 0;
}

static int cmd_remove(struct store *st, int n, char **ids)
{
    struct closure_list l = {0};
    struct closure c = {0};
    struct kkc_err err = {0};
    int64_t version = 0;
    enum kkc_code rc = KKC_OK;
    for (int i = 0; !rc && i < n; i++) {
        char *end;
        c.id = strtoll(ids[i], &end, 10);
        if (*end || c.id <= 0)
            rc = kkc_err_set(&err, KKC_EINVAL, "not a closure id: %s", ids[i]);
        else
            rc = closure_list_push(&l, &c, &err);
    }
    if (!rc)
        rc = closures_write(st, CLOSURES_REMOVE, l.items, l.len, (int64_t)time(NULL), &version,
                            &err);
    if (rc)
        fprintf(stderr, "kkc closures: %s; nothing removed\n", err.msg);
    else
        printf("removed %zu; closures version %" PRId64 "\n", l.len, version);
    closure_list_free(&l);
    return rc ? 1 : 0;
}

/* The value of an add option into a->fields. */
static int add_field(struct cl_args *a, int opt, const char *v)
{
    static const char *const keys[] = {"reason", "factor", "direction", "valid_from",
                                       "valid_until", "source", "ways", "geometry"};
    static const char opts[] = "rfdFusWg";
    const char *k = keys[strchr(opts, opt) - opts];
    json_t *val;
    if (opt == 'f') {
        val = json_real(strtod(v, NULL));
    } else if (opt == 'W') {
        val = json_array();
        for (const char *p = v; *p;) {
            char *end;
            json_array_append_new(val, json_integer(strtoll(p, &end, 10)));
            if (end == p || (*end && *end != ','))
                return -1;
            p = *end ? end + 1 : end;
        }
    } else if (opt == 'g') {
        val = json_loads(v, 0, NULL);
        if (!val)
            return -1;
    } else {
        val = json_string(v);
    }
    json_object_set_new(a->fields, k, val);
    return 0;
}

static int parse_opts(int argc, char **argv, struct cl_args *a)
{
    static const struct option longs[] = {
        {"db", required_argument, 0, 'D'},     {"active", no_argument, 0, 'a'},
        {"json", no_argument, 0, 'j'},         {"reason", required_argument, 0, 'r'},
        {"factor", required_argument, 0, 'f'}, {"direction", required_argument, 0, 'd'},
        {"from", required_argument, 0, 'F'},   {"until", required_argument, 0, 'u'},
        {"source", required_argument, 0, 's'}, {"ways", required_argument, 0, 'W'},
        {"geometry", required_argument, 0, 'g'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (c) {
        case 'D': a->db = optarg; break;
        case 'a': a->active = 1; break;
        case 'j': a->json = 1; break;
        case 'h': fputs(closures_help, stdout); exit(0);
        case '?': return -1;
        default:
            if (add_field(a, c, optarg)) {
                fprintf(stderr, "kkc closures: bad value for --ways or --geometry\n");
                return -1;
            }
        }
    }
    return 0;
}

static int import_file(struct store *st, const char *path)
{
    json_error_t je;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    int rc;
    if (!doc) {
        fprintf(stderr, "kkc closures: %s:%d:%d: %s; nothing stored\n", path, je.line,
                je.column, je.text);
        return 1;
    }
    rc = store_doc(st, doc);
    json_decref(doc);
    return rc;
}

int cli_closures(int argc, char **argv)
{
    struct cl_args a = {.db = cli_db_default(),
                        .fields = json_object()};
    const char *sub = argc > 1 ? argv[1] : "";
    struct store *st = NULL;
    struct kkc_err err = {0};
    int write = strcmp(sub, "list") != 0, rc = 2;
    if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
        fputs(closures_help, stdout);
        json_decref(a.fields);
        return 0;
    }
    if (parse_opts(argc - 1, argv + 1, &a) || !strstr(" list add remove import ", sub) || !*sub ||
        (strcmp(sub, "import") == 0 && optind + 1 != argc - 1) ||
        (strcmp(sub, "remove") == 0 && optind >= argc - 1) ||
        ((strcmp(sub, "list") == 0 || strcmp(sub, "add") == 0) && optind != argc - 1)) {
        fputs(closures_help, stderr);
        json_decref(a.fields);
        return 2;
    }
    if (store_open(a.db, write ? STORE_READWRITE : STORE_READONLY, &st, &err)) {
        fprintf(stderr, "kkc closures: %s\n", err.msg);
        json_decref(a.fields);
        return 1;
    }
    if (write && state_mirrors(st, &err)) /* its closures are the shared state's */
        rc = (fprintf(stderr, "kkc closures: %s\n", err.msg), 1);
    else if (strcmp(sub, "list") == 0)
        rc = cmd_list(st, &a);
    else if (strcmp(sub, "add") == 0)
        rc = store_doc(st, a.fields);
    else if (strcmp(sub, "remove") == 0)
        rc = cmd_remove(st, argc - 1 - optind, argv + 1 + optind);
    else
        rc = import_file(st, argv[1 + optind]);
    store_close(st);
    json_decref(a.fields);
    return rc;
}
