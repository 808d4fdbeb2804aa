/* service/http_log.h -- the access log, buffered: lines are gathered in memory and written in
 * blocks (when 32 KiB are waiting, on http_log_flush(), which the server calls twice a second,
 * and when it stops). A line per request written through a line-buffered stream cost a write(2)
 * and a contended stream lock per request: more than the whole of a GET /v1/nearest
 * (BENCHMARKS.md). A line reaches the file within about half a second; a crash loses at most
 * that much. */
#ifndef KKC_HTTP_LOG_H
#define KKC_HTTP_LOG_H

#include <stddef.h>
#include <stdio.h>

struct http_log;

/* A buffer in front of f (which stays the caller's); NULL when f is NULL or out of memory. */
struct http_log *http_log_create(FILE *f);
/* Append one line (n bytes, its newline included). Thread-safe. */
void http_log_write(struct http_log *l, const char *line, size_t n);
/* Write what is waiting to the stream and flush it. Thread-safe; NULL is a no-op. */
void http_log_flush(struct http_log *l);
/* Flush, then free. NULL is a no-op. */
void http_log_destroy(struct http_log *l);
/* Copy s into out (size n > 4) with control bytes, quotes and backslashes as \xHH. */
void http_log_escape(const char *s, char *out, size_t n);

#endif
