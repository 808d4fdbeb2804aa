/* geo/coverage/contour_poly.c -- traced rings into GEOS polygons: shells with their holes, small
 * holes filled, or the complement of the rings within an outer polygon.
 *
 * The rings come from contour_trace() (contour.c) with their nesting (parent) filled; the plane
 * maps their metres back to lon/lat. */
#include "coverage/contour.h"
#include "coverage/shape.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- polygons ------------------------------------------------------------------------------ */

/* Whether ring r is kept: not a hole under fill_m2, and everything around it kept. memo: 0
 * unknown, 1 kept, 2 dropped. */
static int ring_kept(const struct contour_rings *rs, size_t r, double fill_m2, uint8_t *memo)
{
    if (!memo[r]) {
        const struct contour_ring *q = &rs->ring[r];
        int keep = !(q->area < 0 && -q->area < fill_m2) &&
                   (q->parent < 0 || ring_kept(rs, (size_t)q->parent, fill_m2, memo));
        memo[r] = keep ? 1 : 2;
    }
    return memo[r] == 1;
}

/* A GEOS ring from plane points p[0..n) in lon/lat, reversed when rev; NULL on failure. */
static GEOSGeometry *geos_ring(GEOSContextHandle_t h, const struct contour_plane *pl,
                               const double *p, size_t n, int rev)
{
    double *buf = malloc((n + 1) * 2 * sizeof *buf);
    GEOSGeometry *ring;
    if (!buf)
        return NULL;
    for (size_t k = 0; k < n; k++) {
        size_t s = rev ? n - 1 - k : k;
        contour_plane_lonlat(pl, p[2 * s], p[2 * s + 1], &buf[2 * k], &buf[2 * k + 1]);
    }
    ring = shape_ring_close(h, buf, n);
    free(buf);
    return ring;
}

/* The holes of one face: the kept children kids[] of its shell ring. */
struct face_holes {
    GEOSContextHandle_t h;
    const struct contour_rings *rs;
    const struct contour_plane *pl;
    const size_t *kids;
    int rev;
};

static GEOSGeometry *face_hole(void *arg, size_t k)
{
    const struct face_holes *fh = arg;
    const struct contour_ring *q = &fh->rs->ring[fh->kids[k]];
    return geos_ring(fh->h, fh->pl, fh->rs->xy + 2 * q->first, q->count, fh->rev);
}

/* One polygon: shell ring s (reversed when rev) with the kept children of s as holes. Rings
 * listed in kids[kfirst[s] .. kfirst[s + 1]). NULL on failure. */
static GEOSGeometry *geos_face(GEOSContextHandle_t h, const struct contour_rings *rs,
                               const struct contour_plane *pl, const double *shell, size_t ns,
                               int rev, const size_t *kids, size_t nk)
{
    struct face_holes fh = {h, rs, pl, kids, rev};
    return shape_polygon(h, geos_ring(h, pl, shell, ns, rev), nk, face_hole, &fh);
}

/* The kept rings grouped under their parents: kids[first[p] .. first[p + 1]) are the kept
 * children of ring p; p = rs->n stands for "no parent". Caller frees both arrays. 0 or -1. */
static int ring_children(const struct contour_rings *rs, double fill_m2, size_t **kids,
                         size_t **first, uint8_t **kept)
{
    size_t n = rs->n, *f = calloc(n + 2, sizeof *f), *k = malloc((n + 1) * sizeof *k);
    uint8_t *memo = calloc(n + 1, 1);
    if (!f || !k || !memo) {
        free(f), free(k), free(memo);
        return -1;
    }
    for (size_t r = 0; r < n; r++)
        if (ring_kept(rs, r, fill_m2, memo))
            f[(rs->ring[r].parent < 0 ? n : (size_t)rs->ring[r].parent) + 1]++;
    for (size_t p = 0; p <= n; p++)
        f[p + 1] += f[p];
    size_t *pos = malloc((n + 1) * sizeof *pos);
    if (!pos) {
        free(f), free(k), free(memo);
        return -1;
    }
    memcpy(pos, f, (n + 1) * sizeof *pos);
    for (size_t r = 0; r < n; r++)
        if (memo[r] == 1)
            k[pos[rs->ring[r].parent < 0 ? n : (size_t)rs->ring[r].parent]++] = r;
    free(pos);
    *kids = k, *first = f, *kept = memo;
    return 0;
}

/* Collect polygons into a MultiPolygon (taking them); NULL on failure. */
static GEOSGeometry *geos_multi(GEOSContextHandle_t h, GEOSGeometry **polys, size_t n)
{
    if (n == 0)
        return GEOSGeom_createEmptyCollection_r(h, GEOS_MULTIPOLYGON);
    return GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, (unsigned)n);
}

/* Shared body of contour_polygons (outer == NULL) and contour_complement. */
static enum kkc_code build_faces(GEOSContextHandle_t h, const struct contour_rings *rs,
                                 const struct contour_plane *pl, double fill_m2,
                                 const double *outer, size_t nouter, GEOSGeometry **out,
                                 struct kkc_err *err)
{
    size_t *kids = NULL, *first = NULL, np = 0, n = rs->n;
    uint8_t *kept = NULL;
    GEOSGeometry **polys = malloc((n + 1) * sizeof *polys);
    int want_holes = outer != NULL; /* complement: faces are the holes */

    *out = NULL;
    if (!polys || ring_children(rs, fill_m2, &kids, &first, &kept))
        goto oom;
    if (outer) {
        double a = 0;
        for (size_t k = 0; k < nouter; k++) {
            size_t l = (k + 1) % nouter;
            a += outer[2 * k] * outer[2 * l + 1] - outer[2 * l] * outer[2 * k + 1];
        }
        if (!(polys[np++] = geos_face(h, rs, pl, outer, nouter, a < 0, kids + first[n],
                                      first[n + 1] - first[n])))
            goto geos;
    }
    for (size_t r = 0; r < n; r++) {
        const struct contour_ring *q = &rs->ring[r];
        if (kept[r] != 1 || (q->area < 0) != want_holes)
            continue;
        if (!(polys[np] = geos_face(h, rs, pl, rs->xy + 2 * q->first, q->count, want_holes,
                                    kids + first[r], first[r + 1] - first[r])))
            goto geos;
        np++;
    }
    *out = geos_multi(h, polys, np);
    np = 0;
    if (!*out)
        goto geos;
    free(polys), free(kids), free(first), free(kept);
    return KKC_OK;
oom:
    free(polys), free(kids), free(first), free(kept);
    return kkc_err_set(err, KKC_ENOMEM, "out of memory (polygons)");
geos:
    while (np > 0)
        GEOSGeom_destroy_r(h, polys[--np]);
    free(polys), free(kids), free(first), free(kept);
    return kkc_err_set(err, KKC_EINTERNAL, "GEOS could not build a polygon");
}

enum kkc_code contour_polygons(GEOSContextHandle_t h, const struct contour_rings *rs,
                               const struct contour_plane *pl, double fill_m2, GEOSGeometry **out,
                               struct kkc_err *err)
{
    return build_faces(h, rs, pl, fill_m2, NULL, 0, out, err);
}

enum kkc_code contour_complement(GEOSContextHandle_t h, const struct contour_rings *rs,
                                 const struct contour_plane *pl, double fill_m2,
                                 const double *outer, size_t n, GEOSGeometry **out,
                                 struct kkc_err *err)
{
    if (n < 3)
        return kkc_err_set(err, KKC_EINVAL, "the outer ring needs at least 3 points");
    return build_faces(h, rs, pl, fill_m2, outer, n, out, err);
}
