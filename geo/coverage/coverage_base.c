/* geo/coverage/coverage_base.c -- municipalities, region rings and the network area, loaded once.
 *
 * Region geometries are read as WKB (AsBinary) and kept as plain rings, so GEOS objects are
 * made per request in the asking thread's own context and nothing GEOS-owned is shared. */
#include "coverage/coverage_base.h"

#include "coverage/contour.h"
#include "base/crs.h"
#include "coverage/shape.h"
#include "base/store.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define WKB_POINTS_MAX ((size_t)1 << 24)

static const char *const level_names[COVERAGE_LEVELS] = {"country", "kraj",   "okres",
                                                         "orp",     "border", "network"};

const char *coverage_level_name(enum coverage_level l)
{
    return (unsigned)l < COVERAGE_LEVELS ? level_names[l] : "?";
}

enum coverage_level coverage_level_child(enum coverage_level l)
{
    switch (l) {
    case COVERAGE_COUNTRY:
        return COVERAGE_KRAJ;
    case COVERAGE_KRAJ:
        return COVERAGE_OKRES;
    case COVERAGE_BORDER:
        return COVERAGE_OKRES;
    case COVERAGE_OKRES:
        return COVERAGE_ORP;
    default:
        return COVERAGE_LEVELS;
    }
}

static void region_free(struct coverage_region *r)
{
    free(r->code), free(r->name);
    free(r->poly_first), free(r->ring_first), free(r->pts);
}

void coverage_base_destroy(struct coverage_base *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->nmuni; i++)
        free(b->muni[i].code), free(b->muni[i].name);
    for (size_t i = 0; i < b->nregion; i++)
        region_free(&b->region[i]);
    free(b->muni);
    free(b->region);
    free(b);
}

static char *dup_text(sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    return strdup(t ? (const char *)t : "");
}

/* ---- WKB ------------------------------------------------------------------------------------ */

struct wkb {
    const unsigned char *p;
    size_t n, off;
    int le; /* little-endian numbers in the current geometry */
};

/* The next k (4 or 8) bytes as an unsigned number in the geometry's byte order. */
static int wkb_uint(struct wkb *w, size_t k, uint64_t *v)
{
    if (w->off + k > w->n)
        return -1;
    *v = 0;
    for (size_t i = 0; i < k; i++)
        *v |= (uint64_t)w->p[w->off + i] << (8 * (w->le ? i : k - 1 - i));
    w->off += k;
    return 0;
}

static int wkb_u32(struct wkb *w, uint32_t *out)
{
    uint64_t v;
    if (wkb_uint(w, 4, &v))
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int wkb_f64(struct wkb *w, double *out)
{
    uint64_t v;
    if (wkb_uint(w, 8, &v))
        return -1;
    memcpy(out, &v, sizeof *out);
    return 0;
}

/* Read a geometry header: byte order and type. */
static int wkb_header(struct wkb *w, uint32_t *type)
{
    if (w->off >= w->n)
        return -1;
    w->le = w->p[w->off++] == 1;
    return wkb_u32(w, type);
}

/* A growable region being filled. */
struct ring_acc {
    size_t npolys, nrings, npts, cap_p, cap_r, cap_pts;
};

static int grow(void **arr, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 16;
    while (nc < need)
        nc *= 2;
    void *p = realloc(*arr, nc * size);
    if (!p)
        return -1;
    *arr = p, *cap = nc;
    return 0;
}

/* One WKB polygon into r. */
static int wkb_polygon(struct wkb *w, struct coverage_region *r, struct ring_acc *a)
{
    uint32_t type, nrings, npts;
    if (wkb_header(w, &type) || (type % 1000) != 3 || wkb_u32(w, &nrings) || nrings == 0)
        return -1;
    if (grow((void **)&r->poly_first, &a->cap_p, a->npolys + 2, sizeof *r->poly_first))
        return -1;
    r->poly_first[a->npolys++] = a->nrings;
    for (uint32_t k = 0; k < nrings; k++) {
        if (wkb_u32(w, &npts) || npts < 4 || a->npts + npts > WKB_POINTS_MAX ||
            grow((void **)&r->ring_first, &a->cap_r, a->nrings + 2, sizeof *r->ring_first) ||
            grow((void **)&r->pts, &a->cap_pts, 2 * (a->npts + npts), sizeof *r->pts))
            return -1;
        r->ring_first[a->nrings++] = a->npts;
        for (uint32_t i = 0; i < npts; i++) {
            double xy[2];
            if (wkb_f64(w, &xy[0]) || wkb_f64(w, &xy[1]) || !isfinite(xy[0]) || !isfinite(xy[1]))
                return -1;
            if (i + 1 < npts) /* the closing point is implied */
                r->pts[2 * a->npts] = xy[0], r->pts[2 * a->npts + 1] = xy[1], a->npts++;
        }
    }
    return 0;
}

/* A WKB Polygon or MultiPolygon into r's rings. */
static int wkb_region(const void *blob, size_t n, struct coverage_region *r)
{
    struct wkb w = {blob, n, 0, 1};
    struct ring_acc a = {0};
    uint32_t type, count = 1;
    size_t save = 0;
    if (!blob || wkb_header(&w, &type))
        return -1;
    if ((type % 1000) == 6) {
        if (wkb_u32(&w, &count))
            return -1;
    } else if ((type % 1000) == 3) {
        w.off = save; /* re-read as a polygon */
    } else {
        return -1;
    }
    for (uint32_t k = 0; k < count; k++)
        if (wkb_polygon(&w, r, &a))
            return -1;
    r->npolys = a.npolys;
    r->poly_first[a.npolys] = a.nrings;
    r->ring_first[a.nrings] = a.npts;
    return a.npolys ? 0 : -1;
}

/* ---- regions --------------------------------------------------------------------------- */

/* The box of r's rings. */
static void region_measure(struct coverage_region *r)
{
    size_t npts = r->ring_first[r->poly_first[r->npolys]];
    double *b = r->bbox;
    b[0] = b[1] = INFINITY, b[2] = b[3] = -INFINITY;
    for (size_t i = 0; i < npts; i++) {
        double x = r->pts[2 * i], y = r->pts[2 * i + 1];
        b[0] = x < b[0] ? x : b[0], b[2] = x > b[2] ? x : b[2];
        b[1] = y < b[1] ? y : b[1], b[3] = y > b[3] ? y : b[3];
    }
}

double coverage_region_area_m2(const struct coverage_region *r)
{
    double area = 0;
    for (size_t p = 0; p < r->npolys; p++)
        for (size_t k = r->poly_first[p]; k < r->poly_first[p + 1]; k++) {
            double a = fabs(crs_ring_area(r->pts + 2 * r->ring_first[k],
                                          r->ring_first[k + 1] - r->ring_first[k]));
            area += k == r->poly_first[p] ? a : -a;
        }
    return area;
}

static int level_parse(const char *s)
{
    for (int l = 0; l < COVERAGE_LEVELS; l++)
        if (strcmp(s, level_names[l]) == 0)
            return l;
    return -1;
}

/* One row of regions into r. */
static enum kkc_code region_row(sqlite3_stmt *s, struct coverage_region *r, struct kkc_err *err)
{
    int level = level_parse((const char *)sqlite3_column_text(s, 1));
    r->code = dup_text(s, 0), r->name = dup_text(s, 2);
    r->population = sqlite3_column_type(s, 3) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 3);
    if (!r->code || !r->name)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (regions)");
    if (level < 0 || level == COVERAGE_NETWORK ||
        wkb_region(sqlite3_column_blob(s, 4), (size_t)sqlite3_column_bytes(s, 4), r))
        return kkc_err_set(err, KKC_EINVAL, "region %s: bad level or geometry", r->code);
    r->level = (enum coverage_level)level;
    region_measure(r);
    return KKC_OK;
}

static enum kkc_code load_regions(struct store *st, struct coverage_base *b, struct kkc_err *err)
{
    sqlite3_stmt *s = NULL;
    size_t cap = 0;
    int step;
    enum kkc_code rc = store_prepare(
        st, "SELECT code, level, name, population, AsBinary(geom) FROM regions ORDER BY rowid", &s,
        err);
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        if (grow((void **)&b->region, &cap, b->nregion + 2, sizeof *b->region)) {
            rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (regions)");
            break;
        }
        memset(&b->region[b->nregion], 0, sizeof *b->region);
        rc = region_row(s, &b->region[b->nregion++], err);
    }
    if (!rc && step != SQLITE_DONE)
        rc = store_fail(st, "read regions", err);
    sqlite3_finalize(s);
    return rc;
}

long coverage_region_find(const struct coverage_base *b, const char *s)
{
    static const enum coverage_level order[] = {COVERAGE_KRAJ, COVERAGE_OKRES, COVERAGE_ORP,
                                                COVERAGE_COUNTRY, COVERAGE_BORDER};
    const char *colon = strchr(s, ':');
    if (strcmp(s, "network") == 0)
        return b->network;
    for (size_t o = 0; o < sizeof order / sizeof order[0]; o++)
        for (size_t i = 0; i < b->nregion; i++) {
            const struct coverage_region *r = &b->region[i];
            size_t ln = strlen(level_names[r->level]);
            if (colon ? (size_t)(colon - s) == ln && strncmp(s, level_names[r->level], ln) == 0 &&
                            strcmp(colon + 1, r->code) == 0
                      : r->level == order[o] && strcmp(s, r->code) == 0)
                return (long)i;
        }
    return -1;
}

GEOSGeometry *coverage_region_geometry(GEOSContextHandle_t h, const struct coverage_region *r)
{
    return shape_from_rings(h, r->npolys, r->poly_first, r->ring_first, r->pts);
}

/* ---- municipalities ---------------------------------------------------------------------- */

/* kraj and okres codes of each municipality while assigning regions. */
struct muni_codes {
    char *kraj, *okres;
};

static enum kkc_code muni_row(sqlite3_stmt *s, struct coverage_muni *m, struct muni_codes *c,
                              struct kkc_err *err)
{
    m->code = dup_text(s, 0), m->name = dup_text(s, 1);
    m->population = sqlite3_column_type(s, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 2);
    m->lon = sqlite3_column_double(s, 3), m->lat = sqlite3_column_double(s, 4);
    c->kraj = dup_text(s, 5), c->okres = dup_text(s, 6);
    for (int l = 0; l < COVERAGE_LEVELS; l++)
        m->region[l] = -1;
    if (!m->code || !m->name || !c->kraj || !c->okres)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (municipalities)");
    if (!isfinite(m->lon) || !isfinite(m->lat))
        return kkc_err_set(err, KKC_EINVAL, "municipality %s has no position", m->code);
    return KKC_OK;
}

static enum kkc_code load_munis(struct store *st, struct coverage_base *b,
                                struct muni_codes **codes, struct kkc_err *err)
{
    sqlite3_stmt *s = NULL;
    size_t cap = 0, ccap = 0;
    int step;
    enum kkc_code rc = store_prepare(st,
                                     "SELECT code, name, population, ST_X(geom), ST_Y(geom), "
                                     "kraj_code, okres_code FROM municipalities ORDER BY code",
                                     &s, err);
    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        if (grow((void **)&b->muni, &cap, b->nmuni + 1, sizeof *b->muni) ||
            grow((void **)codes, &ccap, b->nmuni + 1, sizeof **codes)) {
            rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (municipalities)");
            break;
        }
        memset(&b->muni[b->nmuni], 0, sizeof *b->muni);
        memset(&(*codes)[b->nmuni], 0, sizeof **codes);
        rc = muni_row(s, &b->muni[b->nmuni], &(*codes)[b->nmuni], err);
        b->nmuni++;
    }
    if (!rc && step != SQLITE_DONE)
        rc = store_fail(st, "read municipalities", err);
    sqlite3_finalize(s);
    return rc;
}

/* The region of level l whose code is code, or -1. */
static long region_by_code(const struct coverage_base *b, enum coverage_level l, const char *code)
{
    for (size_t i = 0; i < b->nregion; i++)
        if (b->region[i].level == l && strcmp(b->region[i].code, code) == 0)
            return (long)i;
    return -1;
}

int coverage_region_holds(const struct coverage_region *r, double lon, double lat)
{
    if (lon < r->bbox[0] || lon > r->bbox[2] || lat < r->bbox[1] || lat > r->bbox[3])
        return 0;
    for (size_t p = 0; p < r->npolys; p++)
        if (shape_point_in(lon, lat, r->ring_first, r->poly_first[p], r->poly_first[p + 1] - 1,
                           r->pts))
            return 1;
    return 0;
}

/* Squared distance (in degrees scaled by cos(lat)) from lon,lat to r's nearest vertex. */
static double region_near2(const struct coverage_region *r, double lon, double lat)
{
    double best = INFINITY, k = cos(lat * M_PI / 180);
    size_t n = r->ring_first[r->poly_first[r->npolys]];
    for (size_t i = 0; i < n; i++) {
        double dx = (r->pts[2 * i] - lon) * k, dy = r->pts[2 * i + 1] - lat;
        best = fmin(best, dx * dx + dy * dy);
    }
    return best;
}

/* The region of level l holding lon,lat; else, when nearest, the one with the nearest vertex. */
static long region_by_point(const struct coverage_base *b, enum coverage_level l, double lon,
                            double lat, int nearest)
{
    long best = -1;
    double bd = INFINITY;
    for (size_t i = 0; i < b->nregion; i++)
        if (b->region[i].level == l && coverage_region_holds(&b->region[i], lon, lat))
            return (long)i;
    for (size_t i = 0; nearest && i < b->nregion; i++) {
        double d = b->region[i].level == l ? region_near2(&b->region[i], lon, lat) : INFINITY;
        if (d < bd)
            bd = d, best = (long)i;
    }
    return best;
}

/* Fill every municipality's region per level (see the .h for the rules). */
static void assign_regions(struct coverage_base *b, const struct muni_codes *c)
{
    long country = -1;
    for (size_t i = 0; i < b->nregion && country < 0; i++)
        if (b->region[i].level == COVERAGE_COUNTRY)
            country = (long)i;
    for (size_t i = 0; i < b->nmuni; i++) {
        struct coverage_muni *m = &b->muni[i];
        m->region[COVERAGE_KRAJ] = region_by_code(b, COVERAGE_KRAJ, c[i].kraj);
        m->region[COVERAGE_OKRES] = region_by_code(b, COVERAGE_OKRES, c[i].okres);
        m->region[COVERAGE_BORDER] = region_by_code(b, COVERAGE_BORDER, c[i].kraj);
        m->region[COVERAGE_ORP] = region_by_point(b, COVERAGE_ORP, m->lon, m->lat, 1);
        m->region[COVERAGE_COUNTRY] = *c[i].kraj ? country : -1;
        if (b->network >= 0 && coverage_region_holds(&b->region[b->network], m->lon, m->lat))
            m->region[COVERAGE_NETWORK] = b->network;
    }
}

/* ---- the network's area ---------------------------------------------------------------------- */

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_xy(const void *a, const void *b)
{
    const double *p = a, *q = b;
    if (p[0] != q[0])
        return p[0] < q[0] ? -1 : 1;
    return p[1] < q[1] ? -1 : p[1] > q[1];
}

static double cross3(const double *o, const double *a, const double *b)
{
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

#define HULL_BINS 4096

/* Keep of n points xy only the extremes of HULL_BINS bins along x (lowest and highest y) and
 * along y (lowest and highest x), in place; returns how many remain. The hull of what remains
 * is within one bin width of the hull of all points. */
static size_t hull_filter(double *xy, size_t n, const double box[4])
{
    size_t *keep = malloc(4 * HULL_BINS * sizeof *keep), m = 0;
    double wx = (box[2] - box[0]) / HULL_BINS, wy = (box[3] - box[1]) / HULL_BINS;
    if (!keep || n < 4 * HULL_BINS) {
        free(keep);
        return n;
    }
    for (size_t k = 0; k < 4 * HULL_BINS; k++)
        keep[k] = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        double x = xy[2 * i], y = xy[2 * i + 1];
        size_t bx = wx > 0 ? (size_t)fmin((x - box[0]) / wx, HULL_BINS - 1) : 0;
        size_t by = wy > 0 ? (size_t)fmin((y - box[1]) / wy, HULL_BINS - 1) : 0;
        size_t *k = keep + 4 * bx, *l = keep + 4 * by;
        if (k[0] == SIZE_MAX || y < xy[2 * k[0] + 1])
            k[0] = i;
        if (k[1] == SIZE_MAX || y > xy[2 * k[1] + 1])
            k[1] = i;
        if (l[2] == SIZE_MAX || x < xy[2 * l[2]])
            l[2] = i;
        if (l[3] == SIZE_MAX || x > xy[2 * l[3]])
            l[3] = i;
    }
    qsort(keep, 4 * HULL_BINS, sizeof *keep, cmp_size);
    for (size_t k = 0; k < 4 * HULL_BINS && keep[k] != SIZE_MAX; k++)
        if (k == 0 || keep[k] != keep[k - 1]) /* ascending, so copying forward is safe */
            xy[2 * m] = xy[2 * keep[k]], xy[2 * m + 1] = xy[2 * keep[k] + 1], m++;
    free(keep);
    return m;
}

/* Convex hull (Andrew's monotone chain) of n points xy (sorted in place) into hull (counter-
 * clockwise, at most n + 1 points); returns its size. */
static size_t convex_hull(double *xy, size_t n, double *hull)
{
    size_t k = 0;
    qsort(xy, n, 2 * sizeof *xy, cmp_xy);
    for (size_t i = 0; i < n; i++) {
        while (k >= 2 && cross3(hull + 2 * (k - 2), hull + 2 * (k - 1), xy + 2 * i) <= 0)
            k--;
        hull[2 * k] = xy[2 * i], hull[2 * k + 1] = xy[2 * i + 1], k++;
    }
    for (size_t i = n - 1, t = k + 1; i-- > 0;) {
        while (k >= t && cross3(hull + 2 * (k - 2), hull + 2 * (k - 1), xy + 2 * i) <= 0)
            k--;
        hull[2 * k] = xy[2 * i], hull[2 * k + 1] = xy[2 * i + 1], k++;
    }
    return k > 1 ? k - 1 : k;
}

/* The convex ring hull[0..n) grown by d metres (arcs of at most 10 degrees at the corners),
 * written to out (at most n * 37 points); returns its size. */
static size_t grow_convex(const double *hull, size_t n, double d, double *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const double *p = hull + 2 * ((i + n - 1) % n), *c = hull + 2 * i,
                     *q = hull + 2 * ((i + 1) % n);
        /* a counter-clockwise ring has its outside on the right: normals (dy, -dx) */
        double a0 = atan2(-(c[0] - p[0]), c[1] - p[1]), a1 = atan2(-(q[0] - c[0]), q[1] - c[1]);
        while (a1 < a0)
            a1 += 2 * M_PI;
        int steps = (int)ceil((a1 - a0) / (M_PI / 18));
        for (int s = 0; s <= steps; s++) {
            double a = a0 + (a1 - a0) * s / (steps ? steps : 1);
            out[2 * m] = c[0] + d * cos(a), out[2 * m + 1] = c[1] + d * sin(a), m++;
        }
    }
    return m;
}

/* The network pseudo-region: convex hull of all road geometry, grown by the margin. */
static enum kkc_code network_region(const struct graph *g, struct coverage_base *b,
                                    struct kkc_err *err)
{
    size_t n = g->edge_coord_first[g->edge_count], m;
    double *xy = malloc((n + 1) * 2 * sizeof *xy), *hull = malloc((n + 2) * 2 * sizeof *hull);
    double *ring = NULL;
    struct contour_plane pl;
    struct coverage_region *r = &b->region[b->nregion];
    enum kkc_code rc = KKC_ENOMEM;

    memset(r, 0, sizeof *r);
    b->road_bbox[0] = b->road_bbox[1] = INFINITY, b->road_bbox[2] = b->road_bbox[3] = -INFINITY;
    for (size_t i = 0; xy && i < n; i++) {
        b->road_bbox[0] = fmin(b->road_bbox[0], g->coords[2 * i]);
        b->road_bbox[1] = fmin(b->road_bbox[1], g->coords[2 * i + 1]);
        b->road_bbox[2] = fmax(b->road_bbox[2], g->coords[2 * i]);
        b->road_bbox[3] = fmax(b->road_bbox[3], g->coords[2 * i + 1]);
    }
    contour_plane_init(&pl, (b->road_bbox[0] + b->road_bbox[2]) / 2,
                       (b->road_bbox[1] + b->road_bbox[3]) / 2);
    for (size_t i = 0; xy && i < n; i++)
        contour_plane_xy(&pl, g->coords[2 * i], g->coords[2 * i + 1], &xy[2 * i], &xy[2 * i + 1]);
    if (!xy || !hull || n < 3)
        goto out;
    double box[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t i = 0; i < n; i++) {
        box[0] = xy[2 * i] < box[0] ? xy[2 * i] : box[0];
        box[1] = xy[2 * i + 1] < box[1] ? xy[2 * i + 1] : box[1];
        box[2] = xy[2 * i] > box[2] ? xy[2 * i] : box[2];
        box[3] = xy[2 * i + 1] > box[3] ? xy[2 * i + 1] : box[3];
    }
    m = convex_hull(xy, hull_filter(xy, n, box), hull);
    if (!(ring = malloc((m * 37 + 1) * 2 * sizeof *ring)))
        goto out;
    m = grow_convex(hull, m, COVERAGE_NETWORK_MARGIN_M, ring);
    for (size_t i = 0; i < m; i++)
        contour_plane_lonlat(&pl, ring[2 * i], ring[2 * i + 1], &ring[2 * i], &ring[2 * i + 1]);
    r->code = strdup("network"), r->name = strdup("road network area");
    r->poly_first = malloc(2 * sizeof *r->poly_first);
    r->ring_first = malloc(2 * sizeof *r->ring_first);
    if (!r->code || !r->name || !r->poly_first || !r->ring_first)
        goto out;
    r->level = COVERAGE_NETWORK, r->population = -1, r->npolys = 1;
    r->poly_first[0] = 0, r->poly_first[1] = 1, r->ring_first[0] = 0, r->ring_first[1] = m;
    r->pts = ring, ring = NULL;
    region_measure(r);
    b->network = (long)b->nregion++;
    rc = KKC_OK;
out:
    free(xy), free(hull), free(ring);
    if (rc) {
        region_free(r);
        return kkc_err_set(err, rc, n < 3 ? "the road network is too small" : "out of memory");
    }
    return KKC_OK;
}

/* ---- build --------------------------------------------------------------------------------- */

/* Per region: how many municipalities it holds, and whether any has census data. */
static void count_munis(struct coverage_base *b)
{
    for (size_t i = 0; i < b->nmuni; i++)
        for (int l = 0; l < COVERAGE_LEVELS; l++) {
            long r = b->muni[i].region[l];
            if (r < 0)
                continue;
            b->region[r].munis++;
            b->region[r].has_population |= b->muni[i].population >= 0;
        }
}

/* Snap every municipality to the road graph. */
static void snap_munis(struct coverage_base *b, const struct graph *g)
{
    for (size_t i = 0; g && i < b->nmuni; i++) {
        struct coverage_muni *m = &b->muni[i];
        m->snapped = snap_point(g, m->lon, m->lat, SNAP_RADIUS_DEFAULT_M, &m->at, NULL) == KKC_OK;
    }
}

enum kkc_code coverage_base_build(struct store *st, const struct graph *g,
                                  struct coverage_base **out, struct kkc_err *err)
{
    struct coverage_base *b = calloc(1, sizeof *b);
    struct muni_codes *codes = NULL;
    enum kkc_code rc = b ? KKC_OK : kkc_err_set(err, KKC_ENOMEM, "out of memory");

    *out = NULL;
    if (!rc) {
        b->network = -1;
        rc = load_regions(st, b, err);
    }
    if (!rc && !b->region && !(b->region = calloc(1, sizeof *b->region)))
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory");
    if (!rc && g)
        rc = network_region(g, b, err);
    if (!rc)
        rc = load_munis(st, b, &codes, err);
    if (!rc) {
        assign_regions(b, codes);
        count_munis(b);
        snap_munis(b, g);
    }
    for (size_t i = 0; codes && b && i < b->nmuni; i++)
        free(codes[i].kraj), free(codes[i].okres);
    free(codes);
    if (rc) {
        coverage_base_destroy(b);
        return rc;
    }
    *out = b;
    return KKC_OK;
}

/* ---- population ------------------------------------------------------------------------ */

/* Population of the municipalities inside g (lon/lat), and how many. */
void coverage_population_in(GEOSContextHandle_t h, const struct coverage_base *b,
                            const GEOSGeometry *g, long *pop, long *count)
{
    const GEOSPreparedGeometry *pg = GEOSPrepare_r(h, g);
    double x0 = 0, y0 = 0, x1 = -1, y1 = -1;
    *pop = *count = 0;
    if (!pg || GEOSisEmpty_r(h, g) || !GEOSGeom_getXMin_r(h, g, &x0) ||
        !GEOSGeom_getYMin_r(h, g, &y0) || !GEOSGeom_getXMax_r(h, g, &x1) ||
        !GEOSGeom_getYMax_r(h, g, &y1))
        x1 = x0 - 1;
    for (size_t i = 0; i < b->nmuni && x1 >= x0; i++) {
        const struct coverage_muni *m = &b->muni[i];
        GEOSGeometry *pt;
        if (m->lon < x0 || m->lon > x1 || m->lat < y0 || m->lat > y1 ||
            !(pt = GEOSGeom_createPointFromXY_r(h, m->lon, m->lat)))
            continue;
        if (GEOSPreparedContains_r(h, pg, pt) == 1)
            (*count)++, *pop += m->population > 0 ? m->population : 0;
        GEOSGeom_destroy_r(h, pt);
    }
    if (pg)
        GEOSPreparedGeom_destroy_r(h, pg);
}

/* Whether census data covers lon,lat (a kraj with population holds it). */
int coverage_census_at(const struct coverage_base *b, double lon, double lat)
{
    for (size_t i = 0; i < b->nregion; i++) {
        const struct coverage_region *k = &b->region[i];
        if (k->level != COVERAGE_KRAJ || !k->has_population || lon < k->bbox[0] ||
            lon > k->bbox[2] || lat < k->bbox[1] || lat > k->bbox[3])
            continue;
        for (size_t p = 0; p < k->npolys; p++)
            if (shape_point_in(lon, lat, k->ring_first, k->poly_first[p], k->poly_first[p + 1] - 1,
                               k->pts))
                return 1;
    }
    return 0;
}
