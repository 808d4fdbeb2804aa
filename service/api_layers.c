/* service/api_layers.c -- map layers for the web page: roads, boundaries, municipalities.
 *
 * The queries are in geo/map/layers.c; here the parameters are checked before any query runs, so
 * bad input is a 400 and never reaches the database, and the features are concatenated into a
 * buffer with a hard cap. */
#include "api_layers.h"
#include "tctx.h"

#include "api.h"
#include "map/layers.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- parameters --------------- */

/* A bbox no wider or taller than LAYERS_VIEW_PX pixels at zoom z: stops a country-wide query at
 * street zoom. */
static enum kkc_code layers_check_span(const double b[4], long z, struct kkc_err *err)
{
    double max = LAYERS_VIEW_PX * layers_deg_per_px(z);
    if (b[2] - b[0] > max || b[3] - b[1] > max)
        return kkc_err_set(err, KKC_EINVAL,
                           "bbox spans %.4g x %.4g degrees, more than a %d-pixel view at zoom %ld "
                           "(%.4g degrees): zoom out or ask for a smaller bbox",
                           b[2] - b[0], b[3] - b[1], LAYERS_VIEW_PX, z, max);
    return KKC_OK;
}

/* ---------------------------------------------------------------- capped output ------------ */

/* A growable text buffer that refuses to grow past LAYERS_BODY_MAX. */
struct lbuf {
    char *p;
    size_t len, cap;
    enum kkc_code rc; /* first failure: KKC_ETOOBIG or KKC_ENOMEM; appends after it are dropped */
};

static void lbuf_add(struct lbuf *b, const char *s, size_t n)
{
    size_t want = b->len + n + 1, cap = b->cap ? b->cap : 65536;
    char *grown;

    if (b->rc)
        return;
    if (want > LAYERS_BODY_MAX) {
        b->rc = KKC_ETOOBIG;
        return;
    }
    while (cap < want)
        cap *= 2;
    if (cap != b->cap) {
        grown = realloc(b->p, cap);
        if (!grown) {
            b->rc = KKC_ENOMEM;
            return;
        }
        b->p = grown;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void lbuf_str(struct lbuf *b, const char *s)
{
    lbuf_add(b, s, strlen(s));
}

/* The FeatureCollection being written: the capped buffer and the features in it. */
struct lcoll {
    struct lbuf b;
    long n;
};

static int lcoll_add(void *ctx, const char *f, size_t len)
{
    struct lcoll *c = ctx;
    if (c->n++)
        lbuf_add(&c->b, ",", 1);
    lbuf_add(&c->b, f, len);
    return c->b.rc != KKC_OK;
}

static void lcoll_begin(struct lcoll *c)
{
    memset(c, 0, sizeof *c);
    lbuf_str(&c->b, "{\"type\":\"FeatureCollection\",\"features\":[");
}

/* Close the collection started with lcoll_begin() into res: its GeoJSON, or the error of the
 * query (rc, err) or of the buffer. */
static void lcoll_reply(struct lcoll *c, enum kkc_code rc, const struct kkc_err *err,
                        int truncated, struct api_res *res)
{
    char tail[64];

    snprintf(tail, sizeof tail, "],\"count\":%ld,\"truncated\":%s}", c->n,
             truncated ? "true" : "false");
    lbuf_str(&c->b, tail);
    if (rc) {
        api_error_e(res, rc, err);
    } else if (c->b.rc) {
        api_error(res, c->b.rc,
                  c->b.rc == KKC_ETOOBIG ? "the layer is too large for one answer: zoom in"
                                         : "out of memory");
    } else {
        res->status = 200;
        res->body = c->b.p;
        res->content_type = "application/geo+json";
        c->b.p = NULL;
    }
    free(c->b.p);
}

/* ---------------------------------------------------------------- roads -------------------- */

void api_layers_roads(const struct api_req *r, struct api_res *res)
{
    struct kkc_err err = {0};
    struct store *db;
    struct lcoll c;
    double b[4];
    long z = -1;
    int has_bbox = 0, truncated = 0;
    enum kkc_code rc = api_param_bbox(r->q, b, &has_bbox, &err);

    if (!rc)
        rc = params_long(r->q, "zoom", 1, 0, LAYERS_ZOOM_MAX, &z, &err);
    if (!rc)
        rc = params_finish(r->q, &err);
    if (!rc && !has_bbox)
        rc = kkc_err_set(&err, KKC_EINVAL, "bbox=minlon,minlat,maxlon,maxlat is required");
    if (!rc)
        rc = layers_check_span(b, z, &err);
    if (rc || !(db = api_store(r, &err))) {
        api_error_e(res, rc ? rc : err.code, &err);
        return;
    }
    lcoll_begin(&c);
    rc = layers_roads(db, b, z, LAYERS_ROADS_MAX, lcoll_add, &c, &truncated, &err);
    lcoll_reply(&c, rc, &err, truncated, res);
}

/* ---------------------------------------------------------------- boundaries --------------- */

void api_layers_boundaries(const struct api_req *r, struct api_res *res)
{
    static const char *const levels[] = {"country", "kraj", "okres", "orp", "border", NULL};
    struct kkc_err err = {0};
    struct store *db;
    struct lcoll c;
    double b[4];
    long z = -1;
    int level = -1, has_bbox = 0, outline = 0, truncated = 0;
    enum kkc_code rc = params_choice(r->q, "level", levels, &level, &err);

    if (!rc)
        rc = api_param_bbox(r->q, b, &has_bbox, &err);
    if (!rc)
        rc = params_long(r->q, "zoom", 0, 0, LAYERS_ZOOM_MAX, &z, &err);
    if (!rc)
        rc = params_bool(r->q, "outline", &outline, &err);
    if (!rc)
        rc = params_finish(r->q, &err);
    if (!rc && level < 0)
        rc = kkc_err_set(&err, KKC_EINVAL, "level is required: country, kraj, okres, orp, border");
    if (rc || !(db = api_store(r, &err))) {
        api_error_e(res, rc ? rc : err.code, &err);
        return;
    }
    lcoll_begin(&c);
    rc = layers_boundaries(db, levels[level], has_bbox ? b : NULL, z, outline, 100000, lcoll_add,
                           &c, &truncated, &err);
    lcoll_reply(&c, rc, &err, truncated, res);
}

/* ---------------------------------------------------------------- municipalities ----------- */

static void muni_add(void *ctx, const struct layers_muni *row)
{
    static const char *const text[] = {"code", "name", "okres", "kraj"};
    const char *v[] = {row->code, row->name, row->okres, row->kraj};
    json_t *m = json_object();

    for (int i = 0; i < 4; i++)
        json_object_set_new(m, text[i], v[i] ? json_string(v[i]) : json_null());
    json_object_set_new(m, "population",
                        row->has_population ? json_integer(row->population) : json_null());
    json_object_set_new(m, "lon", json_real(round(row->lon * 1e6) / 1e6));
    json_object_set_new(m, "lat", json_real(round(row->lat * 1e6) / 1e6));
    json_array_append_new(ctx, m);
}

/* The name search (q given) or the bbox listing into {"municipalities":[...],"truncated":..}. */
static void municipalities_reply(const struct api_req *r, const char *key, const double b[4],
                                 long limit, struct api_res *res)
{
    struct kkc_err err = {0};
    struct store *db = api_store(r, &err);
    json_t *list;
    int truncated = 0;
    enum kkc_code rc;

    if (!db) {
        api_error_e(res, err.code, &err);
        return;
    }
    list = json_array();
    rc = key ? layers_munis_search(db, key, limit, muni_add, list, &truncated, &err)
             : layers_munis_in_bbox(db, b, limit, muni_add, list, &truncated, &err);
    if (rc) {
        json_decref(list);
        api_error_e(res, rc, &err);
        return;
    }
    api_reply(res, json_pack("{s:o, s:b}", "municipalities", list, "truncated", truncated));
}

void api_layers_municipalities(const struct api_req *r, struct api_res *res)
{
    struct kkc_err err = {0};
    const char *q = params_str(r->q, "q");
    char key[128];
    double b[4];
    int has_bbox = 0;
    long limit = -1;
    enum kkc_code rc = api_param_bbox(r->q, b, &has_bbox, &err);

    if (!rc)
        rc = params_long(r->q, "limit", 0, 1, has_bbox ? 5000 : 50, &limit, &err);
    if (!rc)
        rc = params_finish(r->q, &err);
    if (!rc && (!q) == !has_bbox)
        rc = kkc_err_set(&err, KKC_EINVAL, "give either q (a name prefix) or bbox, not both");
    if (!rc && q && strlen(q) >= 64)
        rc = kkc_err_set(&err, KKC_EINVAL, "q is too long (at most 63 bytes)");
    if (!rc && q) {
        layers_muni_key(q, key, sizeof key);
        if (!key[strcspn(key, "abcdefghijklmnopqrstuvwxyz0123456789")])
            rc = kkc_err_set(&err, KKC_EINVAL, "q must contain at least one letter or digit");
    }
    if (rc) {
        api_error_e(res, rc, &err);
        return;
    }
    if (q)
        municipalities_reply(r, key, NULL, limit > 0 ? limit : LAYERS_MUNI_Q_MAX, res);
    else
        municipalities_reply(r, NULL, b, limit > 0 ? limit : LAYERS_MUNI_BBOX_MAX, res);
}
