/* geo/road/import/osm_read.c -- the OSM file of an import: .osm (validated first), .osm.pbf,
 * .osm.bz2 (decompressed to a temporary .osm), read by readosm into the import's callbacks. */
#include "road/import/osm_imp.h"

#include "road/import/osm_check.h"

#include <bzlib.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* 1 when s ends with suffix. */
static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Write n bytes to fd. Returns 0, or -1 with errno set. */
static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Open the bzip2 stream that starts in f (after the unused bytes of the previous stream).
 * Returns the handle or NULL. */
static BZFILE *bz2_open(FILE *f, char *unused, int nunused)
{
    int e;
    BZFILE *bz = BZ2_bzReadOpen(&e, f, 0, 0, nunused ? unused : NULL, nunused);
    if (e != BZ_OK) {
        BZ2_bzReadClose(&e, bz);
        return NULL;
    }
    return bz;
}

/* End the stream bz; keep its unused bytes for the next one. Returns 1 when another stream
 * follows in f, 0 at the end of the file. */
static int bz2_next(BZFILE *bz, FILE *f, char *unused, int *nunused)
{
    void *u = NULL;
    int e, c;

    BZ2_bzReadGetUnused(&e, bz, &u, nunused);
    if (e != BZ_OK)
        *nunused = 0;
    if (*nunused > 0)
        memcpy(unused, u, (size_t)*nunused);
    BZ2_bzReadClose(&e, bz);
    if (*nunused > 0)
        return 1;
    c = fgetc(f);
    if (c == EOF)
        return 0;
    ungetc(c, f);
    return 1;
}

/* Decompress the .bz2 file src (one or more concatenated streams) into fd. Returns KKC_OK,
 * KKC_ENOTFOUND, KKC_EINVAL (not bzip2 / corrupt), KKC_ETOOBIG or KKC_EIO. */
static enum kkc_code bz2_inflate(const char *src, int fd, struct kkc_err *err)
{
    char buf[1 << 16], unused[BZ_MAX_UNUSED];
    int nunused = 0, e = BZ_OK, more = 1;
    unsigned long long total = 0;
    enum kkc_code rc = KKC_OK;
    BZFILE *bz = NULL;
    FILE *f = fopen(src, "rb");

    if (!f)
        return kkc_err_set(err, KKC_ENOTFOUND, "%s: %s", src, strerror(errno));
    while (!rc && more) {
        bz = bz2_open(f, unused, nunused);
        e = BZ_OK;
        while (bz && e == BZ_OK) {
            int n = BZ2_bzRead(&e, bz, buf, sizeof buf);
            if ((e != BZ_OK && e != BZ_STREAM_END) || n < 0)
                break;
            total += (unsigned long long)n;
            if (total > OSM_IMPORT_MAX_BZ2_BYTES)
                rc = kkc_err_set(err, KKC_ETOOBIG, "%s: decompresses to more than %llu bytes", src,
                                 OSM_IMPORT_MAX_BZ2_BYTES);
            else if (write_all(fd, buf, (size_t)n) != 0)
                rc = kkc_err_set(err, KKC_EIO, "%s: writing temporary file: %s", src,
                                 strerror(errno));
            if (rc)
                e = BZ_IO_ERROR;
        }
        if (!rc && (!bz || e != BZ_STREAM_END))
            rc = kkc_err_set(err, e == BZ_IO_ERROR ? KKC_EIO : KKC_EINVAL,
                             "%s: not a valid bzip2 file (bzip2 error %d)", src, e);
        if (bz && !rc)
            more = bz2_next(bz, f, unused, &nunused);
        else if (bz)
            BZ2_bzReadClose(&e, bz);
    }
    fclose(f);
    return rc;
}

/* Decompress the .osm.bz2 o->path into a new temporary .osm file whose name goes to tmp
 * (cap bytes; empty when none was created). The caller unlinks tmp. */
static enum kkc_code bz2_to_temp(struct imp *im, char *tmp, size_t cap)
{
    const char *dir = getenv("TMPDIR");
    enum kkc_code rc;
    int fd;

    if (!dir || !*dir)
        dir = "/tmp";
    if ((size_t)snprintf(tmp, cap, "%s/kkc-osm-XXXXXX.osm", dir) >= cap) {
        tmp[0] = '\0';
        return kkc_err_set(im->err, KKC_EINVAL, "TMPDIR too long");
    }
    fd = mkstemps(tmp, 4);
    if (fd < 0) {
        rc = kkc_err_set(im->err, KKC_EIO, "temporary file %s: %s", tmp, strerror(errno));
        tmp[0] = '\0';
        return rc;
    }
    rc = bz2_inflate(im->o->path, fd, im->err);
    if (close(fd) != 0 && !rc)
        rc = kkc_err_set(im->err, KKC_EIO, "temporary file %s: %s", tmp, strerror(errno));
    return rc;
}

/* Turn a readosm result into an error code with a message. */
static enum kkc_code readosm_code(struct imp *im, int r)
{
    const char *p = im->o->path;
    switch (r) {
    case READOSM_OK:
        return KKC_OK;
    case READOSM_ABORT:
        return im->rc ? im->rc : kkc_err_set(im->err, KKC_EINTERNAL, "%s: parse aborted", p);
    case READOSM_FILE_NOT_FOUND:
        return kkc_err_set(im->err, KKC_ENOTFOUND, "%s: file not found", p);
    case READOSM_INSUFFICIENT_MEMORY:
        return kkc_err_set(im->err, KKC_ENOMEM, "%s: out of memory", p);
    case READOSM_READ_ERROR:
        return kkc_err_set(im->err, KKC_EIO, "%s: read error or truncated file", p);
    default:
        return kkc_err_set(im->err, KKC_EINVAL, "%s: not a valid OSM file (readosm error %d)", p,
                           r);
    }
}

/* Read the OSM file (o->path, or its decompressed copy tmp) into im. tmp (cap bytes) receives
 * the name of a temporary file to unlink, or stays empty. Known upstream defect: libreadosm
 * 1.1.0 leaks its expat parser (~8 KB) when an .osm file is malformed or a callback aborts. */
enum kkc_code osm_read(struct imp *im, char *tmp, size_t cap)
{
    const char *path = im->o->path;
    const void *h = NULL;
    enum kkc_code rc;
    int r;

    tmp[0] = '\0';
    if (access(path, R_OK) != 0)
        return kkc_err_set(im->err, KKC_ENOTFOUND, "%s: %s", path, strerror(errno));
    if (ends_with(path, ".bz2")) {
        rc = bz2_to_temp(im, tmp, cap);
        if (rc)
            return rc;
        path = tmp;
    } else if (!ends_with(path, ".osm") && !ends_with(path, ".pbf")) {
        return kkc_err_set(im->err, KKC_EINVAL, "%s: expected .osm, .osm.pbf or .osm.bz2", path);
    }
    /* readosm crashes on some malformed XML: validate it first (PBF is checked by readosm) */
    if (!ends_with(path, ".pbf") && (rc = osm_check_xml(path, im->err)) != KKC_OK)
        return rc;
    r = readosm_open(path, &h);
    if (r == READOSM_OK)
        r = readosm_parse(h, im, osm_imp_on_node, osm_imp_on_way, osm_imp_on_relation);
    if (h)
        readosm_close(h);
    return readosm_code(im, r);
}
