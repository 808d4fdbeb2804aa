/* service/api_batch.c -- POST /v1/nearest: parse a batch of incidents, then stream the nearest
 * centres to each and a summary (see api_batch.h for the formats).
 *
 * The handler parses the whole body up front into a compact array of incidents (coordinates
 * already in WGS84, the id and any row error in one text arena), so that whole-batch errors are
 * answered with a proper status before the 200 starts. The stream then answers rows in order as
 * the HTTP layer asks for bytes, keeping one double per answered row for the percentiles and one
 * counter per centre for the load. */
#include "api_batch.h"
#include "api_batch_int.h"
#include "tctx.h"

#include "api_route.h"
#include "centres/centres.h"
#include "base/crs.h"
#include "base/csv.h"
#include "json_out.h"
#include "coverage/response.h"
#include "road/labels.h"
#include "road/nearest_time.h"
#include "road/snap.h"
#include "strbuf.h"
#include "world.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const by_names[] = {"distance", "time", "response", NULL};

/* Free the batch. Never touches the world: the HTTP layer may have released it already (the
 * request completed before the response was destroyed). */
static void batch_free(void *cls)
{
    struct batch *b = cls;
    if (!b)
        return;
    free(b->inc);
    strbuf_free(&b->text);
    strbuf_free(&b->out);
    free(b->first_m);
    free(b->first_s);
    free(b->load);
    for (size_t i = 0; b->brief && i < b->nbrief; i++)
        free(b->brief[i]);
    free(b->brief);
    free(b);
}

/* ---------------------------------------------------------------- answering ---------------- */

/* Rows are written straight into the output (no jansson tree per row: that was most of the
 * time); numbers as kkc_json_num() would give them, strings escaped, and each centre's brief
 * object serialised once per batch. */

/* {"id","name","kind","lon","lat"} of a centre; a new reference. */
static json_t *kkc_json_centre_brief(const struct centre *c)
{
    return json_pack("{s:s, s:s, s:s, s:o, s:o}", "id", c->id, "name", c->name, "kind",
                     centres_kind_name(c->kind), "lon", kkc_json_num(c->lon, 7), "lat",
                     kkc_json_num(c->lat, 7));
}

/* Append s as a JSON string (NULL as null). */
static void put_str(struct strbuf *o, const char *s)
{
    const char *run;
    if (!s) {
        strbuf_append(o, "null", 4);
        return;
    }
    strbuf_append(o, "\"", 1);
    for (run = s; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        strbuf_append(o, run, (size_t)(s - run));
        if (ch == '"' || ch == '\\')
            strbuf_printf(o, "\\%c", ch);
        else
            strbuf_printf(o, "\\u%04x", ch);
        run = s + 1;
    }
    strbuf_append(o, run, (size_t)(s - run));
    strbuf_append(o, "\"", 1);
}

/* Append x rounded to decimals (1..9) places, trailing zeros dropped but one kept, as
 * kkc_json_num() and jansson print it ("1961.0", "8.69"); null when not finite. */
static void put_num(struct strbuf *o, double x, int decimals)
{
    static const long long pow10[] = {1,      10,      100,      1000,      10000,
                                      100000, 1000000, 10000000, 100000000, 1000000000};
    char digits[32];
    long long t, whole, frac;
    int n;
    if (!isfinite(x) || fabs(x) >= 1e15 / (double)pow10[decimals]) {
        if (isfinite(x))
            strbuf_printf(o, "%.15g", x);
        else
            strbuf_append(o, "null", 4);
        return;
    }
    t = llround(x * (double)pow10[decimals]);
    whole = llabs(t) / pow10[decimals];
    frac = llabs(t) % pow10[decimals];
    n = snprintf(digits, sizeof digits, "%s%lld.%0*lld", t < 0 ? "-" : "", whole, decimals, frac);
    while (n > 2 && digits[n - 1] == '0' && digits[n - 2] != '.')
        n--;
    strbuf_append(o, digits, (size_t)n);
}

/* The brief JSON text of centre i, serialised on first use; NULL when out of memory. */
static const char *brief_text(struct batch *b, uint32_t i)
{
    if (!b->brief[i])
        b->brief[i] = kkc_json_out_take(kkc_json_centre_brief(centres_get(b->w->centres, i)));
    return b->brief[i];
}

/* One result of a row: rank, centre, distance and bearing, and the drive when by time. */
static void put_result(struct batch *b, size_t rank, uint32_t centre, double dist, double bearing,
                       graph_cost cost, const struct response_hit *rh)
{
    const char *brief = brief_text(b, centre);
    strbuf_printf(&b->out, "%s{\"rank\":%zu,\"centre\":", rank > 1 ? "," : "", rank);
    if (brief)
        strbuf_append(&b->out, brief, strlen(brief));
    else
        b->out.failed = 1;
    if (b->by != BY_DISTANCE) {
        strbuf_append(&b->out, ",\"duration_s\":", 14);
        put_num(&b->out, graph_cost_seconds(cost), 1);
        strbuf_append(&b->out, ",\"road_distance_m\":", 19);
        put_num(&b->out, graph_cost_metres(cost), 1);
    }
    strbuf_append(&b->out, ",\"distance_m\":", 14);
    put_num(&b->out, dist, 1);
    strbuf_append(&b->out, ",\"bearing_deg\":", 15);
    put_num(&b->out, bearing, 1);
    if (rh) {
        strbuf_printf(&b->out, ",\"turnout_s\":%u,\"response_s\":", rh->turnout_ms / 1000);
        put_num(&b->out, rh->response_ms / 1000.0, 1);
    }
    strbuf_append(&b->out, "}", 1);
}

/* The error member of a row and its end: the message in the batch's language (Czech when
 * there is a Czech text), message_en in English, as the API's errors. */
static void put_error(struct batch *b, enum kkc_code code, const char *en, const char *cs)
{
    strbuf_printf(&b->out, ",\"error\":{\"code\":\"%s\",\"message\":", kkc_code_name(code));
    put_str(&b->out, b->czech && cs ? cs : en);
    strbuf_append(&b->out, ",\"message_en\":", 14);
    put_str(&b->out, en);
    strbuf_append(&b->out, "}}", 2);
}

/* The results of one usable incident by distance; the first centre into *m and *first. */
static enum kkc_code row_distance(struct batch *b, const struct incident *in, double *m,
                                  long *first, struct kkc_err *err)
{
    struct centres_hit hits[API_BATCH_K_MAX];
    size_t n;
    enum kkc_code rc =
        centres_nearest(b->w->centres, in->lon, in->lat, b->mask, b->closed, b->k, hits, &n, err);
    if (rc)
        return rc;
    strbuf_append(&b->out, ",\"results\":[", 12);
    for (size_t i = 0; i < n; i++)
        put_result(b, i + 1, hits[i].index, hits[i].distance_m, hits[i].bearing_deg, 0, NULL);
    strbuf_append(&b->out, "]", 1);
    if (n)
        *m = hits[0].distance_m, *first = (long)hits[0].index;
    return KKC_OK;
}

/* The results of one incident snapped at `at` by response time (turnout + drive, every centre
 * of the kinds searched, geo/coverage/response.h); the first centre into *m, *s, *first. */
static enum kkc_code row_response(struct batch *b, const struct incident *in,
                                  const struct snap *at, double *m, double *s, long *first,
                                  struct kkc_err *err)
{
    struct response_hit *hits = NULL;
    size_t n = 0;
    if (response_nearest(b->w->graph, b->w->centres, at, b->mask, b->closed, 1, REACH_NO_LIMIT,
                         b->k, b->radius, &hits, &n, err))
        return err->code;
    strbuf_append(&b->out, ",\"results\":[", 12);
    for (size_t i = 0; i < n; i++) {
        const struct centre *c = centres_get(b->w->centres, hits[i].centre);
        double bearing, straight = crs_geodesic(in->lon, in->lat, c->lon, c->lat, &bearing);
        put_result(b, i + 1, hits[i].centre, straight, bearing, hits[i].drive, &hits[i]);
        if (i == 0)
            *m = straight, *s = hits[i].response_ms / 1000.0, *first = (long)hits[i].centre;
    }
    free(hits);
    strbuf_append(&b->out, "],\"snap_distance_m\":", 20);
    put_num(&b->out, at->distance_m, 1);
    return KKC_OK;
}

/* The results of one usable incident by driving time; the first centre into *m, *s, *first. */
static enum kkc_code row_time(struct batch *b, const struct incident *in, double *m, double *s,
                              long *first, struct kkc_err *err)
{
    struct nearest_time_hit hits[API_BATCH_K_MAX];
    struct snap at;
    size_t n;
    if (snap_point(b->w->graph, in->lon, in->lat, b->radius, &at, NULL))
        return kkc_err_set(err, KKC_ENOSEGMENT,
                           "no road network covers this point (nothing "
                           "routable within %.0f m)",
                           b->radius);
    if (b->by == BY_RESPONSE)
        return row_response(b, in, &at, m, s, first, err);
    if (api_nearest_time_hits(b->w, &at, b->mask, b->closed, b->k, hits, &n, err))
        return err->code;
    strbuf_append(&b->out, ",\"results\":[", 12);
    for (size_t i = 0; i < n; i++) {
        const struct centre *c = centres_get(b->w->centres, hits[i].centre);
        double bearing, straight = crs_geodesic(in->lon, in->lat, c->lon, c->lat, &bearing);
        put_result(b, i + 1, hits[i].centre, straight, bearing, hits[i].cost, NULL);
        if (i == 0)
            *m = straight, *s = graph_cost_seconds(hits[i].cost), *first = (long)hits[i].centre;
    }
    strbuf_append(&b->out, "],\"snap_distance_m\":", 20);
    put_num(&b->out, at.distance_m, 1);
    return KKC_OK;
}

/* Answer incident i into b->out (with its separator) and count it for the summary. A row that
 * fails after its head was written is cut back to the head and given its error. */
static void row_write(struct batch *b, size_t i)
{
    const struct incident *in = &b->inc[i];
    struct kkc_err err = {0};
    double m = NAN, s = NAN;
    long first = -1;
    size_t head;
    enum kkc_code rc;

    if (!b->ndjson && i > 0)
        strbuf_append(&b->out, ",", 1);
    strbuf_printf(&b->out, "{\"row\":%zu,\"id\":", i + 1);
    put_str(&b->out, in->id == NO_TEXT ? NULL : b->text.data + in->id);
    head = b->out.len;
    if (in->code) {
        put_error(b, in->code, in->msg == NO_TEXT ? "bad row" : b->text.data + in->msg,
                  in->msg_cs == NO_TEXT ? NULL : b->text.data + in->msg_cs);
    } else {
        strbuf_append(&b->out, ",\"query\":{\"lon\":", 16);
        put_num(&b->out, in->lon, 7);
        strbuf_append(&b->out, ",\"lat\":", 7);
        put_num(&b->out, in->lat, 7);
        strbuf_append(&b->out, "}", 1);
        rc = b->by != BY_DISTANCE ? row_time(b, in, &m, &s, &first, &err)
                              : row_distance(b, in, &m, &first, &err);
        if (rc) {
            b->out.len = head;
            put_error(b, rc, err.msg, err.msg_cs[0] ? err.msg_cs : NULL);
            first = -1;
        } else {
            strbuf_append(&b->out, "}", 1);
            b->answered++;
        }
    }
    if (b->ndjson)
        strbuf_append(&b->out, "\n", 1);
    if (first >= 0) {
        b->first_m[b->firsts] = m;
        b->first_s[b->firsts++] = s;
        b->load[first]++;
    }
}

/* ---------------------------------------------------------------- summary ------------------ */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* {"median","p90","max"} of v[0..n) (sorted here), or null when n is 0. The median of an even
 * count is the mean of the middle two; p90 is the nearest rank: v[ceil(0.9 n) - 1]. */
static json_t *kkc_json_stats(double *v, size_t n)
{
    size_t r90;
    if (!n)
        return json_null();
    qsort(v, n, sizeof *v, cmp_double);
    r90 = (9 * n + 9) / 10; /* ceil(0.9 n) */
    return json_pack("{s:o, s:o, s:o}", "median",
                     kkc_json_num(n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, 1), "p90",
                     kkc_json_num(v[r90 - 1], 1), "max", kkc_json_num(v[n - 1], 1));
}

struct load_item {
    uint32_t centre;
    unsigned long n;
};

static int cmp_load(const void *a, const void *b)
{
    const struct load_item *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return (x->centre > y->centre) - (x->centre < y->centre);
}

/* The centres that are first for at least one incident, most loaded first (ties by id). */
static json_t *kkc_json_load(const struct batch *b)
{
    size_t nc = centres_count(b->w->centres), m = 0;
    struct load_item *items = malloc((nc ? nc : 1) * sizeof *items);
    json_t *a = json_array();
    if (!items)
        return a;
    for (size_t i = 0; i < nc; i++)
        if (b->load[i])
            items[m++] = (struct load_item){(uint32_t)i, b->load[i]};
    qsort(items, m, sizeof *items, cmp_load);
    for (size_t i = 0; i < m; i++)
        json_array_append_new(
            a, json_pack("{s:o, s:I, s:o}", "centre",
                         kkc_json_centre_brief(centres_get(b->w->centres, items[i].centre)),
                         "incidents", (json_int_t)items[i].n, "share",
                         kkc_json_num((double)items[i].n / (double)b->firsts, 4)));
    free(items);
    return a;
}

static void summary_write(struct batch *b)
{
    json_t *s =
        json_pack("{s:s, s:I, s:I, s:I, s:I, s:o}", "by", by_names[b->by],
                  "k", (json_int_t)b->k, "incidents", (json_int_t)b->n, "answered",
                  (json_int_t)b->answered, "failed", (json_int_t)(b->n - b->answered), "distance_m",
                  kkc_json_stats(b->first_m, b->firsts));
    char *text;
    if (b->by != BY_DISTANCE)
        json_object_set_new(s, "duration_s", kkc_json_stats(b->first_s, b->firsts));
    json_object_set_new(s, "load", kkc_json_load(b));
    text = json_dumps(s, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(s);
    strbuf_printf(&b->out, b->ndjson ? "{\"summary\":%s}\n" : "],\"summary\":%s}\n",
                  text ? text : "null");
    free(text);
}

/* ---------------------------------------------------------------- stream ------------------- */

/* Produce the next piece (the head, one row, or the summary) into b->out. */
static void batch_step(struct batch *b)
{
    switch (b->stage) {
    case STAGE_HEAD:
        if (!b->ndjson)
            strbuf_printf(&b->out, "{\"by\":\"%s\",\"k\":%zu,\"results\":[",
                          by_names[b->by], b->k);
        b->stage = STAGE_ROWS;
        break;
    case STAGE_ROWS:
        if (b->next < b->n)
            row_write(b, b->next++);
        else
            b->stage = STAGE_SUMMARY;
        break;
    case STAGE_SUMMARY:
        summary_write(b);
        b->stage = STAGE_DONE;
        break;
    case STAGE_DONE:
        break;
    }
}

static long batch_read(void *cls, char *buf, size_t max)
{
    struct batch *b = cls;
    size_t n;
    while (b->out.len < max && b->stage != STAGE_DONE && !b->out.failed)
        batch_step(b);
    if (b->out.failed)
        return -1;
    n = b->out.len < max ? b->out.len : max;
    memcpy(buf, b->out.data, n);
    strbuf_consume(&b->out, n);
    return (long)n;
}

/* ---------------------------------------------------------------- handler ------------------ */

enum body_kind { BODY_CSV, BODY_GEOJSON };

/* The body's format from its Content-Type, or sniffed when there is none that says. */
static enum kkc_code body_kind(const struct api_req *r, enum body_kind *kind, struct kkc_err *err)
{
    const char *ct = r->content_type;
    size_t n = ct ? strcspn(ct, "; \t") : 0;
    size_t i = batch_skip_ws(r->body ? r->body : "", r->body_len, 0);

    if (n == 8 && strncasecmp(ct, "text/csv", n) == 0)
        *kind = BODY_CSV;
    else if ((n == 20 && strncasecmp(ct, "application/geo+json", n) == 0) ||
             (n == 16 && strncasecmp(ct, "application/json", n) == 0))
        *kind = BODY_GEOJSON;
    else if (!n || (n == 33 && strncasecmp(ct, "application/x-www-form-urlencoded", n) == 0) ||
             (n == 10 && strncasecmp(ct, "text/plain", n) == 0) ||
             (n == 24 && strncasecmp(ct, "application/octet-stream", n) == 0))
        *kind = i < r->body_len && r->body[i] == '{' ? BODY_GEOJSON : BODY_CSV;
    else
        return kkc_err_set(err, KKC_EINVAL,
                           "Content-Type must be text/csv, application/geo+json or "
                           "application/json, not '%.60s'",
                           ct);
    return KKC_OK;
}

/* The query parameters into b; *crs is the crs parameter (NULL when not given). */
static enum kkc_code batch_params(const struct api_req *r, struct batch *b, const char **crs,
                                  struct kkc_err *err)
{
    static const char *const *bys = by_names;
    static const char *const formats[] = {"json", "ndjson", NULL};
    long k = 3;
    enum kkc_code rc = params_long(r->q, "k", 0, 1, API_BATCH_K_MAX, &k, err);

    b->by = BY_DISTANCE;
    b->radius = SNAP_RADIUS_DEFAULT_M;
    b->ndjson = r->accept && strstr(r->accept, "application/x-ndjson") != NULL;
    enum api_lang lang = API_LANG_CS;
    api_lang_of(r, &lang, NULL); /* checked by api_dispatch() already */
    b->czech = lang == API_LANG_CS;
    if (!rc)
        rc = api_param_kinds(r->q, &b->mask, err);
    if (!rc)
        rc = params_choice(r->q, "by", bys, &b->by, err);
    if (!rc)
        rc = params_bool(r->q, "include_closed", &b->closed, err);
    if (!rc)
        rc = params_double(r->q, "radius", 0, 1, SNAP_RADIUS_MAX_M, &b->radius, err);
    if (!rc)
        rc = params_choice(r->q, "format", formats, &b->ndjson, err);
    *crs = params_str(r->q, "crs");
    if (!rc)
        rc = params_finish(r->q, err);
    b->k = (size_t)k;
    if (!rc && b->by != BY_DISTANCE && !r->w->graph)
        rc = kkc_err_set(err, KKC_ENOSEGMENT,
                         "no road network is loaded, so by=time cannot be "
                         "answered; use by=distance");
    return rc;
}

/* Whether crs names a coordinate system PROJ can transform to WGS84 (err set when not): the
 * lookup comes before the coordinates are looked at, so NaN tells the two failures apart. */
static enum kkc_code check_crs(struct crs_ctx *cx, const char *crs, struct kkc_err *err)
{
    struct kkc_err probe = {0};
    double lon, lat;
    crs_to_wgs84(cx, crs, NAN, NAN, &lon, &lat, &probe);
    if (strncmp(probe.msg, "coordinates must be", 19) == 0)
        return KKC_OK;
    return kkc_err_set(err, KKC_EINVAL, "%s", probe.msg);
}

/* Allocate the per-row summary arrays once the number of rows is known. */
static enum kkc_code batch_ready(struct batch *b, struct kkc_err *err)
{
    size_t nc = centres_count(b->w->centres);
    b->first_m = malloc((b->n ? b->n : 1) * sizeof *b->first_m);
    b->first_s = malloc((b->n ? b->n : 1) * sizeof *b->first_s);
    b->load = calloc(nc ? nc : 1, sizeof *b->load);
    b->brief = calloc(nc ? nc : 1, sizeof *b->brief);
    b->nbrief = b->brief ? nc : 0;
    if (!b->first_m || !b->first_s || !b->load || !b->brief)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory");
    return KKC_OK;
}

/* The cost budget of one batch: rows that each need a whole graph search (by=response; by=time
 * with include_closed, or with k past what the precomputed labels hold) are at most
 * API_BATCH_SEARCH_MAX, so that one request cannot take minutes of CPU. */
static enum kkc_code batch_budget(const struct batch *b, struct kkc_err *err)
{
    const struct labels *l = b->w->labels[1]; /* one kind's: every kind holds the same k */
    /* while a change's labels are being rebuilt (world.h labels_stale) rows search, briefly,
     * but a batch the labels would answer is not refused for it */
    int search = b->by == BY_RESPONSE ||
                 (b->by == BY_TIME && !b->w->labels_stale &&
                  !api_nearest_time_by_labels(b->w, b->mask, b->closed, b->k));
    if (!search || b->n <= API_BATCH_SEARCH_MAX)
        return KKC_OK;
    if (b->by == BY_RESPONSE)
        return kkc_err_set(err, KKC_ETOOBIG, "by=response searches the road network for every "
                           "row: at most %d rows per request, this batch has %zu; split it",
                           API_BATCH_SEARCH_MAX, b->n);
    return kkc_err_set(err, KKC_ETOOBIG, "by=time with %s searches the road network for every "
                       "row: at most %d such rows per request, this batch has %zu; split it or "
                       "use k <= %u without include_closed", b->closed ? "include_closed" :
                       "this k", API_BATCH_SEARCH_MAX, b->n, l ? labels_k(l) : 0);
}

void api_batch_nearest(const struct api_req *r, struct api_res *res)
{
    struct kkc_err err = {0};
    struct batch *b = calloc(1, sizeof *b);
    const char *crs = NULL;
    enum body_kind kind = BODY_CSV;
    enum kkc_code rc = b ? KKC_OK : kkc_err_set(&err, KKC_ENOMEM, "out of memory");

    if (!rc) {
        b->w = r->w;
        strbuf_init(&b->text, TEXT_CAP);
        strbuf_init(&b->out, OUT_CAP);
        rc = batch_params(r, b, &crs, &err);
    }
    if (!rc)
        rc = body_kind(r, &kind, &err);
    if (!rc && (!r->body || batch_skip_ws(r->body, r->body_len, 0) == r->body_len))
        rc = kkc_err_set(&err, KKC_EINVAL,
                         "the body is empty: send CSV (id,lon,lat) or a "
                         "GeoJSON FeatureCollection of Points");
    if (!rc && crs)
        rc = check_crs(r->t->crs, crs, &err);
    if (!rc && kind == BODY_CSV)
        rc =
            batch_parse_csv(b, r->body, r->body_len, r->t->crs, crs ? crs : CRS_SJTSK, crs != NULL, &err);
    else if (!rc)
        rc = batch_parse_geojson(b, r->body, r->body_len, r->t->crs, crs, &err);
    if (!rc && r->srv) /* an HTTP limit: the command line answers any batch */
        rc = batch_budget(b, &err);
    if (!rc)
        rc = batch_ready(b, &err);
    if (rc) {
        batch_free(b);
        api_error_e(res, rc, &err);
        return;
    }
    res->status = 200;
    res->content_type = b->ndjson ? "application/x-ndjson" : "application/json; charset=utf-8";
    res->stream.read = batch_read;
    res->stream.free = batch_free;
    res->stream.cls = b;
}
