/* service/http_pages.c -- libmicrohttpd's own error pages answered as our JSON errors.
 *
 * libmicrohttpd 0.9.75 answers some requests before any callback of ours sees them: a request
 * line or header fields that do not fit in the connection's memory (414, 431), a malformed
 * request line or header, a bad Content-Length, bad chunk framing, an unknown HTTP version.
 * Its body is then one of its built-in HTML pages, and it has no option to replace them. It
 * builds those responses with MHD_create_response_from_buffer() from its own read-only strings,
 * calling the function through its exported (interposable) symbol. This file defines that
 * function for the whole process: a buffer that is one of those pages is replaced by the
 * {"code", "message"} body that matches it, with a JSON Content-Type; every other call goes on
 * to libmicrohttpd's function unchanged. The status line stays libmicrohttpd's. If a later
 * libmicrohttpd stopped calling through the symbol, its pages would be HTML again:
 * tests/scripts/hardening.sh (a) checks the bodies. */
#include "http_pages.h"

#include "json_out.h"

#include <dlfcn.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_PREFIX "<html><head><title>"

/* A page of libmicrohttpd, recognised by a piece of its text, and what we answer instead: its
 * message in Czech and in English (the page is answered before the request's language is known,
 * so message is the Czech, message_en the English, as api.c's errors by default). */
struct page {
    const char *text, *code, *message, *cs;
};

static const struct page pages[] = {
    {"header was too big", "TooBig",
     "the request line or the header fields are too long for the server",
     "řádek požadavku nebo hlavičky jsou na server příliš dlouhé"},
    {"chunked encoding was syntactically", "InvalidQuery",
     "the chunked request body is malformed (bad chunk size line or framing)",
     "tělo požadavku po částech (chunked) je chybné (špatný řádek velikosti nebo rámování)"},
    {"chunk size used in your HTTP chunked", "TooBig", "a chunk of the request body is too large",
     "část těla požadavku je příliš velká"},
    {"too large value for <b>Content-Length", "TooBig", "the Content-Length is too large",
     "Content-Length je příliš velká"},
    {"wrong value for <b>Content-Length", "InvalidQuery",
     "the Content-Length header is not a number of bytes",
     "hlavička Content-Length není počet bajtů"},
    {"Host:&quot; header required", "InvalidQuery", "an HTTP/1.1 request needs a Host header",
     "požadavek HTTP/1.1 potřebuje hlavičku Host"},
    {"version is too old", "HttpVersionNotSupported",
     "the HTTP version is not supported (HTTP/1.0 and HTTP/1.1 are)",
     "tato verze HTTP není podporována (podporované jsou HTTP/1.0 a HTTP/1.1)"},
    {"version is not supported", "HttpVersionNotSupported",
     "the HTTP version is not supported (HTTP/1.0 and HTTP/1.1 are)",
     "tato verze HTTP není podporována (podporované jsou HTTP/1.0 a HTTP/1.1)"},
    {"request was syntactically incorrect", "InvalidQuery",
     "the request line or a header field is malformed",
     "řádek požadavku nebo pole hlavičky je chybné"},
    {"Internal server error", "InternalError", "the server could not handle the request",
     "server nedokázal požadavek zpracovat"},
};

typedef struct MHD_Response *(*from_buffer_fn)(size_t, void *, enum MHD_ResponseMemoryMode);

static from_buffer_fn real_from_buffer;
static const char *page_bodies[sizeof pages / sizeof pages[0]];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void pages_init(void)
{
    void *f = dlsym(RTLD_NEXT, "MHD_create_response_from_buffer");
    if (f) /* ISO C has no cast from an object pointer to a function pointer */
        memcpy(&real_from_buffer, &f, sizeof real_from_buffer);
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++)
        page_bodies[i] = /* kept */
            kkc_json_error_body_lang(pages[i].code, pages[i].cs, pages[i].message);
}

/* The JSON body for a libmicrohttpd page (a persistent buffer of its own), else NULL. */
static const char *json_for(const char *buf, size_t size, enum MHD_ResponseMemoryMode mode)
{
    Dl_info info;
    if (mode != MHD_RESPMEM_PERSISTENT || size < sizeof PAGE_PREFIX ||
        memcmp(buf, PAGE_PREFIX, sizeof PAGE_PREFIX - 1) != 0)
        return NULL;
    if (!dladdr(buf, &info) || !info.dli_fname || !strstr(info.dli_fname, "libmicrohttpd"))
        return NULL; /* HTML of ours (none is sent this way, but only its pages are rewritten) */
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++)
        if (memmem(buf, size, pages[i].text, strlen(pages[i].text)))
            return page_bodies[i];
    return NULL;
}

struct MHD_Response *MHD_create_response_from_buffer(size_t size, void *buffer,
                                                     enum MHD_ResponseMemoryMode mode)
{
    const char *json;
    struct MHD_Response *r;
    pthread_once(&once, pages_init);
    if (!real_from_buffer)
        return NULL;
    json = buffer ? json_for(buffer, size, mode) : NULL;
    if (!json)
        return real_from_buffer(size, buffer, mode);
    r = real_from_buffer(strlen(json), (void *)json, MHD_RESPMEM_PERSISTENT);
    if (r)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
    return r;
}

int http_pages_active(void)
{
    pthread_once(&once, pages_init);
    return real_from_buffer != NULL;
}
