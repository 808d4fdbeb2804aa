/* service/params.c -- strict query-string parameter parsing. */
#include "params.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void params_init(struct params *p)
{
    memset(p, 0, sizeof *p);
}

void params_add(struct params *p, const char *key, const char *value)
{
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->kv[i].key, key) == 0) {
            if (!p->dup)
                p->dup = p->kv[i].key;
            return;
        }
    if (p->n == PARAMS_MAX) {
        p->overflow = 1;
        return;
    }
    p->kv[p->n].key = key;
    p->kv[p->n].value = value ? value : "";
    p->kv[p->n++].used = 0;
}

void params_add_n(struct params *p, const char *key, size_t key_size, const char *value,
                  size_t value_size)
{
    if (strlen(key) != key_size || (value && strlen(value) != value_size)) {
        p->nul = 1;
        return;
    }
    params_add(p, key, value);
}

const char *params_str(struct params *p, const char *key)
{
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->kv[i].key, key) == 0) {
            p->kv[i].used = 1;
            return p->kv[i].value;
        }
    return NULL;
}

int params_parse_double(const char *s, double *out)
{
    char *end;
    if (!s || !*s || strpbrk(s, "xXnNiI \t\r\n\v\f"))
        return 0; /* hex floats, nan, inf, white space (strtod would skip it when leading) */
    errno = 0;
    *out = strtod(s, &end);
    return *end == '\0' && errno != ERANGE && isfinite(*out);
}

enum kkc_code params_double(struct params *p, const char *key, int required, double min,
                            double max, double *out, struct kkc_err *err)
{
    const char *s = params_str(p, key);
    double v;
    if (!s)
        return required ? kkc_err_set(err, KKC_EINVAL, "%s is required", key) : KKC_OK;
    if (!params_parse_double(s, &v))
        return kkc_err_set(err, KKC_EINVAL, "%s must be a finite number, not '%.40s'", key, s);
    if (v < min || v > max)
        return kkc_err_set(err, KKC_EINVAL, "%s must be within [%g, %g]", key, min, max);
    *out = v;
    return KKC_OK;
}

enum kkc_code params_long(struct params *p, const char *key, int required, long min, long max,
                          long *out, struct kkc_err *err)
{
    const char *s = params_str(p, key);
    char *end;
    long v;
    if (!s)
        return required ? kkc_err_set(err, KKC_EINVAL, "%s is required", key) : KKC_OK;
    errno = 0;
    v = strtol(s, &end, 10);
    if (!*s || *end || errno || strpbrk(s, " \t\r\n\v\f")) /* strtol skips leading space */
        return kkc_err_set(err, KKC_EINVAL, "%s must be an integer, not '%.40s'", key, s);
    if (v < min || v > max)
        return kkc_err_set(err, KKC_EINVAL, "%s must be within [%ld, %ld]", key, min, max);
    *out = v;
    return KKC_OK;
}

enum kkc_code params_bool(struct params *p, const char *key, int *out, struct kkc_err *err)
{
    const char *s = params_str(p, key);
    if (!s)
        return KKC_OK;
    if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
        *out = 1;
    else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
        *out = 0;
    else
        return kkc_err_set(err, KKC_EINVAL, "%s must be true or false", key);
    return KKC_OK;
}

enum kkc_code params_choice(struct params *p, const char *key, const char *const *choices,
                            int *out, struct kkc_err *err)
{
    const char *s = params_str(p, key);
    char list[256] = "";
    if (!s)
        return KKC_OK;
    for (int i = 0; choices[i]; i++) {
        if (strcmp(s, choices[i]) == 0) {
            *out = i;
            return KKC_OK;
        }
        strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
        strncat(list, choices[i], sizeof list - strlen(list) - 1);
    }
    return kkc_err_set(err, KKC_EINVAL, "%s must be one of: %s", key, list);
}

enum kkc_code params_finish(struct params *p, struct kkc_err *err)
{
    if (p->overflow)
        return kkc_err_set(err, KKC_EINVAL, "too many parameters (at most %d)", PARAMS_MAX);
    if (p->nul)
        return kkc_err_set(err, KKC_EINVAL, "a parameter name or value contains a NUL byte");
    if (p->dup)
        return kkc_err_set(err, KKC_EINVAL, "parameter %.40s is given more than once", p->dup);
    for (int i = 0; i < p->n; i++)
        if (!p->kv[i].used)
            return kkc_err_set(err, KKC_EINVAL, "unknown parameter '%.40s'", p->kv[i].key);
    return KKC_OK;
}

struct params_items params_items(const char *s, char sep)
{
    return (struct params_items){s, s + strlen(s), sep, 0, 0};
}

struct params_items params_items_exact(const char *s, size_t len, char sep)
{
    return (struct params_items){s, s + len, sep, 1, 0};
}

int params_item_span(struct params_items *it, const char **item, size_t *len)
{
    size_t n;

    while (!it->exact && it->p < it->end && *it->p == it->sep)
        it->p++;
    if (it->done || (!it->exact && it->p == it->end))
        return 0;
    *item = it->p;
    for (n = 0; it->p + n < it->end && it->p[n] != it->sep; n++)
        ;
    it->p += n;
    if (it->exact) { /* step over the separator; after the last item the walk is done */
        it->done = it->p == it->end;
        it->p += !it->done;
    }
    *len = n;
    return 1;
}

int params_item_next(struct params_items *it, char *buf, size_t cap)
{
    const char *item;
    size_t n;

    if (!params_item_span(it, &item, &n))
        return 0;
    if (n >= cap)
        return -1;
    memcpy(buf, item, n);
    buf[n] = '\0';
    return 1;
}

size_t params_items_count(const char *s, size_t len, char sep)
{
    size_t n = 1;
    for (size_t i = 0; i < len; i++)
        n += s[i] == sep;
    return n;
}

int params_parse_pair(const char *s, double *a, double *b)
{
    struct params_items it = params_items_exact(s, strlen(s), ',');
    char x[64], y[64];
    return params_item_next(&it, x, sizeof x) == 1 && params_item_next(&it, y, sizeof y) == 1 &&
           params_item_next(&it, x, sizeof x) == 0 && params_parse_double(x, a) &&
           params_parse_double(y, b);
}

int params_parse_lonlat(const char *s, double *lon, double *lat)
{
    return params_parse_pair(s, lon, lat) && fabs(*lon) <= 180 && fabs(*lat) <= 90;
}
