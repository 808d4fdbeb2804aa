/* service/strbuf.h -- a growable byte buffer with a hard cap, for text built piece by piece
 * (Prometheus metrics, batch output chunks).
 *
 * Appends past the cap or past available memory fail and latch: every later append fails too,
 * and strbuf_failed() tells, so a writer may append a whole record and check once. The data is
 * always NUL-terminated. */
#ifndef KKC_STRBUF_H
#define KKC_STRBUF_H

#include <stddef.h>
#include <string.h>

struct strbuf {
    char *data;   /* NULL until the first append */
    size_t len;   /* bytes used, without the terminating NUL */
    size_t alloc; /* bytes allocated */
    size_t cap;   /* the most len may reach */
    int failed;   /* 1 after an append failed (cap or memory) */
};

/* An empty buffer that may grow to cap bytes. Release with strbuf_free(). */
void strbuf_init(struct strbuf *b, size_t cap);
/* Append n bytes; 0 on success, -1 (and the buffer marked failed) over the cap or memory. */
int strbuf_append(struct strbuf *b, const void *data, size_t n);
/* strbuf_append() with its common case inline: the room is there already. */
static inline int strbuf_put(struct strbuf *b, const void *data, size_t n)
{
    if (b->data && !b->failed && n < b->alloc - b->len) {
        memcpy(b->data + b->len, data, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
    }
    return strbuf_append(b, data, n);
}
/* Room for n more bytes (and the NUL) at the end: where to write them, NULL (the buffer marked
 * failed) over the cap or memory. strbuf_added() then counts what was written there. */
char *strbuf_room(struct strbuf *b, size_t n);
/* Count n bytes (n at most what strbuf_room() gave) written at the end as appended. */
void strbuf_added(struct strbuf *b, size_t n);
/* Append printf-style; same return as strbuf_append(). */
int strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Drop the first n bytes (n <= len), keeping the rest. */
void strbuf_consume(struct strbuf *b, size_t n);
/* Empty the buffer (keeping its memory and clearing the failed mark). */
void strbuf_reset(struct strbuf *b);
/* Hand the data over: the caller frees it with free(); the buffer is left empty. NULL when the
 * buffer failed or out of memory. */
char *strbuf_take(struct strbuf *b);
/* Free the data; the buffer is left empty. */
void strbuf_free(struct strbuf *b);

#endif
