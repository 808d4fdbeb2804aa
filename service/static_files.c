/* service/static_files.c -- static files with ETag, 304 and gzip (see static_files.h). */
#include "static_files.h"

#include <fcntl.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define GZ_CACHE_SLOTS 32
#define GZ_MAX_FILE (8u << 20) /* larger files are sent as they are */
#define GZ_MIN_FILE 512        /* smaller ones too: compression gains nothing */

struct gz_slot {
    char path[1024];
    off_t size;
    struct timespec mtime;
    unsigned char *data;
    size_t len;
};

static struct gz_slot gz_cache[GZ_CACHE_SLOTS];
static unsigned gz_next;
static pthread_mutex_t gz_mu = PTHREAD_MUTEX_INITIALIZER;

/* Content type by file extension; *text when it is worth compressing. */
static const char *mime_of(const char *path, int *text)
{
    static const char *const map[][2] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},   {".json", "application/json"},
        {".svg", "image/svg+xml"},             {".png", "image/png"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(dot, map[i][0]) == 0) {
            *text = i < 5;
            return map[i][1];
        }
    *text = 0;
    return "application/octet-stream";
}

static int same_version(const struct stat *a, off_t size, struct timespec mtime)
{
    return a->st_size == size && a->st_mtim.tv_sec == mtime.tv_sec &&
           a->st_mtim.tv_nsec == mtime.tv_nsec;
}

/* gzip of the n bytes at in into a new buffer (*out, *out_len); 0 on success. */
static int gzip_buf(const unsigned char *in, size_t n, unsigned char **out, size_t *out_len)
{
    z_stream z = {0};
    uLong cap;
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    cap = deflateBound(&z, (uLong)n);
    *out = malloc(cap);
    if (!*out) {
        deflateEnd(&z);
        return -1;
    }
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = *out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
        deflateEnd(&z);
        free(*out);
        return -1;
    }
    *out_len = z.total_out;
    deflateEnd(&z);
    return 0;
}

/* The whole file at fd (sb.st_size bytes) gzip-compressed; 0 on success. */
static int gzip_fd(int fd, const struct stat *sb, unsigned char **out, size_t *out_len)
{
    size_t n = (size_t)sb->st_size, got = 0;
    unsigned char *in = malloc(n ? n : 1);
    int rc;
    if (!in)
        return -1;
    while (got < n) {
        ssize_t k = pread(fd, in + got, n - got, (off_t)got);
        if (k <= 0) {
            free(in);
            return -1;
        }
        got += (size_t)k;
    }
    rc = gzip_buf(in, n, out, out_len);
    free(in);
    return rc;
}

/* A response with the gzip of path (open as fd), from the cache or compressed now. */
static struct MHD_Response *gz_cached(const char *path, int fd, const struct stat *sb)
{
    struct MHD_Response *mr = NULL;
    unsigned char *data;
    size_t len;
    pthread_mutex_lock(&gz_mu);
    for (unsigned i = 0; i < GZ_CACHE_SLOTS; i++) {
        struct gz_slot *s = &gz_cache[i];
        if (s->data && strcmp(s->path, path) == 0 && same_version(sb, s->size, s->mtime))
            mr = MHD_create_response_from_buffer(s->len, s->data, MHD_RESPMEM_MUST_COPY);
    }
    pthread_mutex_unlock(&gz_mu);
    if (mr || gzip_fd(fd, sb, &data, &len) != 0)
        return mr;
    mr = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_COPY);
    pthread_mutex_lock(&gz_mu);
    {
        struct gz_slot *s = &gz_cache[gz_next++ % GZ_CACHE_SLOTS];
        free(s->data);
        snprintf(s->path, sizeof s->path, "%s", path);
        s->size = sb->st_size;
        s->mtime = sb->st_mtim;
        s->data = data;
        s->len = len;
    }
    pthread_mutex_unlock(&gz_mu);
    return mr;
}

/* A pre-compressed sibling path.gz not older than the file: its response, else NULL. */
static struct MHD_Response *gz_sibling(const char *path, const struct stat *sb)
{
    char gz[1100];
    struct stat gs;
    int fd;
    snprintf(gz, sizeof gz, "%s.gz", path);
    fd = open(gz, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    if (fstat(fd, &gs) != 0 || !S_ISREG(gs.st_mode) || gs.st_mtim.tv_sec < sb->st_mtim.tv_sec) {
        close(fd);
        return NULL;
    }
    return MHD_create_response_from_fd((uint64_t)gs.st_size, fd);
}

/* Does the client accept gzip (a "gzip" coding not given q=0)? */
static int accepts_gzip(struct MHD_Connection *con)
{
    const char *ae = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_ACCEPT_ENCODING);
    const char *g = ae ? strstr(ae, "gzip") : NULL;
    if (!g)
        return 0;
    g += 4 + strspn(g + 4, " ");
    if (*g != ';')
        return 1;
    g += 1 + strspn(g + 1, " ");
    if (strncmp(g, "q=0", 3) != 0)
        return 1;
    g += 3;
    if (*g == '.')
        g += 1 + strspn(g + 1, "0");
    return !(*g == '\0' || *g == ',' || *g == ' ');
}

/* Does If-None-Match (a list of entity tags, or "*") name etag? Weak tags compare by value. */
static int etag_matches(struct MHD_Connection *con, const char *etag)
{
    const char *inm = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
                                                  MHD_HTTP_HEADER_IF_NONE_MATCH);
    size_t n = strlen(etag);
    if (!inm)
        return 0;
    for (const char *p = inm; *p;) {
        p += strspn(p, " \t,");
        if (*p == '*')
            return 1;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
            return 1;
        p += strcspn(p, ",");
    }
    return 0;
}

/* The file under dir for rel (no "..", no hidden files), open, with its stat; -1 when absent. */
static int open_file(const char *dir, const char *rel, char *path, size_t cap, struct stat *sb)
{
    int fd;
    if (!dir || strstr(rel, "..") || strstr(rel, "/.") || rel[0] == '.')
        return -1;
    snprintf(path, cap, "%s/%s", dir, rel);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fstat(fd, sb) != 0 || !S_ISREG(sb->st_mode)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* The body of the file: gzip-compressed when *gz and it can be, else as it is (fd then owned
 * by the response); *gz says which it became. */
static struct MHD_Response *file_body(const char *path, int fd, const struct stat *sb, int *gz)
{
    struct MHD_Response *mr = NULL;
    if (*gz) {
        mr = gz_sibling(path, sb);
        if (!mr)
            mr = gz_cached(path, fd, sb);
    }
    if (mr) {
        close(fd);
        return mr;
    }
    *gz = 0;
    return MHD_create_response_from_fd((uint64_t)sb->st_size, fd);
}

struct MHD_Response *static_response(struct MHD_Connection *con, const char *dir,
                                     const char *rel, int packaged, unsigned *status)
{
    char path[1024], etag[96];
    struct stat sb;
    struct MHD_Response *mr;
    int text, gz, fd;
    fd = rel ? open_file(dir, rel, path, sizeof path, &sb) : -1;
    if (fd < 0)
        return NULL;
    const char *type = mime_of(path, &text);
    gz = text && sb.st_size >= GZ_MIN_FILE && (size_t)sb.st_size <= GZ_MAX_FILE && accepts_gzip(con);
    snprintf(etag, sizeof etag, "\"%jx-%jx.%lx%s\"", (uintmax_t)sb.st_size,
             (uintmax_t)sb.st_mtim.tv_sec, (unsigned long)sb.st_mtim.tv_nsec, gz ? "-gz" : "");
    if (etag_matches(con, etag)) {
        close(fd);
        mr = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        *status = MHD_HTTP_NOT_MODIFIED;
    } else {
        mr = file_body(path, fd, &sb, &gz);
        *status = MHD_HTTP_OK;
        if (mr && gz)
            MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
        if (mr)
            MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    }
    if (!mr)
        return NULL;
    MHD_add_response_header(mr, MHD_HTTP_HEADER_ETAG, etag);
    if (text)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    MHD_add_response_header(mr, MHD_HTTP_HEADER_CACHE_CONTROL,
                            packaged ? "public, max-age=86400" : "no-cache");
    return mr;
}

void static_files_release(void)
{
    pthread_mutex_lock(&gz_mu);
    for (unsigned i = 0; i < GZ_CACHE_SLOTS; i++) {
        free(gz_cache[i].data);
        gz_cache[i].data = NULL;
    }
    pthread_mutex_unlock(&gz_mu);
}
