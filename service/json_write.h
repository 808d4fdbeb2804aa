/* service/json_write.h -- JSON text written straight into a buffer, byte for byte as jansson's
 * json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(15)) writes it (the form of every answer).
 *
 * The profile of GET /v1/nearest (BENCHMARKS.md) spent most of its CPU in building the jansson
 * tree and dumping it: printf's %.15g for each real, a hash per key, a malloc per value. These
 * writers take the short way: reals with few decimals without printf, strings escaped in one
 * pass, and the public form of a centre without any tree. tests/service/test_json_write.c
 * checks them against jansson's own output. */
#ifndef KKC_JSON_WRITE_H
#define KKC_JSON_WRITE_H

#include "strbuf.h"

#include <jansson.h>

struct centre;

/* Append a string literal. */
#define KJW_LIT(b, s) strbuf_put((b), (s), sizeof(s) - 1)

/* Append v as jansson dumps it (any type); -1 when v is NULL or the buffer failed. */
int kjw_value(struct strbuf *b, const json_t *v);
/* Append a real as jansson dumps it with precision 15 (non-finite: null). */
void kjw_real(struct strbuf *b, double x);
/* Append kkc_json_num(x, decimals) as jansson dumps it, from the digits of x * 10^decimals. */
void kjw_fixed(struct strbuf *b, double x, int decimals);
/* Append an integer. */
void kjw_int(struct strbuf *b, long long v);
/* Append n bytes of UTF-8 text as a JSON string (quotes, escapes as jansson's). */
void kjw_string(struct strbuf *b, const char *s, size_t n);
/* Whether s is UTF-8 as jansson accepts it (json_string() refuses anything else). */
int kjw_utf8_ok(const char *s);
/* Text that is not UTF-8 made so: every byte >= 0x80 becomes '?', the ASCII stays (in place). */
void kjw_mark_non_ascii(char *s);
/* Append {"type":"LineString","coordinates":[[x,y],...]} of n points (x, y pairs), each
 * rounded to decimals as kkc_json_num() rounds: the bytes of that tree dumped. */
void kjw_line(struct strbuf *b, const double *coords, size_t n, int decimals);
/* Append the public form of a centre: the bytes of kkc_json_centre(c) dumped. */
void kjw_centre(struct strbuf *b, const struct centre *c);
/* v dumped (an object or an array, as json_dumps) into a new string the caller frees; NULL
 * for other values or when out of memory. */
char *kjw_dump(const json_t *v);

#endif
