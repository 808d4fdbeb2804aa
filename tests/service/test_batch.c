/* tests/service/test_batch.c -- POST /v1/nearest batches (service/api_batch.c) and kkc nearest --batch.
 *
 * A real daemon (http_start on port 0, in this process) on the Heidelberg world, called with
 * libcurl. Oracles the batch did not produce: GET /v1/nearest for every incident (the same
 * centres, distances and driving times), a brute-force scan of every centre with the geodesic
 * for the first centre by distance, and the summary recomputed here from those per-incident
 * answers (median, nearest-rank p90, max, load per centre). */
#include "api_batch.h"
#include "centres/centres.h"
#include "base/crs.h"
#include "http.h"
#include "httputil.h"
#include "testutil.h"
#include "world.h"

#include <check.h>
#include <curl/curl.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HD_LON0 8.62 /* random incidents fall in Heidelberg */
#define HD_LON1 8.74
#define HD_LAT0 49.38
#define HD_LAT1 49.43

/* ---- fixtures: the default world and a daemon per test are httputil's hu_fx_* ------------- */

/* ---- HTTP -------------------------------------------------------------------------------- */

struct buf {
    char *p;
    size_t len, alloc;
};

/* Append to the answer, growing by doubling: a batch answer is tens of MB, and a reader slower
 * than the server's idle timeout (10 s) would have the connection closed. */
static size_t on_data(char *data, size_t size, size_t n, void *ud)
{
    struct buf *b = ud;
    if (b->len + size * n + 1 > b->alloc) {
        size_t want = b->alloc ? b->alloc : 65536;
        while (want < b->len + size * n + 1)
            want *= 2;
        char *grown = realloc(b->p, want);
        if (!grown)
            return 0;
        b->p = grown, b->alloc = want;
    }
    memcpy(b->p + b->len, data, size * n);
    b->len += size * n;
    b->p[b->len] = '\0';
    return size * n;
}

/* POST body (len bytes, Content-Type type or none) to path; *status and *ctype (static copy)
 * set; the body returned (caller frees). */
static char *post(const char *path, const char *type, const char *body, size_t len, long *status,
                  char ctype[64])
{
    char hdr[96], *out;
    const char *headers[] = {hdr, NULL};
    struct hu_req rq = {.method = "POST", .target = path, .body = body, .body_len = len,
                        .headers = headers, .timeout_s = 240, .dot_segments = 1};
    struct hu_resp r;
    int rc;

    snprintf(hdr, sizeof hdr, "Content-Type:%s%s", type ? " " : "", type ? type : "");
    rc = hu_perform(NULL, hu_fx_port, &rq, &r);
    ck_assert_msg(rc == 0, "POST %s failed: %s", path, curl_easy_strerror((CURLcode)rc));
    *status = r.status;
    if (!hu_header(&r, "Content-Type", ctype, 64))
        ctype[0] = '\0';
    out = r.body, r.body = NULL;
    hu_resp_free(&r);
    return out;
}

/* GET path that must answer 200; the JSON body (caller decrefs). */
static json_t *get_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *get_ok(const char *fmt, ...)
{
    char *path = NULL;
    struct hu_req rq = {.dot_segments = 1};
    struct hu_resp r;
    va_list ap;
    json_t *v;

    va_start(ap, fmt);
    ck_assert_int_ge(vasprintf(&path, fmt, ap), 0);
    va_end(ap);
    rq.target = path;
    ck_assert_msg(hu_perform(NULL, hu_fx_port, &rq, &r) == 0, "GET %s failed", path);
    ck_assert_msg(r.status == 200, "GET %s: %ld %s", path, r.status, r.body);
    v = json_loads(r.body, 0, NULL);
    ck_assert_ptr_nonnull(v);
    hu_resp_free(&r);
    free(path);
    return v;
}

/* ---- incidents --------------------------------------------------------------------------- */

struct inc {
    char id[32];
    double lon, lat;
    int bad; /* 1: a row that must come back as an error */
};

/* n incidents in Heidelberg; every 7th has an error of its own (bad number, out of range). */
static struct inc *make_incidents(size_t n, unsigned long long seed)
{
    struct inc *v = calloc(n, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        snprintf(v[i].id, sizeof v[i].id, "inc-%zu", i);
        /* 7 decimals, so that the batch and GET /v1/nearest see the same doubles */
        v[i].lon = round((HD_LON0 + tu_rand(&seed) * (HD_LON1 - HD_LON0)) * 1e7) / 1e7;
        v[i].lat = round((HD_LAT0 + tu_rand(&seed) * (HD_LAT1 - HD_LAT0)) * 1e7) / 1e7;
        v[i].bad = i % 7 == 3;
    }
    return v;
}

static char *incidents_csv(const struct inc *v, size_t n)
{
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);
    fprintf(f, "id,lon,lat\r\n");
    for (size_t i = 0; i < n; i++) {
        if (v[i].bad)
            fprintf(f, "%s,%s,%.7f\r\n", v[i].id, i % 2 ? "east" : "200", v[i].lat);
        else
            fprintf(f, "\"%s\",%.7f,%.7f\r\n", v[i].id, v[i].lon, v[i].lat);
    }
    fclose(f);
    return s;
}

static char *incidents_geojson(const struct inc *v, size_t n)
{
    json_t *fc = json_pack("{s:s, s:[]}", "type", "FeatureCollection", "features");
    json_t *feats = json_object_get(fc, "features");
    for (size_t i = 0; i < n; i++) {
        json_t *g = v[i].bad ? json_pack("{s:s, s:[[f,f],[f,f]]}", "type", "LineString",
                                         "coordinates", v[i].lon, v[i].lat, v[i].lon, v[i].lat)
                             : json_pack("{s:s, s:[f,f]}", "type", "Point", "coordinates", v[i].lon,
                                         v[i].lat);
        json_array_append_new(feats, json_pack("{s:s, s:o, s:{s:s}}", "type", "Feature", "geometry",
                                               g, "properties", "id", v[i].id));
    }
    /* members in an unusual order, with one the batch must skip */
    json_object_set_new(fc, "name", json_pack("{s:[i,i]}", "nested", 1, 2));
    char *s = json_dumps(fc, JSON_COMPACT | JSON_REAL_PRECISION(17));
    json_decref(fc);
    return s;
}

/* A batch answer: the incidents sent, the body (NUL-terminated), its status and content type. */
struct batch_ans {
    struct inc *v;
    char *body;
    long status;
    char ctype[64];
};

/* n incidents drawn from seed, POSTed to target as CSV (geojson 0) or as GeoJSON: the answer,
 * which must be 200. */
static void post_incidents(struct batch_ans *a, const char *target, size_t n,
                           unsigned long long seed, int geojson)
{
    a->v = make_incidents(n, seed);
    char *in = geojson ? incidents_geojson(a->v, n) : incidents_csv(a->v, n);
    a->body = post(target, geojson ? "application/geo+json" : "text/csv", in, strlen(in),
                   &a->status, a->ctype);
    free(in);
    ck_assert_msg(a->status == 200, "%s: %ld %.200s", target, a->status, a->body);
}

/* The answer's one JSON document (caller decrefs), whose "by" must be by. */
static json_t *answer_doc(const struct batch_ans *a, const char *by)
{
    json_t *doc = json_loads(a->body, 0, NULL);
    ck_assert_msg(doc != NULL, "not one JSON document: %.200s", a->body);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "by")), by);
    return doc;
}

static void batch_ans_free(struct batch_ans *a)
{
    free(a->body);
    free(a->v);
}

/* ---- the oracle -------------------------------------------------------------------------- */

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median (mean of the middle two), nearest-rank p90 and max of v, checked against a summary
 * object within tol (the batch rounds after, the oracle before, taking 0.1-rounded inputs). */
static void check_stats(json_t *st, double *v, size_t n, double tol, const char *what)
{
    size_t r90 = (size_t)ceil(0.9 * (double)n);
    qsort(v, n, sizeof *v, cmp_d);
    double med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    ck_assert_msg(fabs(json_number_value(json_object_get(st, "median")) - med) <= tol,
                  "%s median %f vs %f", what, json_number_value(json_object_get(st, "median")),
                  med);
    ck_assert_msg(fabs(json_number_value(json_object_get(st, "p90")) - v[r90 - 1]) <= tol,
                  "%s p90 %f vs %f", what, json_number_value(json_object_get(st, "p90")),
                  v[r90 - 1]);
    ck_assert_msg(fabs(json_number_value(json_object_get(st, "max")) - v[n - 1]) <= tol, "%s max",
                  what);
}

/* The first centre by distance from a scan of every active centre (ties by index). */
static long brute_first(const struct centres *cs, double lon, double lat, double *best_m)
{
    long best = -1;
    *best_m = INFINITY;
    for (size_t i = 0; i < centres_count(cs); i++) {
        const struct centre *c = centres_get(cs, i);
        double d = crs_geodesic(lon, lat, c->lon, c->lat, NULL);
        if (c->active && d < *best_m)
            *best_m = d, best = (long)i;
    }
    return best;
}

/* Check a whole batch answer (parsed rows, summary) against GET /v1/nearest per incident. */
static void check_batch(const struct inc *v, size_t n, json_t *rows, json_t *summary, int k,
                        int by_time)
{
    struct world *w = world_get(&hu_fx_world);
    double *first_m = calloc(n, sizeof *first_m), *first_s = calloc(n, sizeof *first_s);
    long *load = calloc(centres_count(w->centres), sizeof *load);
    size_t firsts = 0, answered = 0;

    ck_assert_uint_eq(json_array_size(rows), n);
    for (size_t i = 0; i < n; i++) {
        json_t *row = json_array_get(rows, i), *res = json_object_get(row, "results");
        ck_assert_int_eq(json_integer_value(json_object_get(row, "row")), (json_int_t)i + 1);
        ck_assert_str_eq(json_string_value(json_object_get(row, "id")), v[i].id);
        if (v[i].bad) {
            json_t *e = json_object_get(row, "error");
            ck_assert_msg(e != NULL, "row %zu should be an error", i);
            ck_assert_str_eq(json_string_value(json_object_get(e, "code")), "InvalidQuery");
            ck_assert_ptr_nonnull(json_string_value(json_object_get(e, "message")));
            continue;
        }
        answered++;
        json_t *g = get_ok("/v1/nearest?lon=%.7f&lat=%.7f&k=%d%s", v[i].lon, v[i].lat, k,
                           by_time ? "&by=time" : "");
        json_t *want = json_object_get(g, "results");
        ck_assert_uint_eq(json_array_size(res), json_array_size(want));
        for (size_t j = 0; j < json_array_size(want); j++) {
            json_t *a = json_array_get(res, j), *b = json_array_get(want, j);
            static const char *const figures[] = {"distance_m", "bearing_deg", "duration_s",
                                                  "road_distance_m"};
            ck_assert_str_eq(
                json_string_value(json_object_get(json_object_get(a, "centre"), "id")),
                json_string_value(json_object_get(json_object_get(b, "centre"), "id")));
            for (size_t f = 0; f < (by_time ? 4u : 2u); f++)
                ck_assert_msg(
                    json_equal(json_object_get(a, figures[f]), json_object_get(b, figures[f])),
                    "row %zu rank %zu %s differs", i, j + 1, figures[f]);
        }
        if (json_array_size(want)) {
            json_t *b = json_array_get(want, 0);
            first_m[firsts] = json_number_value(json_object_get(b, "distance_m"));
            first_s[firsts++] = json_number_value(json_object_get(b, "duration_s"));
            load[centres_find(w->centres, json_string_value(json_object_get(
                                              json_object_get(b, "centre"), "id")))]++;
        }
        if (!by_time && json_array_size(want)) {
            double m;
            long c = brute_first(w->centres, v[i].lon, v[i].lat, &m);
            ck_assert_str_eq(centres_get(w->centres, (size_t)c)->id,
                             json_string_value(json_object_get(
                                 json_object_get(json_array_get(res, 0), "centre"), "id")));
            ck_assert_double_eq_tol(first_m[firsts - 1], m, 0.1); /* rounded to 0.1 m */
        }
        json_decref(g);
    }
    ck_assert_int_eq(json_integer_value(json_object_get(summary, "incidents")), (json_int_t)n);
    ck_assert_int_eq(json_integer_value(json_object_get(summary, "answered")),
                     (json_int_t)answered);
    ck_assert_int_eq(json_integer_value(json_object_get(summary, "failed")),
                     (json_int_t)(n - answered));
    ck_assert_int_eq(json_integer_value(json_object_get(summary, "k")), k);
    check_stats(json_object_get(summary, "distance_m"), first_m, firsts, 0.051, "distance");
    if (by_time)
        check_stats(json_object_get(summary, "duration_s"), first_s, firsts, 0.051, "duration");
    else
        ck_assert_ptr_null(json_object_get(summary, "duration_s"));
    /* the load: every centre with incidents, most first, counts as recomputed */
    json_t *ld = json_object_get(summary, "load"), *it;
    size_t i, listed = 0;
    long prev = -1;
    json_array_foreach(ld, i, it)
    {
        long ci = centres_find(
            w->centres, json_string_value(json_object_get(json_object_get(it, "centre"), "id")));
        long cnt = (long)json_integer_value(json_object_get(it, "incidents"));
        ck_assert_int_ge(ci, 0);
        ck_assert_int_eq(cnt, load[ci]);
        ck_assert(prev < 0 || cnt <= prev);
        ck_assert_double_eq_tol(json_number_value(json_object_get(it, "share")),
                                (double)cnt / (double)firsts, 0.00006);
        prev = cnt;
        listed++;
    }
    for (size_t c = 0; c < centres_count(w->centres); c++)
        listed -= load[c] > 0;
    ck_assert_uint_eq(listed, 0);
    free(first_m);
    free(first_s);
    free(load);
    world_put(&hu_fx_world, w);
}

/* ---- tests ------------------------------------------------------------------------------- */

START_TEST(test_csv_by_distance)
{
    size_t n = 150;
    struct batch_ans a;
    post_incidents(&a, "/v1/nearest?k=3", n, 11, 0);
    ck_assert_msg(strncmp(a.ctype, "application/json", 16) == 0, "%s", a.ctype);
    json_t *doc = answer_doc(&a, "distance");
    check_batch(a.v, n, json_object_get(doc, "results"), json_object_get(doc, "summary"), 3, 0);
    json_decref(doc);
    batch_ans_free(&a);
}
END_TEST

/* by=response: every answered row's centres, response and drive times equal GET /v1/nearest
 * by=response for the same point (which test_response checks against route_cost + turnout). */
START_TEST(test_csv_by_response)
{
    size_t n = 40;
    struct batch_ans a;
    post_incidents(&a, "/v1/nearest?k=2&by=response", n, 29, 0);
    json_t *doc = answer_doc(&a, "response"), *rows = json_object_get(doc, "results");
    ck_assert_uint_eq(json_array_size(rows), n);
    for (size_t i = 0; i < n; i++) {
        json_t *res = json_object_get(json_array_get(rows, i), "results");
        if (a.v[i].bad || !res)
            continue;
        json_t *g =
            get_ok("/v1/nearest?lon=%.7f&lat=%.7f&k=2&by=response", a.v[i].lon, a.v[i].lat);
        json_t *want = json_object_get(g, "results");
        ck_assert_uint_eq(json_array_size(res), json_array_size(want));
        for (size_t j = 0; j < json_array_size(want); j++) {
            json_t *x = json_array_get(res, j), *y = json_array_get(want, j);
            ck_assert_str_eq(
                json_string_value(json_object_get(json_object_get(x, "centre"), "id")),
                json_string_value(json_object_get(json_object_get(y, "centre"), "id")));
            ck_assert(
                json_equal(json_object_get(x, "response_s"), json_object_get(y, "response_s")));
            ck_assert(
                json_equal(json_object_get(x, "duration_s"), json_object_get(y, "duration_s")));
        }
        json_decref(g);
    }
    json_decref(doc);
    batch_ans_free(&a);
}
END_TEST

START_TEST(test_geojson_by_time)
{
    size_t n = 120;
    struct batch_ans a;
    post_incidents(&a, "/v1/nearest?k=2&by=time&format=ndjson", n, 23, 1);
    json_t *rows = json_array(), *summary = NULL;
    size_t lines = 0;

    ck_assert_str_eq(a.ctype, "application/x-ndjson");
    for (char *line = a.body, *nl; (nl = strchr(line, '\n')); line = nl + 1, lines++) {
        json_t *o = json_loadb(line, (size_t)(nl - line), 0, NULL);
        ck_assert_msg(o != NULL, "line %zu is not JSON", lines);
        if (json_object_get(o, "summary")) {
            summary = json_incref(json_object_get(o, "summary"));
            json_decref(o);
        } else {
            ck_assert_ptr_null(summary); /* the summary comes last */
            json_array_append_new(rows, o);
        }
    }
    ck_assert_uint_eq(lines, n + 1);
    ck_assert_ptr_nonnull(summary);
    for (size_t i = 0; i < n; i++)
        if (!a.v[i].bad)
            ck_assert_ptr_nonnull(json_object_get(json_array_get(rows, i), "snap_distance_m"));
    check_batch(a.v, n, rows, summary, 2, 1);
    json_decref(rows);
    json_decref(summary);
    batch_ans_free(&a);
}
END_TEST

/* A point far from Heidelberg's roads is a NoSegment row by time, an answer by distance. */
START_TEST(test_row_errors)
{
    static const char csv[] = "lat,lon,id\n49.41,8.69,near\n50.2,15.8,far\n\n49.4,8.7\n"
                              "49.4,8.7,\"unterminated\n";
    char ctype[64];
    long status;
    char *body = post("/v1/nearest?by=time&k=1", "text/csv", csv, strlen(csv), &status, ctype);
    json_t *doc = json_loads(body, 0, NULL), *rows = json_object_get(doc, "results");

    ck_assert_int_eq(status, 200);
    ck_assert_uint_eq(json_array_size(rows), 4); /* the blank line is no row */
    ck_assert_ptr_nonnull(json_object_get(json_array_get(rows, 0), "results"));
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_object_get(json_array_get(rows, 1), "error"), "code")),
                     "NoSegment");
    ck_assert(json_is_null(json_object_get(json_array_get(rows, 2), "id"))); /* no id field */
    ck_assert_ptr_nonnull(json_object_get(json_array_get(rows, 2), "results"));
    ck_assert_str_eq(json_string_value(json_object_get(
                         json_object_get(json_array_get(rows, 3), "error"), "code")),
                     "InvalidQuery");
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(doc, "summary"), "failed")),
                     2);
    json_decref(doc);
    free(body);
    body = post("/v1/nearest?k=1", "text/csv", csv, strlen(csv), &status, ctype);
    doc = json_loads(body, 0, NULL);
    rows = json_object_get(doc, "results");
    ck_assert_ptr_nonnull(json_object_get(json_array_get(rows, 1), "results"));
    json_decref(doc);
    free(body);
}
END_TEST

/* Ids come back exactly, whatever their characters; NDJSON lines stay one per row. */
START_TEST(test_ids_escaped)
{
    static const char csv[] = "id,lon,lat\n\"say \"\"hi\"\"\",8.69,49.41\n"
                              "back\\slash\t/tab,8.69,49.41\n\"two\nlines\",8.69,49.41\n"
                              "Hradec Králové ✓,8.69,49.41\n";
    static const char *const want[] = {"say \"hi\"", "back\\slash\t/tab", "two\nlines",
                                       "Hradec Králové ✓"};
    char ctype[64];
    long status;
    char *body =
        post("/v1/nearest?k=1&format=ndjson", "text/csv", csv, strlen(csv), &status, ctype);
    size_t n = 0;
    ck_assert_int_eq(status, 200);
    for (char *line = body, *nl; (nl = strchr(line, '\n')) && n < 4; line = nl + 1, n++) {
        json_t *row = json_loadb(line, (size_t)(nl - line), 0, NULL);
        ck_assert_msg(row != NULL, "line %zu is not JSON", n);
        ck_assert_str_eq(json_string_value(json_object_get(row, "id")), want[n]);
        json_decref(row);
    }
    ck_assert_uint_eq(n, 4);
    free(body);
}
END_TEST

/* An id over ID_MAX (256) bytes is cut before a character, not inside it: 255 'a' then "é"
 * (bytes 256-257) keeps the 255 'a'; the streamed answer stays JSON. */
START_TEST(test_id_cut_utf8)
{
    char csv[400], want[256], ctype[64];
    long status;
    memset(want, 'a', 255);
    want[255] = '\0';
    snprintf(csv, sizeof csv, "id,lon,lat\n%s\xc3\xa9xyz,8.69,49.41\n", want);
    char *body = post("/v1/nearest?k=1&format=ndjson", "text/csv", csv, strlen(csv), &status,
                      ctype);
    json_t *row = json_loadb(body, strcspn(body, "\n"), 0, NULL);
    ck_assert_int_eq(status, 200);
    ck_assert_msg(row != NULL, "the first line is not JSON: %.300s", body);
    ck_assert_str_eq(json_string_value(json_object_get(row, "id")), want);
    json_decref(row);
    free(body);
}
END_TEST

/* A NUL byte or bytes that are not UTF-8 anywhere in a CSV body: 400 naming the line (counted
 * here by hand), never a field cut short nor raw bytes in the answer. */
static const struct {
    const char *body;
    size_t len;
    const char *line;
} bad_text[] = {
    {"id,lon,lat\na,8.69,49.41\nb\0junk,8.69,49.41\n", 42, "line 3, character 2: a NUL"},
    {"id,lon,lat\nPlze\xf2,8.69,49.41\n", 28, "line 2, character 5: not UTF-8"},
    {"id,lon,lat\na,8.69,49.41\n\xc3\xa9\xc3,8.69,49.41\n", 39, "line 3, character 2: not UTF-8"},
    {"id,lon,lat\n\xed\xa0\x80,8.69,49.41\n", 26, "line 2, character 1: not UTF-8"},
    {"id,lon,lat\n\xc0\xaf,8.69,49.41\n", 25, "line 2, character 1: not UTF-8"},
};

START_TEST(test_text_errors)
{
    char ctype[64];
    long status;
    char *body = post("/v1/nearest", "text/csv", bad_text[_i].body, bad_text[_i].len, &status,
                      ctype);
    json_t *v = json_loads(body, 0, NULL);
    const char *msg = json_string_value(json_object_get(v, "message_en")); /* the English */
    ck_assert_msg(status == 400, "case %d: %ld %s", _i, status, body);
    ck_assert_str_eq(json_string_value(json_object_get(v, "code")), "InvalidQuery");
    ck_assert_msg(msg && strstr(msg, bad_text[_i].line), "case %d: %s", _i, body);
    json_decref(v);
    free(body);
}
END_TEST

/* The cost budget: past API_BATCH_SEARCH_MAX rows that each need a whole graph search
 * (by=time with k over the labels' 10 or include_closed, by=response) the answer is 413 at once;
 * the same rows by=time with k=3 (answered from the labels) are served. */
START_TEST(test_search_budget)
{
    static const char *const over[] = {"/v1/nearest?by=time&k=11", "/v1/nearest?by=response&k=1",
                                       "/v1/nearest?by=time&k=3&include_closed=true"};
    size_t n = API_BATCH_SEARCH_MAX + 1;
    struct inc *v = make_incidents(n, 5);
    char *csv = incidents_csv(v, n), ctype[64], *body;
    long status;
    for (size_t i = 0; i < 3; i++) {
        body = post(over[i], "text/csv", csv, strlen(csv), &status, ctype);
        ck_assert_msg(status == 413, "%s: %ld %.200s", over[i], status, body);
        ck_assert_msg(strstr(body, "at most 5000") && strstr(body, "5001"), "%s", body);
        free(body);
    }
    body = post("/v1/nearest?by=time&k=3&format=ndjson", "text/csv", csv, strlen(csv), &status,
                ctype);
    ck_assert_int_eq(status, 200);
    ck_assert_ptr_nonnull(strstr(body, "\"incidents\":5001"));
    free(body);
    free(csv);
    free(v);
}
END_TEST

/* x,y in a crs: the same answer as GET /v1/nearest with the same x,y,crs. */
START_TEST(test_crs_rows)
{
    static const char csv[] = "id,x,y\na,-740000,-1050000\nb,-1162623.19,-1045177.58\n";
    char ctype[64];
    long status;
    char *body = post("/v1/nearest?crs=EPSG:5514&k=2", NULL, csv, strlen(csv), &status, ctype);
    json_t *doc = json_loads(body, 0, NULL), *rows = json_object_get(doc, "results");
    json_t *g = get_ok("/v1/nearest?x=-740000&y=-1050000&crs=EPSG:5514&k=2");

    ck_assert_int_eq(status, 200);
    for (size_t j = 0; j < 2; j++)
        ck_assert(json_equal(
            json_object_get(json_array_get(json_object_get(g, "results"), j), "distance_m"),
            json_object_get(json_array_get(json_object_get(json_array_get(rows, 0), "results"), j),
                            "distance_m")));
    ck_assert_double_eq_tol(json_number_value(json_object_get(
                                json_object_get(json_array_get(rows, 1), "query"), "lon")),
                            8.69, 1e-6);
    json_decref(g);
    json_decref(doc);
    free(body);
}
END_TEST

/* Whole-batch errors: status and code before anything is streamed. */
static const struct {
    const char *path, *type, *body;
    long status;
    const char *code;
} whole[] = {
    {"/v1/nearest", "image/png", "id,lon,lat\n", 400, "InvalidQuery"},
    {"/v1/nearest", "text/csv", "", 400, "InvalidQuery"},
    {"/v1/nearest", "text/csv", "name,where\nx,y\n", 400, "InvalidQuery"},
    {"/v1/nearest?crs=EPSG:5514", "text/csv", "id,lon,lat\na,8,49\n", 400, "InvalidQuery"},
    {"/v1/nearest?crs=EPSG:123456789", "text/csv", "id,x,y\na,1,2\n", 400, "InvalidQuery"},
    {"/v1/nearest", "application/json", "[{\"type\":\"Feature\"}]", 400, "InvalidQuery"},
    {"/v1/nearest", "application/json", "{\"type\":\"Feature\",\"features\":[]}", 400,
     "InvalidQuery"},
    {"/v1/nearest", "application/json", "{\"type\":\"FeatureCollection\",\"features\":[1,}", 400,
     "InvalidQuery"},
    {"/v1/nearest", "application/json", "{\"type\":\"FeatureCollection\",\"features\":[]} x", 400,
     "InvalidQuery"},
    {"/v1/nearest?k=51", "text/csv", "id,lon,lat\n", 400, "InvalidQuery"},
    {"/v1/nearest?lon=8", "text/csv", "id,lon,lat\n", 400, "InvalidQuery"},
    {"/v1/nearest?format=xml", "text/csv", "id,lon,lat\n", 400, "InvalidQuery"},
};

START_TEST(test_whole_errors)
{
    char ctype[64];
    long status;
    char *body = post(whole[_i].path, whole[_i].type, whole[_i].body, strlen(whole[_i].body),
                      &status, ctype);
    json_t *v = json_loads(body, 0, NULL);
    ck_assert_msg(status == whole[_i].status, "case %d: %ld %s", _i, status, body);
    ck_assert_str_eq(json_string_value(json_object_get(v, "code")), whole[_i].code);
    json_decref(v);
    free(body);
}
END_TEST

/* A reload while a batch streams: the stream keeps the world it started on (the HTTP layer holds
 * a reference until the request completes), so every row is answered and nothing is freed early
 * (ASan would see it); the next request gets the new world. */
struct swap_reader {
    struct buf b;
    struct world *next; /* installed at the first chunk */
};

static size_t swap_on_data(char *data, size_t size, size_t n, void *ud)
{
    struct swap_reader *sr = ud;
    if (sr->next) {
        world_swap(&hu_fx_world, sr->next);
        sr->next = NULL;
    }
    return on_data(data, size, n, &sr->b);
}

START_TEST(test_reload_mid_stream)
{
    size_t n = 20000, lines = 0;
    struct inc *v = make_incidents(n, 77);
    char *csv = incidents_csv(v, n), *url = NULL;
    struct swap_reader sr = {{NULL, 0, 0}, NULL};
    struct kkc_err err = {0};
    struct world *before = world_get(&hu_fx_world), *after;
    CURL *c = curl_easy_init();
    long status = 0;

    world_put(&hu_fx_world, before); /* only the pointer is kept: the stream's is the last ref */
    ck_assert_msg(world_load(tu_db(), &sr.next, &err) == KKC_OK, "%s", err.msg);
    ck_assert_int_ge(asprintf(&url, "http://127.0.0.1:%d/v1/nearest?by=time&format=ndjson",
                              hu_fx_port),
                     0);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, csv);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, swap_on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sr);
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 4096L); /* many chunks: the swap comes early */
    ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    ck_assert_int_eq(status, 200);
    ck_assert_ptr_null(sr.next); /* swapped while streaming */
    for (char *p = sr.b.p; (p = strchr(p, '\n')); p++)
        lines++;
    ck_assert_uint_eq(lines, n + 1);
    ck_assert_ptr_nonnull(strstr(sr.b.p + sr.b.len - 2048, "\"incidents\":20000"));
    after = world_get(&hu_fx_world);
    ck_assert_ptr_ne(after, before); /* both were alive at once, so never the same address */
    world_put(&hu_fx_world, after);
    curl_easy_cleanup(c);
    free(sr.b.p);
    free(url);
    free(csv);
    free(v);
}
END_TEST

/* The limits: 100000 incidents are answered (streamed), one more is 413; so is a body over
 * 64 MiB, while other routes keep the 1 MiB cap. */
START_TEST(test_limits)
{
    size_t n = API_BATCH_MAX_INCIDENTS;
    size_t cap = 32 + n * 24, len = 0, lines = 0;
    char *csv = malloc(cap), ctype[64], *body, *big;
    long status;
    unsigned long long seed = 5;

    len += (size_t)snprintf(csv, cap, "id,lon,lat\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(csv + len, cap - len, "%zu,%.5f,%.5f\n", i,
                                HD_LON0 + tu_rand(&seed) * 0.1, HD_LAT0 + tu_rand(&seed) * 0.04);
    body = post("/v1/nearest?k=1&format=ndjson", "text/csv", csv, len, &status, ctype);
    ck_assert_int_eq(status, 200);
    for (char *p = body; (p = strchr(p, '\n')); p++)
        lines++;
    ck_assert_uint_eq(lines, n + 1);
    ck_assert_ptr_nonnull(strstr(body + strlen(body) - 4096, "\"incidents\":100000"));
    free(body);

    len += (size_t)snprintf(csv + len, cap - len, "extra,8.7,49.4\n");
    body = post("/v1/nearest?k=1", "text/csv", csv, len, &status, ctype);
    ck_assert_int_eq(status, 413);
    ck_assert_ptr_nonnull(strstr(body, "\"TooBig\""));
    free(body);
    free(csv);

    big = malloc(API_BATCH_BODY_MAX + 2);
    memset(big, ' ', API_BATCH_BODY_MAX + 1);
    big[API_BATCH_BODY_MAX + 1] = '\0';
    body = post("/v1/nearest", "text/csv", big, API_BATCH_BODY_MAX + 1, &status, ctype);
    ck_assert_int_eq(status, 413);
    free(body);
    body = post("/v1/centres", "application/json", big, (2u << 20), &status, ctype);
    ck_assert_int_eq(status, 413);
    ck_assert_ptr_nonnull(strstr(body, "1048576"));
    free(body);
    free(big);
}
END_TEST

/* The bodies held at once over all requests are capped: a server with a 1 MiB total answers
 * 503 to a 2 MiB batch (within its 64 MiB route limit), and the bytes are given back after. */
START_TEST(test_body_total)
{
    struct http_opts o = {.host = "127.0.0.1", .threads = 2, .max_body_total = 1u << 20};
    struct http_server *small = NULL;
    struct kkc_err err = {0};
    size_t n = 2u << 20;
    char *big = malloc(n + 1), ctype[64], *body;
    long status;
    int saved = hu_fx_port;
    static const char csv[] = "id,lon,lat\na,8.69,49.41\n";

    ck_assert_msg(http_start(&o, &hu_fx_world, &small, &err) == KKC_OK, "%s", err.msg);
    hu_fx_port = http_port(small);
    memset(big, ' ', n);
    big[n] = '\0';
    for (int i = 0; i < 3; i++) { /* repeated: nothing stays counted */
        body = post("/v1/nearest", "text/csv", big, n, &status, ctype);
        ck_assert_int_eq(status, 503);
        ck_assert_ptr_nonnull(strstr(body, "OutOfMemory"));
        free(body);
        body = post("/v1/nearest", "text/csv", csv, strlen(csv), &status, ctype);
        ck_assert_int_eq(status, 200);
        free(body);
    }
    http_stop(small);
    hu_fx_port = saved;
    free(big);
}
END_TEST

/* kkc nearest --batch: the table and the summary, and --json equal to the API's document. */
START_TEST(test_cli)
{
    char *path = tu_tmpfile("incidents.csv"), *cmd = NULL, line[512];
    FILE *f = fopen(path, "w"), *p;
    int saw_summary = 0, saw_load = 0, rows = 0;
    fputs("id,lon,lat\nfirst,8.69,49.41\nsecond,8.70,49.40\nbroken,x,y\n", f);
    fclose(f);
    ck_assert_int_ge(asprintf(&cmd, "%s nearest --batch %s --db %s -k 2 --by time 2>&1",
                              tu_kkc_bin(), path, tu_db()),
                     0);
    p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    while (fgets(line, sizeof line, p)) {
        saw_summary |= strstr(line, "3 incidents: 2 answered, 1 failed (by time, k 2)") != NULL;
        saw_load |= strstr(line, "load (incidents") != NULL;
        rows += strncmp(line, "first ", 6) == 0 || strncmp(line, "second ", 7) == 0 ||
                strncmp(line, "broken ", 7) == 0;
    }
    ck_assert_int_eq(pclose(p), 0);
    ck_assert(saw_summary && saw_load);
    ck_assert_int_eq(rows, 3);
    free(cmd);

    ck_assert_int_ge(
        asprintf(&cmd, "%s nearest --batch %s --db %s --json", tu_kkc_bin(), path, tu_db()), 0);
    p = popen(cmd, "r");
    json_error_t je;
    json_t *doc = json_loadf(p, 0, &je);
    ck_assert_int_eq(pclose(p), 0);
    ck_assert_msg(doc != NULL, "--json is not JSON: %s", je.text);
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_object_get(doc, "summary"), "answered")), 2);
    json_decref(doc);
    free(cmd);
    free(path);
}
END_TEST

Suite *batch_suite(void); /* for the runner */

Suite *batch_suite(void)
{
    Suite *s = suite_create("batch");
    TCase *tc = hu_fx_tcase(s, "http", 600);
    tcase_add_test(tc, test_csv_by_distance);
    tcase_add_test(tc, test_geojson_by_time);
    tcase_add_test(tc, test_csv_by_response);
    tcase_add_test(tc, test_row_errors);
    tcase_add_test(tc, test_ids_escaped);
    tcase_add_test(tc, test_id_cut_utf8);
    tcase_add_test(tc, test_search_budget);
    tcase_add_loop_test(tc, test_text_errors, 0, (int)(sizeof bad_text / sizeof bad_text[0]));
    tcase_add_test(tc, test_crs_rows);
    tcase_add_loop_test(tc, test_whole_errors, 0, (int)(sizeof whole / sizeof whole[0]));
    tcase_add_test(tc, test_reload_mid_stream);
    tcase_add_test(tc, test_limits);
    tcase_add_test(tc, test_body_total);
    tcase_add_test(tc, test_cli);
    return s;
}
