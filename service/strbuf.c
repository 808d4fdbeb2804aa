/* service/strbuf.c -- growable byte buffer with a hard cap. */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(struct strbuf *b, size_t cap)
{
    memset(b, 0, sizeof *b);
    b->cap = cap;
}

/* Make room for need more bytes plus the NUL; 0 or -1. Grows geometrically. */
static int strbuf_reserve(struct strbuf *b, size_t need)
{
    size_t want = b->len + need + 1, n;
    char *grown;
    if (b->failed || need > b->cap - b->len) {
        b->failed = 1;
        return -1;
    }
    if (want <= b->alloc)
        return 0;
    n = b->alloc ? b->alloc : 256;
    while (n < want)
        n *= 2;
    if (n > b->cap + 1)
        n = b->cap + 1;
    grown = realloc(b->data, n);
    if (!grown) {
        b->failed = 1;
        return -1;
    }
    b->data = grown;
    b->alloc = n;
    return 0;
}

int strbuf_append(struct strbuf *b, const void *data, size_t n)
{
    if (strbuf_reserve(b, n))
        return -1;
    memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

char *strbuf_room(struct strbuf *b, size_t n)
{
    return strbuf_reserve(b, n) ? NULL : b->data + b->len;
}

void strbuf_added(struct strbuf *b, size_t n)
{
    b->len += n;
    b->data[b->len] = '\0';
}

int strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return -1;
    }
    if ((size_t)n < sizeof small)
        return strbuf_append(b, small, (size_t)n);
    if (strbuf_reserve(b, (size_t)n))
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void strbuf_consume(struct strbuf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
    } else {
        memmove(b->data, b->data + n, b->len - n);
        b->len -= n;
    }
    if (b->data)
        b->data[b->len] = '\0';
}

void strbuf_reset(struct strbuf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->data)
        b->data[0] = '\0';
}

char *strbuf_take(struct strbuf *b)
{
    char *s = b->failed ? NULL : b->data ? b->data : strdup("");
    if (b->failed)
        free(b->data);
    b->data = NULL;
    b->len = b->alloc = 0;
    b->failed = 0;
    return s;
}

void strbuf_free(struct strbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->alloc = 0;
    b->failed = 0;
}
