/* service/static_files.h -- the map page's static files: "/" and "/static/..." from the web
 * directory, "/leaflet/..." from libjs-leaflet.
 *
 * Every file gets an ETag from its size and modification time; a request whose If-None-Match
 * names it is answered 304 without a body. Text files (HTML, JS, CSS, JSON, SVG) are sent gzip-
 * compressed to a client that accepts gzip: a sibling FILE.gz at least as new as FILE is sent as
 * it is (libjs-leaflet ships them), otherwise the file is compressed with zlib once and kept in a
 * small cache checked against the file's size and time. Cache-Control: Leaflet (a packaged,
 * versioned library) may be kept for a day; the page's own files are revalidated on every load
 * (no-cache), which the ETag turns into a 304. */
#ifndef KKC_STATIC_FILES_H
#define KKC_STATIC_FILES_H

struct MHD_Connection;
struct MHD_Response;

/* The response for a GET/HEAD of url when it names a static file (NULL otherwise), with its
 * headers set; *status is 200 or 304. */
struct MHD_Response *static_response(struct MHD_Connection *con, const char *web_dir,
                                     const char *leaflet_dir, const char *url, unsigned *status);

/* Free the compressed copies kept in the cache (when the server stops, no request running). */
void static_files_release(void);

#endif
