/* geo/centres/centres.c -- the centre set and its nearest-neighbour index.
 *
 * Centres are kept sorted by id (so "ties by id" is "ties by index"). The index is a k-d tree over
 * earth-centred, earth-fixed (ECEF) coordinates on the WGS84 ellipsoid, stored implicitly as a
 * permutation (balanced median splits, leaves of up to LEAF points). The straight chord between
 * two points is never longer than the geodesic between them, so a best-first search that prunes by
 * chord distance and ranks by the exact geodesic (PROJ's geod_inverse) returns the exact k nearest.
 * geod_inverse dominates the cost (~0.8 us a call against ~0.1 us for the rest of a search), so
 * centres wait in the search queue by chord and get their geodesic only when they come first. */
#include "centres/centres.h"

#include "base/crs.h"
#include "base/store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LEAF 8
#define HEAP_MAX 256     /* pending boxes and centres of one search; when full, depth-first */
#define POINT_ROOM 192   /* centres are queued only below this fill, so boxes keep >= 64 slots */
#define PRUNE_SLACK 1e-3 /* metres: pruning by chord needs the chord to exceed the k-th by this */

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
        d->turnout_s = s->turnout_s;
        d->turnout_set = centre_turnout_own(s);
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

/* One entry of the best-first queue: a box of the tree, or a single centre waiting for its
 * geodesic. Keys are squared chord lengths, so a centre's geodesic is computed only when no box or
 * other centre with a shorter chord is left, i.e. in chord order; the search stops as soon as the
 * next chord is longer than the k-th best geodesic. That evaluates about k geodesics per query
 * (each costs far more than the rest of the search) instead of every centre of the first leaves. */
struct pending {
    double d2;
    uint32_t id;    /* node index, or position in perm when point */
    uint32_t point; /* 0 = a box (node), 1 = a centre */
};

/* A tiny binary min-heap of pending entries. */
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

/* The query of one centres_nearest call and its running answer. */
struct search {
    const struct centres *c;
    double p[3];     /* ECEF of the query point */
    double lon, lat; /* the query point */
    unsigned mask;
    int closed;
    size_t k;
    struct centres_hit *best; /* sorted, *n of at most k */
    size_t *n;
};

/* Can an entry whose chord is sqrt(d2) still enter the best list? The chord is never longer than
 * the geodesic; PRUNE_SLACK covers rounding in both, so only a clear excess prunes. */
static int search_may_enter(const struct search *s, double d2)
{
    return *s->n < s->k || sqrt(d2) - PRUNE_SLACK <= s->best[s->k - 1].distance_m;
}

/* Rank the centre at perm position i by its exact geodesic. */
static void search_eval(struct search *s, uint32_t i)
{
    const struct centre *ce = &s->c->items[s->c->perm[i]];
    struct centres_hit hit = {.index = s->c->perm[i]};
    hit.distance_m = crs_geodesic(s->lon, s->lat, ce->lon, ce->lat, &hit.bearing_deg);
    best_insert(s->best, s->n, s->k, hit);
}

/* Every eligible centre of a leaf that may still enter: queued by its chord when heap is given
 * and has room (below POINT_ROOM entries, leaving the rest for boxes), else ranked at once (the
 * same answer, only without the chord order). */
static void search_leaf(struct search *s, const struct kd_node *nd, struct pending *heap,
                        size_t *nh)
{
    const struct centres *c = s->c;
    for (uint32_t i = nd->begin; i < nd->end; i++) {
        const struct centre *ce = &c->items[c->perm[i]];
        double dx = c->xyz[i][0] - s->p[0], dy = c->xyz[i][1] - s->p[1];
        double dz = c->xyz[i][2] - s->p[2], d2 = dx * dx + dy * dy + dz * dz;

        if (!(s->mask & (1u << ce->kind)) || (!ce->active && !s->closed) ||
            !search_may_enter(s, d2))
            continue;
        if (heap && *nh < POINT_ROOM)
            heap_push(heap, nh, (struct pending){d2, i, 1});
        else
            search_eval(s, i);
    }
}

/* Depth-first over the subtree of node id, nearer child first, ranking centres at once: the
 * fallback when the queue is full (a kind mask or k that matches few centres makes the best-first
 * frontier wide). Exact; recursion depth is the tree depth, log2(n / LEAF). */
static void search_subtree(struct search *s, uint32_t id)
{
    const struct kd_node *nd = &s->c->nodes[id];
    if (!nd->left) {
        search_leaf(s, nd, NULL, NULL);
        return;
    }
    double dl = box_dist2(&s->c->nodes[nd->left], s->p);
    double dr = box_dist2(&s->c->nodes[nd->right], s->p);
    uint32_t first = dl <= dr ? nd->left : nd->right, second = dl <= dr ? nd->right : nd->left;
    if (search_may_enter(s, dl <= dr ? dl : dr))
        search_subtree(s, first);
    if (search_may_enter(s, dl <= dr ? dr : dl))
        search_subtree(s, second);
}

/* Queue the two children of an inner node, or search them depth-first when the queue is full. */
static void search_children(struct search *s, const struct kd_node *nd, struct pending *heap,
                            size_t *nh)
{
    const uint32_t child[2] = {nd->left, nd->right};
    for (int j = 0; j < 2; j++) {
        double d2 = box_dist2(&s->c->nodes[child[j]], s->p);
        if (!search_may_enter(s, d2))
            continue;
        if (*nh < HEAP_MAX)
            heap_push(heap, nh, (struct pending){d2, child[j], 0});
        else
            search_subtree(s, child[j]);
    }
}

enum kkc_code centres_nearest(const struct centres *c, double lon, double lat, unsigned kind_mask,
                              int include_closed, size_t k, struct centres_hit *out, size_t *n,
                              struct kkc_err *err)
{
    struct pending heap[HEAP_MAX];
    size_t nh = 0;
    struct search s = {.c = c,
                       .lon = lon,
                       .lat = lat,
                       .mask = kind_mask,
                       .closed = include_closed,
                       .k = k,
                       .best = out,
                       .n = n};

    *n = 0;
    if (!isfinite(lon) || !isfinite(lat) || fabs(lon) > 180 || fabs(lat) > 90)
        return kkc_err_set(err, KKC_EINVAL, "the point must be a WGS84 lon,lat");
    if (k == 0 || c->n == 0)
        return KKC_OK;
    ecef(lon, lat, s.p);
    heap_push(heap, &nh, (struct pending){box_dist2(&c->nodes[0], s.p), 0, 0});
    while (nh > 0) {
        struct pending top = heap_pop(heap, &nh);
        if (!search_may_enter(&s, top.d2))
            break; /* every entry left is at least as far */
        if (top.point)
            search_eval(&s, top.id);
        else if (!c->nodes[top.id].left)
            search_leaf(&s, &c->nodes[top.id], heap, &nh);
        else
            search_children(&s, &c->nodes[top.id], heap, &nh);
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
        "phone, email, www, hours, source, status, turnout_s FROM centres ORDER BY id";
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
        c->turnout_s = sqlite3_column_int(s, 14);
        c->turnout_set = sqlite3_column_type(s, 14) != SQLITE_NULL;
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
