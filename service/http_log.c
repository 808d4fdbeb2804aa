/* service/http_log.c -- the buffered access log (see http_log.h). */
#include "http_log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define LOG_BUF (64 * 1024)
#define LOG_FLUSH_AT (32 * 1024)

struct http_log {
    FILE *f;
    pthread_mutex_t mu;
    size_t len;
    char buf[LOG_BUF];
};

struct http_log *http_log_create(FILE *f)
{
    struct http_log *l = f ? malloc(sizeof *l) : NULL;
    if (!l)
        return NULL;
    l->f = f;
    l->len = 0;
    pthread_mutex_init(&l->mu, NULL);
    return l;
}

static void flush_locked(struct http_log *l)
{
    if (l->len)
        fwrite(l->buf, 1, l->len, l->f);
    l->len = 0;
    fflush(l->f);
}

void http_log_write(struct http_log *l, const char *line, size_t n)
{
    if (!l)
        return;
    pthread_mutex_lock(&l->mu);
    if (l->len + n > LOG_BUF)
        flush_locked(l);
    if (n > LOG_BUF)
        fwrite(line, 1, n, l->f);
    else {
        memcpy(l->buf + l->len, line, n);
        l->len += n;
    }
    if (l->len >= LOG_FLUSH_AT)
        flush_locked(l);
    pthread_mutex_unlock(&l->mu);
}

void http_log_flush(struct http_log *l)
{
    if (!l)
        return;
    pthread_mutex_lock(&l->mu);
    if (l->len)
        flush_locked(l);
    pthread_mutex_unlock(&l->mu);
}

void http_log_destroy(struct http_log *l)
{
    if (!l)
        return;
    http_log_flush(l);
    pthread_mutex_destroy(&l->mu);
    free(l);
}

void http_log_escape(const char *s, char *out, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t j = 0;
    for (; *s && j + 5 < n; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
            out[j++] = '\\';
            out[j++] = 'x';
            out[j++] = hex[c >> 4];
            out[j++] = hex[c & 15];
        } else {
            out[j++] = (char)c;
        }
    }
    out[j] = '\0';
}
