/* service/json_out.c -- JSON building blocks shared by the handlers. */
#include "json_out.h"
#include "json_write.h"

#include "centres/centres.h"
#include "coverage/response.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double kkc_json_round(double x, int decimals)
{
    static const double scales[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    double scale = decimals >= 0 && decimals < 10 ? scales[decimals] : pow(10, decimals), r;
    if (!isfinite(x))
        return x;
    r = round(x * scale) / scale;
    return r == 0 ? 0 : r; /* no "-0" */
}

json_t *kkc_json_num(double x, int decimals)
{
    return isfinite(x) ? json_real(kkc_json_round(x, decimals)) : json_null();
}

json_t *kkc_json_str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* The fields shared by the plain and the GeoJSON forms, into obj. */
static void centre_fields(json_t *obj, const struct centre *c)
{
    json_object_set_new(obj, "id", json_string(c->id));
    json_object_set_new(obj, "name", json_string(c->name));
    json_object_set_new(obj, "kind", json_string(centres_kind_name(c->kind)));
    json_object_set_new(obj, "status", json_string(c->active ? "active" : "closed"));
    json_object_set_new(obj, "municipality", kkc_json_str_or_null(c->municipality));
    json_object_set_new(obj, "municipality_code", kkc_json_str_or_null(c->municipality_code));
    json_object_set_new(obj, "address", kkc_json_str_or_null(c->address));
    json_object_set_new(obj, "phone", kkc_json_str_or_null(c->phone));
    json_object_set_new(obj, "email", kkc_json_str_or_null(c->email));
    json_object_set_new(obj, "www", kkc_json_str_or_null(c->www));
    json_object_set_new(obj, "hours", kkc_json_str_or_null(c->hours));
    json_object_set_new(obj, "source", kkc_json_str_or_null(c->source));
    json_object_set_new(obj, "turnout_s",
                        centre_turnout_own(c) ? json_integer(c->turnout_s) : json_null());
    json_object_set_new(obj, "response_turnout_s", json_integer(response_turnout_s(c)));
}

json_t *kkc_json_centre(const struct centre *c)
{
    json_t *o = json_object();
    centre_fields(o, c);
    json_object_set_new(o, "lon", kkc_json_num(c->lon, 7));
    json_object_set_new(o, "lat", kkc_json_num(c->lat, 7));
    return o;
}

json_t *kkc_json_centre_feature(const struct centre *c)
{
    json_t *props = json_object();
    centre_fields(props, c);
    return json_pack("{s:s, s:s, s:{s:s, s:[o, o]}, s:o}", "type", "Feature", "id", c->id,
                     "geometry", "type", "Point", "coordinates", kkc_json_num(c->lon, 7),
                     kkc_json_num(c->lat, 7), "properties", props);
}

char *kkc_json_out_take(json_t *v)
{
    char *s = v ? kjw_dump(v) : NULL; /* json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(15)) */
    json_decref(v);
    return s;
}

json_t *kkc_json_text(const char *s)
{
    json_t *v = json_string(s);
    char *copy;
    if (v || !s)
        return v;
    /* not UTF-8 (a message quoting raw request bytes): keep the ASCII, mark the rest */
    copy = strdup(s);
    if (!copy)
        return NULL;
    kjw_mark_non_ascii(copy);
    v = json_string(copy);
    free(copy);
    return v;
}

char *kkc_json_error_body_lang(const char *code, const char *message, const char *message_en)
{
    return kkc_json_out_take(json_pack("{s:s, s:o, s:o}", "code", code, "message",
                                       kkc_json_text(message ? message : ""), "message_en",
                                       kkc_json_text(message_en ? message_en : "")));
}

char *kkc_json_error_body(const char *code, const char *message)
{
    return kkc_json_out_take(
        json_pack("{s:s, s:o}", "code", code, "message", kkc_json_text(message ? message : "")));
}
