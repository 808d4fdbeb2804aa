/* service/cli_query.c -- `kkc nearest` and `kkc route`: through api_dispatch() (cli_call.h), so
 * the command line prints exactly what the HTTP API answers (--json) or a table made from it. */
#include "cli.h"
#include "cli_call.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- queries ------------------ */

static const char nearest_help[] =
    "usage: kkc nearest LON LAT [-k N] [--kind police|fire|ambulance[,...]] [--by distance|time]\n"
    "                   [--crs CRS] [--include-closed] [--json] [--db FILE]\n"
    "       kkc nearest --batch FILE [same options]\n\n"
    "The k nearest centres (default 3) to a point given in WGS84 lon lat, or in --crs (e.g.\n"
    "EPSG:5514 for S-JTSK x y; put `--` before negative numbers). --by time ranks by driving\n"
    "time from the centre to the point on the road network. --json prints exactly what\n"
    "GET /v1/nearest answers.\n"
    "--batch answers every incident of FILE (CSV id,lon,lat or id,x,y with --crs, or a GeoJSON\n"
    "FeatureCollection of Points) with a line each and a summary, as POST /v1/nearest does;\n"
    "with --json it prints POST /v1/nearest's answer (one JSON document).\n";

static void nearest_table(json_t *v, void *arg)
{
    json_t *it;
    size_t i;
    printf("%-4s %-16s %-9s %10s %9s %8s  %s\n", "rank", "id", "kind", "distance", "drive", "bearing",
           "name");
    json_array_foreach(json_object_get(v, "results"), i, it)
    {
        json_t *c = json_object_get(it, "centre");
        json_t *dur = json_object_get(it, "duration_s");
        char drive[32] = "-";
        if (dur)
            snprintf(drive, sizeof drive, "%.1f min", json_number_value(dur) / 60);
        printf("%-4lld %-16s %-9s %8.0f m %9s %7.0f°  %s\n", cli_int(it, "rank"), cli_str(c, "id"),
               cli_str(c, "kind"), cli_num(it, "distance_m"), drive, cli_num(it, "bearing_deg"),
               cli_str(c, "name"));
    }
    (void)arg;
}

int cli_nearest(int argc, char **argv)
{
    static const struct option longs[] = {
        {"kind", required_argument, 0, 'K'}, {"by", required_argument, 0, 'b'},
        {"crs", required_argument, 0, 'c'},  {"include-closed", no_argument, 0, 'i'},
        {"json", no_argument, 0, 'j'},       {"db", required_argument, 0, 'd'},
        {"batch", required_argument, 0, 'B'},
        {"help", no_argument, 0, 'h'},       {0, 0, 0, 0}};
    const char *db = cli_db_default(), *crs = NULL, *batch = NULL;
    struct params q;
    int c, json = 0;

    params_init(&q);
    while ((c = getopt_long(argc, argv, "k:h", longs, NULL)) != -1) {
        switch (c) {
        case 'k': params_add(&q, "k", optarg); break;
        case 'K': params_add(&q, "kind", optarg); break;
        case 'b': params_add(&q, "by", optarg); break;
        case 'c': crs = optarg; break;
        case 'i': params_add(&q, "include_closed", "true"); break;
        case 'j': json = 1; break;
        case 'd': db = optarg; break;
        case 'B': batch = optarg; break;
        case 'h': fputs(nearest_help, stdout); return 0;
        default: fputs(nearest_help, stderr); return 2;
        }
    }
    if (batch && argc == optind) {
        if (crs)
            params_add(&q, "crs", crs);
        return cli_batch(db, batch, &q, json);
    }
    if (argc - optind != 2) {
        fputs(nearest_help, stderr);
        return 2;
    }
    params_add(&q, crs ? "x" : "lon", argv[optind]);
    params_add(&q, crs ? "y" : "lat", argv[optind + 1]);
    if (crs)
        params_add(&q, "crs", crs);
    return cli_get(db, "/v1/nearest", &q, json, nearest_table, NULL);
}

static const char route_help[] =
    "usage: kkc route FROM TO [--steps] [--radius M] [--json] [--db FILE]\n\n"
    "The fastest drive from FROM to TO, each `centre:ID` or `LON,LAT` (WGS84). --json prints\n"
    "exactly what GET /v1/route answers (a GeoJSON Feature).\n";

static void route_table(json_t *v, void *arg)
{
    json_t *p = json_object_get(v, "properties"), *it;
    size_t i;
    printf("%.1f km, %.1f min\n", cli_num(p, "distance_m") / 1000, cli_num(p, "duration_s") / 60);
    json_array_foreach(json_object_get(p, "steps"), i, it)
    {
        const char *name = cli_str(it, "name"), *ref = cli_str(it, "ref");
        printf("  %8.0f m %7.0f s  %s%s%s\n", cli_num(it, "distance_m"), cli_num(it, "duration_s"),
               name && *name ? name : "(unnamed road)", ref && *ref ? " " : "",
               ref && *ref ? ref : "");
    }
    (void)arg;
}

int cli_route(int argc, char **argv)
{
    static const struct option longs[] = {
        {"steps", no_argument, 0, 's'}, {"radius", required_argument, 0, 'r'},
        {"json", no_argument, 0, 'j'},  {"db", required_argument, 0, 'd'},
        {"help", no_argument, 0, 'h'},  {0, 0, 0, 0}};
    const char *db = cli_db_default();
    struct params q;
    int c, json = 0, steps = 0;

    params_init(&q);
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (c) {
        case 's': steps = 1; break;
        case 'r': params_add(&q, "radius", optarg); break;
        case 'j': json = 1; break;
        case 'd': db = optarg; break;
        case 'h': fputs(route_help, stdout); return 0;
        default: fputs(route_help, stderr); return 2;
        }
    }
    if (argc - optind != 2) {
        fputs(route_help, stderr);
        return 2;
    }
    params_add(&q, "from", argv[optind]);
    params_add(&q, "to", argv[optind + 1]);
    params_add(&q, "steps", steps || !json ? "true" : "false");
    return cli_get(db, "/v1/route", &q, json, route_table, NULL);
}
