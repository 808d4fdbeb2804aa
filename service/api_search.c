/* service/api_search.c -- GET /v1/search and GET /v1/reverse (see api_search.h): parameters
 * checked here, the search in geo/search, the answer written as JSON. */
#include "api_search.h"

#include "api.h"
#include "search/search.h"
#include "tctx.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

/* s as a JSON string; null when NULL, empty or not UTF-8 (OSM text is not checked). */
static json_t *str_or_null(const char *s)
{
    json_t *v = s && *s ? json_string(s) : NULL;
    return v ? v : json_null();
}

/* s as a JSON string, "" when it is not UTF-8. */
static json_t *str_or_empty(const char *s)
{
    json_t *v = s ? json_string(s) : NULL;
    return v ? v : json_string("");
}

static json_t *coord(double v)
{
    return json_real(round(v * 1e6) / 1e6);
}

static void hit_add(void *ctx, const struct search_hit *h)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", str_or_empty(h->name));
    json_object_set_new(o, "kind", json_string(search_kind_name(h->kind)));
    json_object_set_new(o, "municipality", str_or_null(h->municipality));
    if (h->code)
        json_object_set_new(o, "code", str_or_empty(h->code));
    json_object_set_new(o, "lon", coord(h->lon));
    json_object_set_new(o, "lat", coord(h->lat));
    json_object_set_new(o, "population",
                        h->population >= 0 ? json_integer(h->population) : json_null());
    json_array_append_new(ctx, o);
}

void api_search(const struct api_req *r, struct api_res *res)
{
    struct kkc_err err = {0};
    const char *q = params_str(r->q, "q");
    long limit = API_SEARCH_LIMIT;
    struct store *db;
    json_t *list;
    enum kkc_code rc = params_long(r->q, "limit", 0, 1, SEARCH_LIMIT_MAX, &limit, &err);

    if (!rc)
        rc = params_finish(r->q, &err);
    if (!rc && (!q || !q[strspn(q, " \t\r\n")]))
        rc = kkc_err_set(&err, KKC_EINVAL, "q is empty: give a name or an address");
    if (rc || !(db = api_store(r, &err))) {
        api_error_e(res, rc ? rc : err.code, &err);
        return;
    }
    list = json_array();
    rc = search_find(db, q, limit, hit_add, list, &err);
    if (rc) {
        json_decref(list);
        api_error_e(res, rc, &err);
        return;
    }
    api_reply(res, json_pack("{s:s, s:o}", "query", q, "results", list));
}

/* The "address" object of a reverse answer. */
static json_t *address_json(const struct search_place *p)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:f}", "name", str_or_empty(p->address), "municipality",
                     str_or_null(p->address_municipality), "lon", coord(p->address_lon), "lat",
                     coord(p->address_lat), "distance_m", round(p->address_m * 10) / 10);
}

void api_reverse(const struct api_req *r, struct api_res *res)
{
    struct kkc_err err = {0};
    struct point_in pt;
    struct search_place p;
    struct store *db = NULL;
    json_t *addr, *street, *muni, *dist;
    enum kkc_code rc = api_param_point(r, &pt, &err);

    if (!rc)
        rc = params_finish(r->q, &err);
    if (!rc && !(db = api_store(r, &err)))
        rc = err.code;
    if (!rc)
        rc = search_reverse(db, pt.lon, pt.lat, &p, &err);
    if (rc) {
        api_error_e(res, rc, &err);
        return;
    }
    addr = p.has_address ? address_json(&p) : json_null();
    street = p.has_street ? json_pack("{s:o, s:f}", "name", str_or_empty(p.street), "distance_m",
                                      round(p.street_m * 10) / 10)
                          : json_null();
    muni = p.has_municipality ? json_pack("{s:o, s:o, s:f}", "name", str_or_empty(p.municipality),
                                          "code", str_or_empty(p.municipality_code),
                                          "centre_distance_m", round(p.municipality_m))
                              : json_null();
    dist = p.has_address  ? json_real(round(p.address_m * 10) / 10)
           : p.has_street ? json_real(round(p.street_m * 10) / 10)
                          : json_null();
    api_reply(res, json_pack("{s:o, s:o, s:o, s:o, s:o}", "query", api_json_query(&pt), "address",
                             addr, "street", street, "municipality", muni, "distance_m", dist));
}
