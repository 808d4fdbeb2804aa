/* service/api.c -- what every handler shares: error replies (HTTP statuses mapped from geo/
 * codes here only), JSON replies and the common parameters (kinds, point, bbox). */
#include "api.h"
#include "tctx.h"

#include "centres/centres.h"
#include "base/crs.h"
#include "json_out.h"
#include "world.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---------------------------------------------------------------- errors ------------------- */

int api_status(enum kkc_code code)
{
    static const int status[KKC_CODE_COUNT] = {
        [KKC_OK] = 200,          [KKC_EINVAL] = 400,    [KKC_ENOTFOUND] = 404,
        [KKC_ETOOBIG] = 413,     [KKC_ENOSEGMENT] = 422, [KKC_ENOROUTE] = 422,
        [KKC_EIO] = 500,         [KKC_EDB] = 500,       [KKC_ENOMEM] = 503,
        [KKC_EINTERNAL] = 500,   [KKC_ECONFLICT] = 409,
    };
    return (unsigned)code < KKC_CODE_COUNT && status[code] ? status[code] : 500;
}

/* The Czech of an English message given as text: the catalogue's entry when the text is a
 * format without conversions (a literal), else NULL. */
static const char *literal_cs(const char *message)
{
    const char *cs = kkc_err_cs(message);
    return cs && !strchr(message, '%') ? cs : NULL;
}

/* The body in res->lang: Czech (or English where no Czech is known) and the English beside. */
static void error_body(struct api_res *res, const char *code, const char *en, const char *cs)
{
    en = en ? en : "";
    res->body = kkc_json_error_body_lang(code, res->lang == API_LANG_CS && cs ? cs : en, en);
}

void api_error(struct api_res *res, enum kkc_code code, const char *message)
{
    res->status = api_status(code);
    error_body(res, kkc_code_name(code), message, message ? literal_cs(message) : NULL);
}

void api_error_e(struct api_res *res, enum kkc_code code, const struct kkc_err *e)
{
    res->status = api_status(code);
    error_body(res, kkc_code_name(code), e->msg, e->msg_cs[0] ? e->msg_cs : NULL);
}

void api_errorf(struct api_res *res, enum kkc_code code, const char *fmt, ...)
{
    struct kkc_err e = {0};
    va_list ap;
    va_start(ap, fmt);
    kkc_err_vset(&e, code, fmt, ap);
    va_end(ap);
    api_error_e(res, code, &e);
}

/* The q-value of one Accept-Language item ("cs-CZ;q=0.8") when its language is cs or en:
 * *lang and the q (0..1); -1 for another language. */
static double accept_item(const char *item, size_t len, enum api_lang *lang)
{
    const char *q = memchr(item, ';', len);
    size_t tag = q ? (size_t)(q - item) : len;
    char buf[16];
    double v = 1;
    while (tag && item[tag - 1] == ' ')
        tag--;
    if ((tag == 2 || (tag > 2 && item[2] == '-')) && strncasecmp(item, "cs", 2) == 0)
        *lang = API_LANG_CS;
    else if ((tag == 2 || (tag > 2 && item[2] == '-')) && strncasecmp(item, "en", 2) == 0)
        *lang = API_LANG_EN;
    else
        return -1;
    if (q && len - (size_t)(q - item) < sizeof buf) {
        memcpy(buf, q + 1, len - (size_t)(q - item) - 1);
        buf[len - (size_t)(q - item) - 1] = '\0';
        if (sscanf(buf, " q = %lf", &v) != 1 || !(v >= 0 && v <= 1))
            v = 1;
    }
    return v;
}

enum kkc_code api_lang_of(const struct api_req *r, enum api_lang *lang, struct kkc_err *err)
{
    const char *s = r->q ? params_str(r->q, "lang") : NULL, *item;
    size_t len;
    double best = 0;
    *lang = API_LANG_CS;
    if (s) {
        if (strcmp(s, "cs") != 0 && strcmp(s, "en") != 0)
            return kkc_err_set(err, KKC_EINVAL, "lang must be cs or en");
        *lang = s[0] == 'e' ? API_LANG_EN : API_LANG_CS;
        return KKC_OK;
    }
    if (!r->accept_language || strlen(r->accept_language) > 1024)
        return KKC_OK;
    for (struct params_items it = params_items(r->accept_language, ',');
         params_item_span(&it, &item, &len);) {
        enum api_lang l = API_LANG_CS;
        while (len && *item == ' ')
            item++, len--;
        double q = accept_item(item, len, &l);
        if (q > best)
            best = q, *lang = l;
    }
    return KKC_OK;
}

static const struct {
    int status;
    const char *code;
} fails[] = {
    [API_EMETHOD] = {405, "MethodNotAllowed"},
    [API_EAUTH] = {401, "Unauthorized"},
    [API_EFORBIDDEN] = {403, "Forbidden"},
    [API_ESTATE] = {503, "StateUnavailable"},
    [API_ETARGET] = {414, "TooBig"},
    [API_EBUSY] = {429, "TooManyRequests"},
};

void api_error_http(struct api_res *res, enum api_http_fail f, const char *message)
{
    res->status = fails[f].status;
    error_body(res, fails[f].code, message, message ? literal_cs(message) : NULL);
}

void api_error_http_e(struct api_res *res, enum api_http_fail f, const struct kkc_err *e)
{
    res->status = fails[f].status;
    error_body(res, fails[f].code, e->msg, e->msg_cs[0] ? e->msg_cs : NULL);
}

void api_error_httpf(struct api_res *res, enum api_http_fail f, const char *fmt, ...)
{
    struct kkc_err e = {0};
    va_list ap;
    va_start(ap, fmt);
    kkc_err_vset(&e, KKC_EINVAL, fmt, ap);
    va_end(ap);
    res->status = fails[f].status;
    error_body(res, fails[f].code, e.msg, e.msg_cs[0] ? e.msg_cs : NULL);
}

void api_reply(struct api_res *res, json_t *v)
{
    res->status = 200;
    res->body = kkc_json_out_take(v);
    if (!res->body)
        api_error(res, KKC_ENOMEM, "out of memory");
}

/* ---------------------------------------------------------------- shared parameters -------- */

enum kkc_code api_param_kinds(struct params *q, unsigned *mask, struct kkc_err *err)
{
    const char *s = params_str(q, "kind");
    char tok[64];
    struct params_items it;
    *mask = KIND_MASK_ALL;
    if (!s)
        return KKC_OK;
    if (strlen(s) >= sizeof tok)
        return kkc_err_set(err, KKC_EINVAL, "kind is too long");
    *mask = 0;
    for (it = params_items(s, ','); params_item_next(&it, tok, sizeof tok) > 0;) {
        int k = centres_kind_parse(tok);
        if (k < 0)
            return kkc_err_set(err, KKC_EINVAL,
                               "unknown kind '%.20s' (police, fire, ambulance)", tok);
        *mask |= 1u << k;
    }
    if (!*mask)
        return kkc_err_set(err, KKC_EINVAL, "kind must name at least one kind");
    return KKC_OK;
}

/* A projected point must fall in its CRS's area of use (half a degree of slack): far outside,
 * PROJ still answers, with a point on another continent. */
static enum kkc_code point_in_area(const struct api_req *r, const struct point_in *p,
                                   struct kkc_err *err)
{
    double w, s, e, n, m = 0.5;
    if (crs_area_of_use(r->t->crs, p->crs, &w, &s, &e, &n, NULL))
        return KKC_OK;
    if (w <= e ? (p->lon >= w - m && p->lon <= e + m) : (p->lon >= w - m || p->lon <= e + m))
        if (p->lat >= s - m && p->lat <= n + m)
            return KKC_OK;
    if (strcmp(p->crs, CRS_SJTSK) == 0 && p->x > 3e5 && p->x < 1e6 && p->y > 9e5 && p->y < 1.3e6)
        return kkc_err_set(err, KKC_EINVAL,
                           "x=%.0f, y=%.0f lie outside the area of use of %s (lon %.1f..%.1f, "
                           "lat %.1f..%.1f); S-JTSK Krovak East North coordinates are negative: "
                           "did you mean x=%.0f&y=%.0f?", p->x, p->y, p->crs, w, e, s, n,
                           -p->x, -p->y);
    return kkc_err_set(err, KKC_EINVAL,
                       "x=%.6g, y=%.6g lie outside the area of use of %s (lon %.1f..%.1f, "
                       "lat %.1f..%.1f)", p->x, p->y, p->crs, w, e, s, n);
}

enum kkc_code api_param_point(const struct api_req *r, struct point_in *p, struct kkc_err *err)
{
    struct params *q = r->q;
    enum kkc_code rc;
    int has_ll = params_str(q, "lon") || params_str(q, "lat");
    int has_xy = params_str(q, "x") || params_str(q, "y") || params_str(q, "crs");

    memset(p, 0, sizeof *p);
    if (has_ll && has_xy)
        return kkc_err_set(err, KKC_EINVAL, "give either lon,lat or x,y (with crs), not both");
    if (has_xy) {
        p->crs = params_str(q, "crs") ? params_str(q, "crs") : CRS_SJTSK;
        rc = params_double(q, "x", 1, -1e12, 1e12, &p->x, err);
        if (!rc)
            rc = params_double(q, "y", 1, -1e12, 1e12, &p->y, err);
        if (!rc)
            rc = crs_to_wgs84(r->t->crs, p->crs, p->x, p->y, &p->lon, &p->lat, err);
        if (!rc)
            rc = point_in_area(r, p, err);
    } else {
        rc = params_double(q, "lon", 1, -180, 180, &p->lon, err);
        if (!rc)
            rc = params_double(q, "lat", 1, -90, 90, &p->lat, err);
    }
    if (rc)
        return rc;
    if (crs_from_wgs84(r->t->crs, CRS_SJTSK, p->lon, p->lat, &p->sx, &p->sy, NULL))
        p->sx = p->sy = NAN;
    return KKC_OK;
}

json_t *api_json_query(const struct point_in *p)
{
    json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:s}", "lon", kkc_json_num(p->lon, 7), "lat",
                          kkc_json_num(p->lat, 7), "x", kkc_json_num(p->sx, 2), "y", kkc_json_num(p->sy, 2),
                          "crs", CRS_SJTSK);
    if (p->crs)
        json_object_set_new(o, "input",
                            json_pack("{s:s, s:o, s:o}", "crs", p->crs, "x", kkc_json_num(p->x, 3),
                                      "y", kkc_json_num(p->y, 3)));
    return o;
}

enum kkc_code api_param_bbox(struct params *q, double b[4], int *has, struct kkc_err *err)
{
    const char *s = params_str(q, "bbox");
    char tok[160];
    struct params_items it;
    int n = 0;
    *has = 0;
    if (!s)
        return KKC_OK;
    if (strlen(s) >= sizeof tok)
        return kkc_err_set(err, KKC_EINVAL, "bbox is too long");
    for (it = params_items(s, ','); n < 5 && params_item_next(&it, tok, sizeof tok) > 0;)
        if (n == 4 || !params_parse_double(tok, &b[n++]))
            return kkc_err_set(err, KKC_EINVAL, "bbox must be minlon,minlat,maxlon,maxlat");
    if (n != 4 || strchr(",", s[strlen(s) - 1]) || b[0] > b[2] || b[1] > b[3] ||
        fabs(b[0]) > 180 || fabs(b[2]) > 180 || fabs(b[1]) > 90 || fabs(b[3]) > 90)
        return kkc_err_set(err, KKC_EINVAL,
                           "bbox must be minlon,minlat,maxlon,maxlat with min <= max, in degrees");
    *has = 1;
    return KKC_OK;
}
