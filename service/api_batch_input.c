/* service/api_batch_input.c -- the incidents of a POST /v1/nearest body, CSV or GeoJSON, into a
 * compact array (coordinates in WGS84; ids and row errors in one text arena). */
#include "api_batch_int.h"

#include "api_batch.h"
#include "params.h"

#include "base/crs.h"
#include "base/csv.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------- incidents ---------------- */

/* Keep len bytes of s (cut to ID_MAX, never inside a UTF-8 character) in the arena; its offset,
 * or NO_TEXT when s is NULL. */
static size_t text_keep(struct batch *b, const char *s, size_t len)
{
    size_t at = b->text.len;
    if (!s)
        return NO_TEXT;
    if (len > ID_MAX) {
        len = ID_MAX;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--; /* s[len], the first byte left out, continues a character: leave it all */
    }
    if (strbuf_append(&b->text, s, len) || strbuf_append(&b->text, "", 1))
        return NO_TEXT;
    return at;
}

/* Append an incident with id (may be NULL); KKC_ETOOBIG past the limit, KKC_ENOMEM. */
static enum kkc_code batch_add(struct batch *b, const char *id, size_t id_len,
                               struct incident **out, struct kkc_err *err)
{
    if (b->n == API_BATCH_MAX_INCIDENTS)
        return kkc_err_set(err, KKC_ETOOBIG, "a batch holds at most %d incidents",
                           API_BATCH_MAX_INCIDENTS);
    if (b->n == b->alloc) {
        size_t n = b->alloc ? b->alloc * 2 : 1024;
        struct incident *grown = realloc(b->inc, n * sizeof *grown);
        if (!grown)
            return kkc_err_set(err, KKC_ENOMEM, "out of memory");
        b->inc = grown;
        b->alloc = n;
    }
    *out = &b->inc[b->n++];
    **out = (struct incident){.id = text_keep(b, id, id_len), .msg = NO_TEXT,
                               .msg_cs = NO_TEXT, .code = KKC_OK};
    if (b->text.failed)
        return kkc_err_set(err, KKC_ETOOBIG, "the ids of the batch exceed %u bytes", TEXT_CAP);
    return KKC_OK;
}

/* Mark the incident as failed with e's code and message. */
static void row_fail(struct batch *b, struct incident *in, const struct kkc_err *e)
{
    in->code = e->code ? e->code : KKC_EINVAL;
    in->msg = text_keep(b, e->msg, strlen(e->msg));
    in->msg_cs = e->msg_cs[0] ? text_keep(b, e->msg_cs, strlen(e->msg_cs)) : NO_TEXT;
}

/* Set the incident's point from two numbers: lon,lat, or x,y in crs (NULL = WGS84). */
static void row_point(struct batch *b, struct incident *in, struct crs_ctx *cx, const char *crs,
                      double x, double y)
{
    struct kkc_err e = {0};
    if (crs)
        crs_to_wgs84(cx, crs, x, y, &in->lon, &in->lat, &e);
    else if (fabs(x) > 180 || fabs(y) > 90)
        kkc_err_set(&e, KKC_EINVAL, "lon must be in [-180, 180] and lat in [-90, 90]");
    else
        in->lon = x, in->lat = y;
    if (e.code)
        row_fail(b, in, &e);
}

/* ---------------------------------------------------------------- CSV ---------------------- */

/* The length of the UTF-8 character at s[0..n) (n > 0), or 0 when it is not one (overlong forms,
 * surrogates and code points past U+10FFFF included). */
static size_t utf8_char(const unsigned char *s, size_t n)
{
    size_t len = s[0] < 0x80 ? 1 : s[0] < 0xC2 ? 0 : s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3
               : s[0] < 0xF5 ? 4 : 0;
    if (!len || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
        (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
        return 0;
    return len;
}

/* KKC_EINVAL naming the line and column of the first NUL byte or invalid UTF-8 in the body: a
 * field is never cut at a NUL nor copied raw into the JSON answer. */
static enum kkc_code csv_text_check(const char *body, size_t len, struct kkc_err *err)
{
    const unsigned char *s = (const unsigned char *)body;
    size_t line = 1, col = 1, n;
    for (size_t i = 0; i < len; i += n, col++) {
        if (s[i] == 0)
            return kkc_err_set(err, KKC_EINVAL, "CSV line %zu, character %zu: a NUL byte (the "
                               "CSV must be UTF-8 text)", line, col);
        if (!(n = utf8_char(s + i, len - i)))
            return kkc_err_set(err, KKC_EINVAL, "CSV line %zu, character %zu: not UTF-8 (the "
                               "CSV must be UTF-8 text; convert it, e.g. iconv -f cp1250 -t "
                               "utf-8)", line, col);
        if (s[i] == '\n')
            line++, col = 0;
    }
    return KKC_OK;
}

struct csv_cols {
    int id, a, b; /* columns of the id (-1 = none) and of lon,lat or x,y */
    int xy;       /* 1 when a,b are x,y */
};

static enum kkc_code csv_header(char **f, int nf, struct csv_cols *c, struct kkc_err *err)
{
    c->id = csv_column(f, nf, "id");
    c->a = csv_column(f, nf, "lon");
    c->b = csv_column(f, nf, "lat");
    c->xy = 0;
    if (c->a < 0 && c->b < 0) {
        c->a = csv_column(f, nf, "x");
        c->b = csv_column(f, nf, "y");
        c->xy = 1;
    }
    if (c->a < 0 || c->b < 0)
        return kkc_err_set(err, KKC_EINVAL,
                           "the CSV header must name lon,lat or x,y (and id), e.g. id,lon,lat");
    return KKC_OK;
}

/* One data record into an incident (a row error when its numbers are bad). */
static enum kkc_code csv_row(struct batch *b, const struct csv_cols *c, char **f, int nf,
                             struct crs_ctx *cx, const char *crs, struct kkc_err *err)
{
    struct incident *in;
    const char *id = c->id >= 0 && c->id < nf ? f[c->id] : NULL;
    double x, y;
    enum kkc_code rc = batch_add(b, id, id ? strlen(id) : 0, &in, err);
    if (rc)
        return rc;
    if (c->a >= nf || c->b >= nf || !params_parse_double(f[c->a], &x) ||
        !params_parse_double(f[c->b], &y)) {
        struct kkc_err e;
        kkc_err_set(&e, KKC_EINVAL, "%s must be finite numbers", c->xy ? "x and y" : "lon and lat");
        row_fail(b, in, &e);
        return KKC_OK;
    }
    row_point(b, in, cx, c->xy ? crs : NULL, x, y);
    return KKC_OK;
}

enum kkc_code batch_parse_csv(struct batch *b, const char *body, size_t len, struct crs_ctx *cx,
                               const char *crs, int crs_given, struct kkc_err *err)
{
    FILE *f;
    struct csv *c = NULL;
    char *fields[CSV_MAX_FIELDS];
    struct csv_cols cols;
    int nf, got;
    enum kkc_code rc;

    if ((rc = csv_text_check(body, len, err)))
        return rc;
    if (!(f = fmemopen((void *)body, len, "r")))
        return kkc_err_set(err, KKC_ENOMEM, "out of memory");
    rc = csv_from_stream(f, &c, err);
    if (!rc && csv_next(c, fields, &nf, err) != 1)
        rc = kkc_err_set(err, KKC_EINVAL, "the CSV has no header line");
    if (!rc)
        rc = csv_header(fields, nf, &cols, err);
    if (!rc && crs_given && !cols.xy)
        rc = kkc_err_set(err, KKC_EINVAL, "crs applies to x,y columns; these are lon,lat (WGS84)");
    while (!rc && (got = csv_next(c, fields, &nf, err)) != 0) {
        struct incident *in;
        if (got < 0) { /* a malformed record: a row error, then go on with the next line */
            struct kkc_err e = *err;
            rc = batch_add(b, NULL, 0, &in, err);
            if (!rc)
                row_fail(b, in, &e);
            continue;
        }
        if (nf == 1 && !fields[0][0])
            continue; /* a blank line */
        rc = csv_row(b, &cols, fields, nf, cx, cols.xy ? crs : NULL, err);
    }
    csv_close(c);
    fclose(f);
    return rc;
}

/* ---------------------------------------------------------------- GeoJSON ------------------ */

/* The id of a feature: its "id" or properties.id, a string or an integer, into buf. */
static const char *feature_id(json_t *feat, char *buf, size_t size)
{
    json_t *id = json_object_get(feat, "id");
    if (!id)
        id = json_object_get(json_object_get(feat, "properties"), "id");
    if (json_is_string(id))
        return json_string_value(id);
    if (json_is_integer(id)) {
        snprintf(buf, size, "%lld", (long long)json_integer_value(id));
        return buf;
    }
    return NULL;
}

/* One feature into an incident. */
static enum kkc_code geojson_feature(struct batch *b, json_t *feat, struct crs_ctx *cx,
                                     const char *crs, struct kkc_err *err)
{
    char idbuf[32];
    const char *id = feature_id(feat, idbuf, sizeof idbuf);
    json_t *g = json_object_get(feat, "geometry");
    json_t *xy = json_object_get(g, "coordinates");
    struct incident *in;
    struct kkc_err e = {0};
    enum kkc_code rc = batch_add(b, id, id ? strlen(id) : 0, &in, err);

    if (rc)
        return rc;
    if (!json_is_object(feat) || !json_is_object(g))
        kkc_err_set(&e, KKC_EINVAL, "a feature with a Point geometry is expected");
    else if (!json_is_string(json_object_get(g, "type")) ||
             strcmp(json_string_value(json_object_get(g, "type")), "Point") != 0)
        kkc_err_set(&e, KKC_EINVAL, "the geometry must be a Point");
    else if (json_array_size(xy) < 2 || json_array_size(xy) > 3 ||
             !json_is_number(json_array_get(xy, 0)) || !json_is_number(json_array_get(xy, 1)))
        kkc_err_set(&e, KKC_EINVAL, "a Point's coordinates must be [x, y] numbers");
    if (e.code) {
        row_fail(b, in, &e);
        return KKC_OK;
    }
    row_point(b, in, cx, crs, json_number_value(json_array_get(xy, 0)),
              json_number_value(json_array_get(xy, 1)));
    return KKC_OK;
}

size_t batch_skip_ws(const char *s, size_t len, size_t i)
{
    while (i < len && isspace((unsigned char)s[i]))
        i++;
    return i;
}

/* Decode one JSON value at s[*i] and advance *i past it; NULL with err set when malformed. */
static json_t *next_value(const char *s, size_t len, size_t *i, struct kkc_err *err)
{
    json_error_t je;
    json_t *v = json_loadb(s + *i, len - *i, JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY, &je);
    if (!v) {
        kkc_err_set(err, KKC_EINVAL, "the body is not valid JSON near byte %zu: %s",
                    *i + (size_t)(je.position > 0 ? je.position : 0), je.text);
        return NULL;
    }
    *i += (size_t)je.position;
    return v;
}

/* The "features" array, one element at a time so that only one feature is ever decoded. */
static enum kkc_code geojson_features(struct batch *b, const char *s, size_t len, size_t *i,
                                      struct crs_ctx *cx, const char *crs, struct kkc_err *err)
{
    enum kkc_code rc = KKC_OK;
    *i = batch_skip_ws(s, len, *i);
    if (*i >= len || s[*i] != '[')
        return kkc_err_set(err, KKC_EINVAL, "features must be an array");
    *i = batch_skip_ws(s, len, *i + 1);
    if (*i < len && s[*i] == ']') {
        (*i)++;
        return KKC_OK;
    }
    while (!rc) {
        json_t *feat = next_value(s, len, i, err);
        if (!feat)
            return KKC_EINVAL;
        rc = geojson_feature(b, feat, cx, crs, err);
        json_decref(feat);
        *i = batch_skip_ws(s, len, *i);
        if (!rc && *i < len && s[*i] == ']') {
            (*i)++;
            return KKC_OK;
        }
        if (!rc && (*i >= len || s[*i] != ','))
            return kkc_err_set(err, KKC_EINVAL, "features: ',' or ']' expected at byte %zu", *i);
        (*i)++;
        *i = batch_skip_ws(s, len, *i);
    }
    return rc;
}

/* A FeatureCollection: its members in any order, "features" read element by element. */
enum kkc_code batch_parse_geojson(struct batch *b, const char *s, size_t len, struct crs_ctx *cx,
                                   const char *crs, struct kkc_err *err)
{
    size_t i = batch_skip_ws(s, len, 0);
    int is_fc = 0, has_features = 0;
    enum kkc_code rc = KKC_OK;

    if (i >= len || s[i] != '{')
        return kkc_err_set(err, KKC_EINVAL, "the body must be a GeoJSON FeatureCollection");
    i = batch_skip_ws(s, len, i + 1);
    while (!rc && i < len && s[i] != '}') {
        json_t *key = next_value(s, len, &i, err), *v = NULL;
        if (!key)
            return KKC_EINVAL;
        i = batch_skip_ws(s, len, i);
        if (!json_is_string(key) || i >= len || s[i] != ':')
            rc = kkc_err_set(err, KKC_EINVAL, "a member name and ':' expected at byte %zu", i);
        else if (i++, strcmp(json_string_value(key), "features") == 0)
            has_features = 1, rc = geojson_features(b, s, len, &i, cx, crs, err);
        else if (!(v = next_value(s, len, &i, err)))
            rc = KKC_EINVAL;
        else if (strcmp(json_string_value(key), "type") == 0)
            is_fc = json_is_string(v) && strcmp(json_string_value(v), "FeatureCollection") == 0;
        json_decref(key);
        json_decref(v);
        i = batch_skip_ws(s, len, i);
        if (!rc && i < len && s[i] == ',')
            i = batch_skip_ws(s, len, i + 1);
        else if (!rc && (i >= len || s[i] != '}'))
            rc = kkc_err_set(err, KKC_EINVAL, "',' or '}' expected at byte %zu", i);
    }
    if (!rc && (i >= len || batch_skip_ws(s, len, i + 1) != len))
        rc = kkc_err_set(err, KKC_EINVAL, "the body must be one JSON object");
    if (!rc && (!is_fc || !has_features))
        rc = kkc_err_set(err, KKC_EINVAL,
                         "the body must be a GeoJSON FeatureCollection with a features array");
    return rc;
}
