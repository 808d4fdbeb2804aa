/* service/closures_json.c -- road closures to and from JSON. */
#include "closures_json.h"

#include "json_out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const dirs[] = {"both", "forward", "backward"};

int64_t closures_parse_time(const char *s)
{
    struct tm tm = {0};
    const char *p = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
    int oh = 0, om = 0, sign = 1, used = 0;
    if (!p)
        return -1;
    if (*p == '.') /* fractions of a second are ignored */
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
    if (strcmp(p, "Z") == 0)
        p++;
    else if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d%n", &oh, &om, &used) == 2 &&
             used == 5)
        sign = *p == '-' ? -1 : 1, p += 6;
    if (*p)
        return -1;
    return (int64_t)timegm(&tm) - sign * (oh * 3600 + om * 60);
}

static json_t *time_json(int64_t t)
{
    char buf[32];
    time_t tt = (time_t)t;
    struct tm tm;
    if (t <= 0 || !gmtime_r(&tt, &tm))
        return json_null();
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(buf);
}

/* A time field: absent -> dflt, null -> 0 (valid_until only), text -> seconds. */
static enum kkc_code get_time(json_t *o, const char *key, int64_t dflt, int nullable,
                              int64_t *out, struct kkc_err *err)
{
    json_t *v = json_object_get(o, key);
    *out = dflt;
    if (!v || (nullable && json_is_null(v)))
        return KKC_OK;
    if (!json_is_string(v) || (*out = closures_parse_time(json_string_value(v))) < 0)
        return kkc_err_set(err, KKC_EINVAL, "%s must be an ISO 8601 time like "
                           "2026-12-02T10:00:00Z", key);
    return KKC_OK;
}

static enum kkc_code get_ways(json_t *v, struct closure *c, struct kkc_err *err)
{
    size_t i, n = json_array_size(v);
    json_t *w;
    if (!v)
        return KKC_OK;
    if (!json_is_array(v))
        return kkc_err_set(err, KKC_EINVAL, "ways must be an array of OSM way ids");
    if (n > CLOSURE_WAYS_MAX)
        return kkc_err_set(err, KKC_ETOOBIG, "at most %d way ids in one closure",
                           CLOSURE_WAYS_MAX);
    if (n && !(c->ways = malloc(n * sizeof *c->ways)))
        return kkc_err_set(err, KKC_ENOMEM, "out of memory");
    json_array_foreach(v, i, w)
    {
        if (!json_is_integer(w) || json_integer_value(w) <= 0)
            return kkc_err_set(err, KKC_EINVAL, "ways must be positive integers");
        c->ways[c->nways++] = json_integer_value(w);
    }
    return KKC_OK;
}

static enum kkc_code get_text(json_t *o, const char *key, char **out, struct kkc_err *err)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return KKC_OK;
    if (!json_is_string(v))
        return kkc_err_set(err, KKC_EINVAL, "%s must be a string", key);
    if (!(*out = strdup(json_string_value(v))))
        return kkc_err_set(err, KKC_ENOMEM, "out of memory");
    return KKC_OK;
}

static enum kkc_code check_keys(json_t *o, struct kkc_err *err)
{
    static const char *const keys[] = {"reason", "source", "ways", "geometry", "direction",
                                       "factor", "valid_from", "valid_until", "id", "created",
                                       "changed", "active", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        int ok = 0;
        for (int i = 0; keys[i]; i++)
            ok |= strcmp(k, keys[i]) == 0;
        if (!ok)
            return kkc_err_set(err, KKC_EINVAL, "unknown field '%.40s'", k);
    }
    (void)v;
    return KKC_OK;
}

/* One closure from the fields of o and the geometry geom (may be NULL). */
static enum kkc_code closure_from_fields(json_t *o, json_t *geom, int64_t now, struct closure *c,
                                         struct kkc_err *err)
{
    json_t *dir = json_object_get(o, "direction"), *f = json_object_get(o, "factor");
    enum kkc_code rc = check_keys(o, err);
    memset(c, 0, sizeof *c);
    c->dir = -1;
    for (int i = 0; i < 3; i++)
        if (!dir || (json_is_string(dir) && strcmp(json_string_value(dir), dirs[i]) == 0))
            c->dir = c->dir < 0 ? i : c->dir;
    if (!rc && c->dir < 0)
        rc = kkc_err_set(err, KKC_EINVAL, "direction must be both, forward or backward");
    if (!rc && f && !json_is_number(f))
        rc = kkc_err_set(err, KKC_EINVAL, "factor must be a number");
    c->factor = f ? json_number_value(f) : 0;
    if (!rc)
        rc = get_text(o, "reason", &c->reason, err);
    if (!rc)
        rc = get_text(o, "source", &c->source, err);
    if (!rc)
        rc = get_ways(json_object_get(o, "ways"), c, err);
    if (!rc && geom && !json_is_null(geom) &&
        !(c->geojson = json_dumps(geom, JSON_COMPACT)))
        rc = kkc_err_set(err, KKC_EINVAL, "geometry must be a GeoJSON geometry object");
    if (!rc)
        rc = get_time(o, "valid_from", now, 0, &c->valid_from, err);
    if (!rc)
        rc = get_time(o, "valid_until", 0, 1, &c->valid_until, err);
    if (!rc)
        rc = closure_check(c, err);
    return rc;
}

/* One item: a closure object or a Feature. */
static enum kkc_code closure_item(json_t *it, int64_t now, struct closure *c,
                                  struct kkc_err *err)
{
    const char *type = json_string_value(json_object_get(it, "type"));
    if (!json_is_object(it))
        return kkc_err_set(err, KKC_EINVAL, "a closure must be a JSON object");
    if (type && strcmp(type, "Feature") == 0) {
        json_t *p = json_object_get(it, "properties");
        if (!json_is_object(p))
            return kkc_err_set(err, KKC_EINVAL, "a feature needs properties (reason, ...)");
        return closure_from_fields(p, json_object_get(it, "geometry"), now, c, err);
    }
    return closure_from_fields(it, json_object_get(it, "geometry"), now, c, err);
}

enum kkc_code closures_from_json(json_t *doc, int64_t now, struct closure_list *out,
                                 struct kkc_err *err)
{
    const char *type = json_string_value(json_object_get(doc, "type"));
    json_t *arr = json_object_get(doc, type && !strcmp(type, "FeatureCollection") ? "features"
                                                                                 : "closures");
    json_t *one = arr ? NULL : doc;
    size_t n = arr ? json_array_size(arr) : 1;
    enum kkc_code rc = KKC_OK;
    if (!json_is_object(doc) || (arr && !json_is_array(arr)))
        return kkc_err_set(err, KKC_EINVAL, "expected a closure object, {\"closures\": [...]} "
                                            "or a GeoJSON FeatureCollection");
    if (n > CLOSURES_WRITE_MAX)
        return kkc_err_set(err, KKC_ETOOBIG, "%zu closures in one write; at most %d", n,
                           CLOSURES_WRITE_MAX);
    for (size_t i = 0; !rc && i < n; i++) {
        struct closure c;
        rc = closure_item(one ? one : json_array_get(arr, i), now, &c, err);
        if (rc && n > 1) {
            char msg[KKC_ERR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
            kkc_err_set(err, rc, "closure %zu of %zu: %s", i + 1, n, msg);
        }
        if (!rc)
            rc = closure_list_push(out, &c, err);
        closure_clear(&c);
    }
    return rc;
}

static json_t *fields_json(const struct closure *c, int64_t now)
{
    json_t *ways = json_array();
    for (size_t i = 0; i < c->nways; i++)
        json_array_append_new(ways, json_integer(c->ways[i]));
    return json_pack("{s:I, s:s, s:s, s:o, s:s, s:f, s:o, s:o, s:o, s:o, s:b}", "id",
                     (json_int_t)c->id, "reason", c->reason ? c->reason : "", "source",
                     c->source ? c->source : "admin", "ways", ways, "direction",
                     dirs[c->dir >= 0 && c->dir < 3 ? c->dir : 0], "factor", c->factor,
                     "valid_from", time_json(c->valid_from), "valid_until",
                     time_json(c->valid_until), "created", time_json(c->created), "changed",
                     time_json(c->changed), "active", closure_active(c, now));
}

json_t *closure_to_json(const struct closure *c, int64_t now)
{
    json_t *o = fields_json(c, now);
    json_t *g = c->geojson ? json_loads(c->geojson, 0, NULL) : NULL;
    if (o)
        json_object_set_new(o, "geometry", g ? g : json_null());
    return o;
}

json_t *closure_to_feature(const struct closure *c, const char *geometry, int64_t now)
{
    const char *text = geometry ? geometry : c->geojson;
    json_t *g = text ? json_loads(text, 0, NULL) : NULL;
    return json_pack("{s:s, s:o, s:o}", "type", "Feature", "geometry", g ? g : json_null(),
                     "properties", fields_json(c, now));
}
