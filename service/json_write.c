/* service/json_write.c -- JSON straight into a buffer as jansson dumps it (json_write.h). */
#include "json_write.h"

#include "json_out.h"

#include "centres/centres.h"
#include "coverage/response.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DUMP_CAP ((size_t)SIZE_MAX / 4) /* no cap of our own: memory decides */

static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

/* Digits of v (< 10^19) into the end of a buffer; returns where they start. */
static char *digits(unsigned long long v, char *end)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

/* The fewest decimals d <= 9 with a == r / 10^d for a whole r, found from a * 10^9 rounded
 * (exact to the unit for a < 10^6): its trailing zeros. -1 when a needs more. */
static int fewest_decimals(double a, double *r)
{
    int d = 9;
    double m = nearbyint(a * 1e9);
    unsigned long long v = (unsigned long long)m;
    while (d > 0 && v % 10 == 0) {
        v /= 10;
        d--;
    }
    *r = (double)v;
    return *r / p10[d] == a ? d : -1;
}

/* a (> 0) as the decimal r / 10^d when that is a's %.15g text: r < 10^15 digits, a the double
 * nearest it (so %.15g, which rounds a to 15 significant digits, gives exactly those digits)
 * and 1e-4 <= a (else %g writes an exponent). Returns the length written to out, 0 if none. */
static size_t short_real(double a, char *out)
{
    char tmp[32], *p;
    size_t n;
    double r = 0;
    int d = -1;
    if (!(a >= 1e-4 && a < 1e15))
        return 0;
    if (a < 1e6)
        d = fewest_decimals(a, &r);
    else
        for (int k = 0; k < (int)(sizeof p10 / sizeof p10[0]) && d < 0; k++) {
            r = nearbyint(a * p10[k]);
            if (r >= 1e15)
                return 0;
            d = r / p10[k] == a ? k : -1;
        }
    if (d < 0)
        return 0;
    unsigned long long v = (unsigned long long)r, ip = v / (unsigned long long)p10[d];
    p = digits(ip, tmp + sizeof tmp);
    n = (size_t)(tmp + sizeof tmp - p);
    memcpy(out, p, n);
    out[n++] = '.';
    if (d == 0) {
        out[n++] = '0'; /* jansson marks a whole real with ".0" */
        return n;
    }
    p = digits(v % (unsigned long long)p10[d] + (unsigned long long)p10[d], tmp + sizeof tmp);
    memcpy(out + n, p + 1, (size_t)d); /* the fraction with its leading zeros */
    return n + (size_t)d;
}

/* What jansson's jsonp_dtostr() writes for %.15g: ".0" when neither '.' nor 'e', the exponent
 * without '+' and leading zeros. */
static size_t printf_real(double x, char *out, size_t size)
{
    int len = snprintf(out, size, "%.15g", x);
    char *e, *from;
    size_t n = len > 0 && (size_t)len < size ? (size_t)len : 0;
    if (!strchr(out, '.') && !strchr(out, 'e') && n + 3 < size) {
        memcpy(out + n, ".0", 3);
        n += 2;
    }
    e = strchr(out, 'e');
    if (e) {
        e++;
        from = e + 1;
        if (*e == '-')
            e++;
        while (*from == '0')
            from++;
        if (from != e) {
            memmove(e, from, n - (size_t)(from - out) + 1);
            n -= (size_t)(from - e);
        }
    }
    return n;
}

void kjw_real(struct strbuf *b, double x)
{
    char out[40];
    size_t n = 0;
    if (!isfinite(x)) {
        KJW_LIT(b, "null");
        return;
    }
    if (x != 0) {
        out[0] = '-';
        n = short_real(fabs(x), out + (x < 0));
        n += n && x < 0;
    }
    if (!n)
        n = printf_real(x, out, sizeof out);
    strbuf_put(b, out, n);
}

void kjw_fixed(struct strbuf *b, double x, int decimals)
{
    char out[40], tmp[24], *p;
    size_t n = 0;
    double big, rr;
    if (!isfinite(x) || decimals < 0 || decimals > 9) {
        kjw_real(b, kkc_json_round(x, decimals));
        return;
    }
    rr = round(x * p10[decimals]); /* as kkc_json_round(): its value is rr / 10^decimals */
    big = fabs(rr);
    if (big == 0) {
        KJW_LIT(b, "0.0");
        return;
    }
    if (big >= 1e15 || big < p10[decimals] * 1e-4) { /* %g would write an exponent */
        kjw_real(b, rr / p10[decimals]);
        return;
    }
    /* rr / 10^d has at most 15 digits and its double is the nearest to it: %.15g writes those
     * digits, without the fraction's trailing zeros */
    unsigned long long v = (unsigned long long)big, unit = (unsigned long long)p10[decimals];
    if (rr < 0)
        out[n++] = '-';
    p = digits(v / unit, tmp + sizeof tmp);
    memcpy(out + n, p, (size_t)(tmp + sizeof tmp - p));
    n += (size_t)(tmp + sizeof tmp - p);
    out[n++] = '.';
    p = digits(v % unit + unit, tmp + sizeof tmp) + 1;
    size_t d = (size_t)decimals;
    while (d > 1 && p[d - 1] == '0')
        d--;
    if (d == 0)
        out[n++] = '0';
    memcpy(out + n, p, d);
    strbuf_put(b, out, n + d);
}

void kjw_int(struct strbuf *b, long long v)
{
    char tmp[24], *p;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    p = digits(u, tmp + sizeof tmp);
    if (v < 0)
        *--p = '-';
    strbuf_put(b, p, (size_t)(tmp + sizeof tmp - p));
}

void kjw_string(struct strbuf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF", shorts[] = "\"\\\b\f\n\r\t";
    const char *from;
    size_t run = 0;
    KJW_LIT(b, "\"");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[7] = {'\\', 0};
        size_t k = 2;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        strbuf_put(b, s + run, i - run);
        run = i + 1;
        from = memchr(shorts, c, sizeof shorts - 1);
        if (from) {
            esc[1] = "\"\\bfnrt"[from - shorts];
        } else {
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            k = 6;
        }
        strbuf_put(b, esc, k);
    }
    strbuf_put(b, s + run, n - run);
    KJW_LIT(b, "\"");
}

static int write_object(struct strbuf *b, const json_t *v)
{
    int first = 1;
    KJW_LIT(b, "{");
    for (void *it = json_object_iter((json_t *)v); it;
         it = json_object_iter_next((json_t *)v, it)) {
        if (!first)
            KJW_LIT(b, ",");
        first = 0;
        kjw_string(b, json_object_iter_key(it), json_object_iter_key_len(it));
        KJW_LIT(b, ":");
        if (kjw_value(b, json_object_iter_value(it)))
            return -1;
    }
    return KJW_LIT(b, "}");
}

int kjw_value(struct strbuf *b, const json_t *v)
{
    if (!v)
        return -1;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return write_object(b, v);
    case JSON_ARRAY:
        KJW_LIT(b, "[");
        for (size_t i = 0, n = json_array_size(v); i < n; i++) {
            if (i)
                KJW_LIT(b, ",");
            if (kjw_value(b, json_array_get(v, i)))
                return -1;
        }
        return KJW_LIT(b, "]");
    case JSON_STRING:
        kjw_string(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        kjw_int(b, (long long)json_integer_value(v));
        break;
    case JSON_REAL:
        kjw_real(b, json_real_value(v));
        break;
    case JSON_TRUE:
        KJW_LIT(b, "true");
        break;
    case JSON_FALSE:
        KJW_LIT(b, "false");
        break;
    default:
        KJW_LIT(b, "null");
    }
    return b->failed ? -1 : 0;
}

char *kjw_dump(const json_t *v)
{
    struct strbuf b;
    if (!json_is_object(v) && !json_is_array(v))
        return NULL;
    strbuf_init(&b, DUMP_CAP);
    if (kjw_value(&b, v)) {
        strbuf_free(&b);
        return NULL;
    }
    return strbuf_take(&b);
}

void kjw_line(struct strbuf *b, const double *coords, size_t n, int decimals)
{
    KJW_LIT(b, "{\"type\":\"LineString\",\"coordinates\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            KJW_LIT(b, ",");
        KJW_LIT(b, "[");
        kjw_fixed(b, coords[2 * i], decimals);
        KJW_LIT(b, ",");
        kjw_fixed(b, coords[2 * i + 1], decimals);
        KJW_LIT(b, "]");
    }
    KJW_LIT(b, "]}");
}

/* ------------------------------------------------------------------ a centre ------------- */

int kjw_utf8_ok(const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    while (*s) {
        unsigned c = *s, n, cp;
        if (c < 0x80) {
            s++;
            continue;
        }
        if (c < 0xC2 || c > 0xF4)
            return 0;
        n = c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
        cp = c & (0x3Fu >> n);
        for (unsigned i = 1; i <= n; i++) {
            if ((s[i] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i] & 0x3Fu);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        s += n + 1;
    }
    return 1;
}

void kjw_mark_non_ascii(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            *s = '?';
}

/* ,"key":value for a text field as json_object_set_new(o, key, json_string(s)) leaves it:
 * NULL gives null when nullable, else nothing; text that is not UTF-8 gives nothing. */
static void text_field(struct strbuf *b, const char *key, const char *s, int nullable, int first)
{
    if (!s && !nullable)
        return;
    if (s && !kjw_utf8_ok(s))
        return;
    if (!first)
        KJW_LIT(b, ",");
    kjw_string(b, key, strlen(key));
    KJW_LIT(b, ":");
    if (s)
        kjw_string(b, s, strlen(s));
    else
        KJW_LIT(b, "null");
}

static void num_field(struct strbuf *b, const char *key, double x, int decimals)
{
    KJW_LIT(b, ",");
    kjw_string(b, key, strlen(key));
    KJW_LIT(b, ":");
    kjw_fixed(b, x, decimals);
}

void kjw_centre(struct strbuf *b, const struct centre *c)
{
    size_t start;
    KJW_LIT(b, "{");
    start = b->len;
    text_field(b, "id", c->id, 0, 1);
    text_field(b, "name", c->name, 0, b->len == start);
    text_field(b, "kind", centres_kind_name(c->kind), 0, b->len == start);
    text_field(b, "status", c->active ? "active" : "closed", 0, 0);
    text_field(b, "municipality", c->municipality, 1, 0);
    text_field(b, "municipality_code", c->municipality_code, 1, 0);
    text_field(b, "address", c->address, 1, 0);
    text_field(b, "phone", c->phone, 1, 0);
    text_field(b, "email", c->email, 1, 0);
    text_field(b, "www", c->www, 1, 0);
    text_field(b, "hours", c->hours, 1, 0);
    text_field(b, "source", c->source, 1, 0);
    KJW_LIT(b, ",\"turnout_s\":");
    if (c->turnout_s > 0)
        kjw_int(b, c->turnout_s);
    else
        KJW_LIT(b, "null");
    KJW_LIT(b, ",\"response_turnout_s\":");
    kjw_int(b, response_turnout_s(c));
    num_field(b, "lon", c->lon, 7);
    num_field(b, "lat", c->lat, 7);
    KJW_LIT(b, "}");
}
