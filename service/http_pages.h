/* service/http_pages.h -- libmicrohttpd's built-in HTML error pages become JSON errors
 * (see http_pages.c: the process defines MHD_create_response_from_buffer()). */
#ifndef KKC_HTTP_PAGES_H
#define KKC_HTTP_PAGES_H

/* 1 when libmicrohttpd's function was found (the rewrite works), 0 if not. Also links the file. */
int http_pages_active(void);

#endif
