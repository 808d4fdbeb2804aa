/* service/params.h -- query-string parameters: strict parsing, duplicates, unknown names.
 *
 * The HTTP layer adds every key=value it receives (already percent-decoded, borrowed for the
 * request's lifetime); handlers then take typed values. A parameter given twice, a value with
 * trailing junk, NaN/inf, or a name no handler asked for is an error (KKC_EINVAL). */
#ifndef KKC_PARAMS_H
#define KKC_PARAMS_H

#include "base/err.h"

#include <stddef.h>

#define PARAMS_MAX 32

struct params {
    int n;
    int overflow;         /* more than PARAMS_MAX were given */
    const char *dup;      /* first duplicated name, or NULL */
    int nul;              /* a name or value held a NUL byte (%00) */
    struct {
        const char *key, *value;
        int used;
    } kv[PARAMS_MAX];
};

void params_init(struct params *p);
/* Record one parameter (both strings borrowed). */
void params_add(struct params *p, const char *key, const char *value);
/* The same with the decoded sizes: a name or value with an embedded NUL is an error. */
void params_add_n(struct params *p, const char *key, size_t key_size, const char *value,
                  size_t value_size);

/* The raw value of key (marking it used), or NULL when absent. */
const char *params_str(struct params *p, const char *key);

/* A finite number in [min, max]. required: KKC_EINVAL when absent; otherwise absent leaves *out
 * unchanged and returns KKC_OK. */
enum kkc_code params_double(struct params *p, const char *key, int required, double min,
                            double max, double *out, struct kkc_err *err);
/* An integer in [min, max], same rules. */
enum kkc_code params_long(struct params *p, const char *key, int required, long min, long max,
                          long *out, struct kkc_err *err);
/* true/false (also 1/0); absent leaves *out unchanged. */
enum kkc_code params_bool(struct params *p, const char *key, int *out, struct kkc_err *err);
/* One of the NULL-terminated choices; *out is its index; absent leaves *out unchanged. */
enum kkc_code params_choice(struct params *p, const char *key, const char *const *choices,
                            int *out, struct kkc_err *err);

/* After a handler has taken what it knows: KKC_EINVAL for duplicates, too many parameters or
 * any parameter nobody used. Call it before doing the work. */
enum kkc_code params_finish(struct params *p, struct kkc_err *err);

/* The one list parser of service/: the items of a list value "a,b,c" (separator sep), walked
 * with params_item_next() into a bounded buffer, never writing into the value. params_items()
 * skips empty items ("a,,b" has two, as strtok() would); params_items_exact() keeps them ("a,,b"
 * has three, "a," two) and reads len bytes of s, which need not end there. */
struct params_items {
    const char *p, *end;
    char sep;
    int exact, done;
};
struct params_items params_items(const char *s, char sep);
struct params_items params_items_exact(const char *s, size_t len, char sep);
/* The next item, NUL-terminated, into buf (cap bytes): 1; 0 after the last; -1 when the item
 * does not fit (it is skipped). */
int params_item_next(struct params_items *it, char *buf, size_t cap);
/* The next item in place: *item (not NUL-terminated) and *len; 1, or 0 after the last. For
 * lists of lists ("1,2,3,4|5,6,7,8"): walk the inner items with params_items_exact(*item, *len). */
int params_item_span(struct params_items *it, const char **item, size_t *len);
/* How many items params_item_next() will give (the exact walk: separators + 1). */
size_t params_items_count(const char *s, size_t len, char sep);

/* "A,B": exactly two finite decimals separated by one comma (params_parse_double each) into a and
 * b. 1 ok, 0 not. */
int params_parse_pair(const char *s, double *a, double *b);
/* "LON,LAT" in WGS84 degrees (|lon| <= 180, |lat| <= 90). 1 ok, 0 not. */
int params_parse_lonlat(const char *s, double *lon, double *lat);

/* Parse a whole string as a finite double (no hex, no junk). 1 ok, 0 not. */
int params_parse_double(const char *s, double *out);

#endif
