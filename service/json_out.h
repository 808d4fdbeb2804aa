/* service/json_out.h -- building JSON responses with jansson: common objects and number rounding.
 *
 * Every json_t returned is a new reference the caller owns (json_decref). */
#ifndef KKC_JSON_OUT_H
#define KKC_JSON_OUT_H

#include <jansson.h>

struct centre;

/* x rounded to the given number of decimals (0 for -0; non-finite x as it is). */
double kkc_json_round(double x, int decimals);
/* x rounded to the given number of decimals, as a JSON real (or integer when whole). */
json_t *kkc_json_num(double x, int decimals);
/* A string that may hold bytes from the request: invalid UTF-8 bytes become '?'. NULL -> NULL. */
json_t *kkc_json_text(const char *s);
/* A string, or JSON null for NULL. */
json_t *kkc_json_str_or_null(const char *s);
/* The public form of a centre: id, name, kind, lon, lat, municipality, address, phone, ... */
json_t *kkc_json_centre(const struct centre *c);
/* A GeoJSON Feature for a centre (Point geometry, the other fields as properties). */
json_t *kkc_json_centre_feature(const struct centre *c);
/* Serialise compactly (UTF-8, no escaping of non-ASCII) and steal v. Caller frees the string
 * with free(); NULL when out of memory. */
char *kkc_json_out_take(json_t *v);
/* {"code": code, "message": message} serialised; caller frees. */
char *kkc_json_error_body(const char *code, const char *message);
/* The same with the message in the answer's language and message_en, the English text beside
 * it: {"code","message","message_en"}. */
char *kkc_json_error_body_lang(const char *code, const char *message, const char *message_en);

#endif
