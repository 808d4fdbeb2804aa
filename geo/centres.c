/* geo/centres.c -- the centre set and its nearest-neighbour index.
 *
 * Centres are kept sorted by id (so "ties by id" is "ties by index"). The index is a k-d tree over
 * earth-centred, earth-fixed (ECEF) coordinates on the WGS84 ellipsoid, stored implicitly as a
 * permutation (balanced median splits, leaves of up to LEAF points). The straight chord between
 * two points is never longer than the geodesic between them, so a best-first search that prunes by
 * chord distance and ranks by the exact geodesic (PROJ's geod_inverse) returns the exact k nearest. */
#include "centres.h"

#include "crs.h"
#include "store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LEAF 8
#define HEAP_MAX 128 /* k-d tree depth is log2(n/LEAF); 128 pending boxes is far more than needed */

struct kd_node {
    float lo[3], hi[3];    /* bounding box of the points below, metres (float: ample for pruning) */
    uint32_t begin, end;   /* range in perm */
    uint32_t left, right;  /* children; 0 = leaf (the root is node 0 and never a child) */
};

struct centres {
    struct centre *items; /* sorted by id */
    size_t n;
    double (*xyz)[3];     /* ECEF of items[perm[i]] at position i */
    uint32_t *perm;
    struct kd_node *nodes;
    size_t nnodes;
};

static const char *const kind_names[KIND_COUNT] = {"police", "fire", "ambulance"};

int centres_kind_parse(const char *s)
{
    for (int i = 0; i < KIND_COUNT; i++)
        if (s && strcmp(s, kind_names[i]) == 0)
            return i;
    return -1;
}

const char *centres_kind_name(enum centre_kind k)
{
    return (unsigned)k < KIND_COUNT ? kind_names[k] : "unknown";
}

/* WGS84 geodetic -> ECEF metres (height 0). */
static void ecef(double lon, double lat, double out[3])
{
    const double a = 6378137.0, f = 1.0 / 298.257223563, e2 = f * (2 - f);
    double la = lat * M_PI / 180, lo = lon * M_PI / 180;
    double n = a / sqrt(1 - e2 * sin(la) * sin(la));
    out[0] = n * cos(la) * cos(lo);
    out[1] = n * cos(la) * sin(lo);
    out[2] = n * (1 - e2) * sin(la);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static uint32_t perm_at(const struct centres *c, uint32_t i)
{
    return c->perm[i];
}

static void centre_free_fields(struct centre *c)
{
    free(c->id);
    free(c->name);
    free(c->address);
    free(c->municipality);
    free(c->municipality_code);
    free(c->phone);
    free(c->email);
    free(c->www);
    free(c->hours);
    free(c->source);
}

void centres_destroy(struct centres *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        centre_free_fields(&c->items[i]);
    free(c->items);
    free(c->xyz);
    free(c->perm);
    free(c->nodes);
    free(c);
}

static int cmp_centre_id(const void *a, const void *b)
{
    return strcmp(((const struct centre *)a)->id, ((const struct centre *)b)->id);
}

struct kd_axis {
    double (*pts)[3];
    int axis;
};

static int cmp_axis(const void *a, const void *b, void *arg)
{
    const struct kd_axis *ka = arg;
    double x = ka->pts[*(const uint32_t *)a][ka->axis], y = ka->pts[*(const uint32_t *)b][ka->axis];
    return (x > y) - (x < y);
}

/* Order perm[begin, end) along axis so that the median sits at the middle. */
static void kd_select(uint32_t *perm, double (*pts)[3], uint32_t begin, uint32_t end, int axis)
{
    struct kd_axis ka = {pts, axis};
    qsort_r(perm + begin, end - begin, sizeof *perm, cmp_axis, &ka);
}

/* Build the subtree over perm[begin, end) and return its node index (nodes are appended). */
static uint32_t kd_build_node(struct centres *c, double (*pts)[3], uint32_t begin, uint32_t end)
{
    uint32_t id = (uint32_t)c->nnodes++;
    struct kd_node nd = {.begin = begin, .end = end};
    int axis = 0;
    double wmax = -1;

    for (int a = 0; a < 3; a++) {
        double lo = INFINITY, hi = -INFINITY;
        for (uint32_t i = begin; i < end; i++) {
            lo = fmin(lo, pts[perm_at(c, i)][a]);
            hi = fmax(hi, pts[perm_at(c, i)][a]);
        }
        nd.lo[a] = (float)lo - 1.0f; /* float rounding: widen by a metre, still a valid bound */
        nd.hi[a] = (float)hi + 1.0f;
        if (hi - lo > wmax) {
            wmax = hi - lo;
            axis = a;
        }
    }
    if (end - begin > LEAF) {
        uint32_t mid = begin + (end - begin) / 2;
        kd_select(c->perm, pts, begin, end, axis);
        nd.left = kd_build_node(c, pts, begin, mid);
        nd.right = kd_build_node(c, pts, mid, end);
    }
    c->nodes[id] = nd;
    return id;
}

enum kkc_code centres_build(const struct centre *items, size_t n, struct centres **out,
                            struct kkc_err *err)
{
    struct centres *c = calloc(1, sizeof *c);
    double(*pts)[3] = NULL;

    *out = NULL;
    if (!c)
        goto oom;
    c->items = calloc(n ? n : 1, sizeof *c->items);
    c->perm = calloc(n ? n : 1, sizeof *c->perm);
    c->xyz = calloc(n ? n : 1, sizeof *c->xyz);
    c->nodes = calloc(2 * n + 1, sizeof *c->nodes); /* a tree over n points has < 2n nodes */
    pts = calloc(n ? n : 1, sizeof *pts);
    if (!c->items || !c->perm || !c->xyz || !c->nodes || !pts)
        goto oom;
    for (size_t i = 0; i < n; i++) {
        struct centre *d = &c->items[i];
        const struct centre *s = &items[i];
        d->kind = s->kind;
        d->lon = s->lon;
        d->lat = s->lat;
        d->active = s->active;
        d->id = dup_or_null(s->id);
        d->name = dup_or_null(s->name);
        d->address = dup_or_null(s->address);
        d->municipality = dup_or_null(s->municipality);
        d->municipality_code = dup_or_null(s->municipality_code);
        d->phone = dup_or_null(s->phone);
        d->email = dup_or_null(s->email);
        d->www = dup_or_null(s->www);
        d->hours = dup_or_null(s->hours);
        d->source = dup_or_null(s->source);
        c->n = i + 1;
        if (!d->id || !d->name)
            goto oom;
    }
    qsort(c->items, n, sizeof *c->items, cmp_centre_id);
    for (size_t i = 0; i < n; i++) {
        ecef(c->items[i].lon, c->items[i].lat, pts[i]);
        c->perm[i] = (uint32_t)i;
    }
    if (n)
        kd_build_node(c, pts, 0, (uint32_t)n);
    for (size_t i = 0; i < n; i++)
        memcpy(c->xyz[i], pts[c->perm[i]], sizeof c->xyz[i]);
    free(pts);
    *out = c;
    return KKC_OK;
oom:
    free(pts);
    centres_destroy(c);
    return kkc_err_set(err, KKC_ENOMEM, "out of memory building the centre index");
}

size_t centres_count(const struct centres *c)
{
    return c ? c->n : 0;
}

const struct centre *centres_get(const struct centres *c, size_t i)
{
    return i < c->n ? &c->items[i] : NULL;
}

long centres_find(const struct centres *c, const char *id)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int d = strcmp(c->items[mid].id, id);
        if (d == 0)
            return (long)mid;
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* Squared distance from p to the box of nd (0 inside). */
static double box_dist2(const struct kd_node *nd, const double p[3])
{
    double s = 0;
    for (int a = 0; a < 3; a++) {
        double d = 0;
        if (p[a] < nd->lo[a])
            d = nd->lo[a] - p[a];
        else if (p[a] > nd->hi[a])
            d = p[a] - nd->hi[a];
        s += d * d;
    }
    return s;
}

struct pending {
    double d2;
    uint32_t node;
};

/* A tiny binary min-heap of pending boxes. */
static void heap_push(struct pending *h, size_t *n, struct pending v)
{
    size_t i = (*n)++;
    while (i > 0 && h[(i - 1) / 2].d2 > v.d2) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = v;
}

static struct pending heap_pop(struct pending *h, size_t *n)
{
    struct pending top = h[0], last = h[--*n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < *n && h[l].d2 < last.d2)
            m = l;
        if (l + 1 < *n && h[l + 1].d2 < (m == i ? last.d2 : h[m].d2))
            m = l + 1;
        if (m == i)
            break;
        h[i] = h[m];
        i = m;
    }
    h[i] = last;
    return top;
}

/* Insert hit into the sorted list best[0..*n) of at most k, ordered by (distance, index). */
static void best_insert(struct centres_hit *best, size_t *n, size_t k, struct centres_hit hit)
{
    size_t i = *n < k ? (*n)++ : k;
    if (i == k && (hit.distance_m > best[k - 1].distance_m ||
                   (hit.distance_m == best[k - 1].distance_m && hit.index > best[k - 1].index)))
        return;
    if (i == k)
        i = k - 1;
    while (i > 0 && (best[i - 1].distance_m > hit.distance_m ||
                     (best[i - 1].distance_m == hit.distance_m && best[i - 1].index > hit.index))) {
        best[i] = best[i - 1];
        i--;
    }
    best[i] = hit;
}

/* Try every point of a leaf against the current best list. */
static void scan_leaf(const struct centres *c, const struct kd_node *nd, const double p[3],
                      double lon, double lat, unsigned mask, int closed, size_t k,
                      struct centres_hit *best, size_t *n)
{
    for (uint32_t i = nd->begin; i < nd->end; i++) {
        const struct centre *ce = &c->items[c->perm[i]];
        double dx = c->xyz[i][0] - p[0], dy = c->xyz[i][1] - p[1], dz = c->xyz[i][2] - p[2];
        double chord = sqrt(dx * dx + dy * dy + dz * dz);
        struct centres_hit hit = {.index = c->perm[i]};

        if (!(mask & (1u << ce->kind)) || (!ce->active && !closed))
            continue;
        /* chord <= geodesic: a point whose chord already exceeds the k-th best cannot enter */
        if (*n == k && chord > best[k - 1].distance_m)
            continue;
        hit.distance_m = crs_geodesic(lon, lat, ce->lon, ce->lat, &hit.bearing_deg);
        best_insert(best, n, k, hit);
    }
}

enum kkc_code centres_nearest(const struct centres *c, double lon, double lat, unsigned kind_mask,
                              int include_closed, size_t k, struct centres_hit *out, size_t *n,
                              struct kkc_err *err)
{
    struct pending heap[HEAP_MAX];
    size_t nh = 0;
    double p[3];

    *n = 0;
    if (!isfinite(lon) || !isfinite(lat) || fabs(lon) > 180 || fabs(lat) > 90)
        return kkc_err_set(err, KKC_EINVAL, "the point must be a WGS84 lon,lat");
    if (k == 0 || c->n == 0)
        return KKC_OK;
    ecef(lon, lat, p);
    heap_push(heap, &nh, (struct pending){box_dist2(&c->nodes[0], p), 0});
    while (nh > 0) {
        struct pending top = heap_pop(heap, &nh);
        const struct kd_node *nd = &c->nodes[top.node];
        if (*n == k && sqrt(top.d2) > out[k - 1].distance_m)
            break;
        if (!nd->left) {
            scan_leaf(c, nd, p, lon, lat, kind_mask, include_closed, k, out, n);
            continue;
        }
        if (nh + 2 > HEAP_MAX) /* cannot happen for a balanced tree; scan rather than drop */
            return kkc_err_set(err, KKC_EINTERNAL, "centre index search overflow");
        heap_push(heap, &nh, (struct pending){box_dist2(&c->nodes[nd->left], p), nd->left});
        heap_push(heap, &nh, (struct pending){box_dist2(&c->nodes[nd->right], p), nd->right});
    }
    return KKC_OK;
}

/* Copy the text column i of s, or NULL. */
static char *col_text(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t && *t ? strdup((const char *)t) : NULL;
}

enum kkc_code centres_load(struct store *st, struct centres **out, struct kkc_err *err)
{
    static const char sql[] =
        "SELECT id, name, kind, X(geom), Y(geom), address, municipality, municipality_code, "
        "phone, email, www, hours, source, status FROM centres ORDER BY id";
    sqlite3_stmt *s = NULL;
    struct centre *items = NULL;
    size_t n = 0, cap = 0;
    enum kkc_code rc = store_prepare(st, sql, &s, err);
    int step;

    while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
        struct centre *c;
        if (n == cap) {
            struct centre *grown = realloc(items, (cap = cap ? 2 * cap : 256) * sizeof *items);
            if (!grown) {
                rc = kkc_err_set(err, KKC_ENOMEM, "out of memory loading centres");
                break;
            }
            items = grown;
        }
        c = &items[n++];
        memset(c, 0, sizeof *c);
        c->id = col_text(s, 0);
        c->name = col_text(s, 1);
        c->kind = (enum centre_kind)centres_kind_parse((const char *)sqlite3_column_text(s, 2));
        c->lon = sqlite3_column_double(s, 3);
        c->lat = sqlite3_column_double(s, 4);
        c->address = col_text(s, 5);
        c->municipality = col_text(s, 6);
        c->municipality_code = col_text(s, 7);
        c->phone = col_text(s, 8);
        c->email = col_text(s, 9);
        c->www = col_text(s, 10);
        c->hours = col_text(s, 11);
        c->source = col_text(s, 12);
        c->active = strcmp((const char *)sqlite3_column_text(s, 13), "active") == 0;
        if ((int)c->kind < 0)
            rc = kkc_err_set(err, KKC_EDB, "centre %s has an unknown kind", c->id);
    }
    if (!rc && step != SQLITE_DONE)
        rc = store_fail(st, "load centres", err);
    if (!rc)
        rc = centres_build(items, n, out, err);
    for (size_t i = 0; i < n; i++)
        centre_free_fields(&items[i]);
    free(items);
    sqlite3_finalize(s);
    return rc;
}
