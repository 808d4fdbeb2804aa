/* service/static_files.h -- the map page's static files: a file under a directory (which path
 * is which file of which directory is the route table's, routes.c: "/" and "/static/..." from
 * the web directory, "/leaflet/..." from libjs-leaflet).
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

/* The response for a GET/HEAD of the file rel under dir when there is one (NULL otherwise: no
 * dir, no such regular file, a ".." or hidden part in rel), with its headers set; *status is
 * 200 or 304. packaged: dir is a packaged library's (Leaflet: may be kept for a day). */
struct MHD_Response *static_response(struct MHD_Connection *con, const char *dir,
                                     const char *rel, int packaged, unsigned *status);

/* Free the compressed copies kept in the cache (when the server stops, no request running). */
void static_files_release(void);

#endif
