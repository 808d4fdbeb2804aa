/* geo/closures/avoid.c -- avoid areas and excluded classes per request; the private graph copy. */
#include "closures/avoid.h"

#include "closures/overlay.h"
#include "road/graph.h"

#include <geos_c.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* GEOS polygon of one ring (closed here when open); NULL when too short. */
static GEOSGeometry *ring_polygon(GEOSContextHandle_t h, const struct avoid_area *a)
{
    size_t n = a->npts, closed = n > 0 && a->lonlat[0] == a->lonlat[2 * n - 2] &&
                                 a->lonlat[1] == a->lonlat[2 * n - 1];
    size_t m = closed ? n : n + 1;
    GEOSCoordSequence *cs;
    GEOSGeometry *ring;
    if (n < 3 || m < 4 || !(cs = GEOSCoordSeq_create_r(h, (unsigned)m, 2)))
        return NULL;
    for (size_t i = 0; i < m; i++) {
        size_t j = i < n ? i : 0;
        GEOSCoordSeq_setXY_r(h, cs, (unsigned)i, a->lonlat[2 * j], a->lonlat[2 * j + 1]);
    }
    ring = GEOSGeom_createLinearRing_r(h, cs);
    return ring ? GEOSGeom_createPolygon_r(h, ring, NULL, 0) : NULL;
}

/* Mark (mark[e] = 1) the grid segments under polygon p whose segment intersects it. */
static void mark_area(GEOSContextHandle_t h, const struct graph *g, const GEOSGeometry *p,
                      const GEOSPreparedGeometry *pp, uint8_t *mark)
{
    double x0, y0, x1, y1;
    if (!g->grid_nx || !GEOSGeom_getXMin_r(h, p, &x0) || !GEOSGeom_getYMin_r(h, p, &y0) ||
        !GEOSGeom_getXMax_r(h, p, &x1) || !GEOSGeom_getYMax_r(h, p, &y1))
        return;
    long cx0 = (long)floor((x0 - g->grid_lon0) / g->grid_dlon),
         cx1 = (long)floor((x1 - g->grid_lon0) / g->grid_dlon);
    long cy0 = (long)floor((y0 - g->grid_lat0) / g->grid_dlat),
         cy1 = (long)floor((y1 - g->grid_lat0) / g->grid_dlat);
    for (long y = cy0 < 0 ? 0 : cy0; y <= cy1 && y < (long)g->grid_ny; y++)
        for (long x = cx0 < 0 ? 0 : cx0; x <= cx1 && x < (long)g->grid_nx; x++) {
            size_t c = (size_t)y * g->grid_nx + (size_t)x;
            for (uint32_t i = g->grid_first[c]; i < g->grid_first[c + 1]; i++) {
                uint32_t k = g->grid_items[i], e = g->coord_edge[k];
                const double *q = g->coords + 2 * (size_t)k;
                if (mark[e])
                    continue;
                GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, 2, 2);
                GEOSCoordSeq_setXY_r(h, cs, 0, q[0], q[1]);
                GEOSCoordSeq_setXY_r(h, cs, 1, q[2], q[3]);
                GEOSGeometry *seg = GEOSGeom_createLineString_r(h, cs);
                if (seg && GEOSPreparedIntersects_r(h, pp, seg) == 1)
                    mark[e] = 1;
                GEOSGeom_destroy_r(h, seg);
            }
        }
}

static enum kkc_code mark_areas(const struct graph *g, const struct avoid_opts *o, uint8_t *mark,
                                struct kkc_err *err)
{
    GEOSContextHandle_t h = GEOS_init_r();
    enum kkc_code rc = h ? KKC_OK : kkc_err_set(err, KKC_EINTERNAL, "GEOS did not start");
    for (size_t i = 0; !rc && i < o->nareas; i++) {
        GEOSGeometry *p = ring_polygon(h, &o->areas[i]);
        const GEOSPreparedGeometry *pp = NULL;
        if (!p)
            rc = kkc_err_set(err, KKC_EINVAL, "avoid area %zu needs at least 3 points", i + 1);
        else if (GEOSisValid_r(h, p) != 1)
            rc = kkc_err_set(err, KKC_EINVAL, "avoid area %zu is not a valid polygon "
                                              "(self-intersecting?)", i + 1);
        else if (!(pp = GEOSPrepare_r(h, p)))
            rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (avoid area)");
        else
            mark_area(h, g, p, pp, mark);
        GEOSPreparedGeom_destroy_r(h, pp);
        GEOSGeom_destroy_r(h, p);
    }
    if (h)
        GEOS_finish_r(h);
    return rc;
}

enum kkc_code closures_avoid_effects(const struct graph *g, const struct avoid_opts *o,
                                     struct closure_effects *out, struct kkc_err *err)
{
    uint8_t *mark;
    size_t n = 0;
    enum kkc_code rc = KKC_OK;
    memset(out, 0, sizeof *out);
    if (o->nareas > AVOID_AREAS_MAX)
        return kkc_err_set(err, KKC_ETOOBIG, "at most %d avoid areas", AVOID_AREAS_MAX);
    for (size_t i = 0; i < o->nareas; i++)
        if (o->areas[i].npts > AVOID_POINTS_MAX)
            return kkc_err_set(err, KKC_ETOOBIG, "at most %d points per avoid area",
                               AVOID_POINTS_MAX);
    if (!(mark = calloc(g->edge_count ? g->edge_count : 1, 1)))
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (avoid)");
    for (uint32_t e = 0; e < g->edge_count; e++)
        mark[e] = (o->exclude_classes >> (g->edge_class[e] & GRAPH_CLASS_MASK)) & 1;
    rc = mark_areas(g, o, mark, err);
    for (uint32_t e = 0; !rc && e < g->edge_count; e++)
        n += mark[e];
    if (!rc && n && !(out->items = malloc(n * sizeof *out->items)))
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (avoid)");
    for (uint32_t e = 0; !rc && e < g->edge_count; e++)
        if (mark[e])
            out->items[out->len++] = (struct closure_effect){e, 0, 0};
    free(mark);
    return rc;
}

enum kkc_code closures_graph_with(const struct graph *g, const struct closure_effects *e,
                                  struct graph **out, struct kkc_err *err)
{
    struct graph *c = malloc(sizeof *c);
    size_t n = (size_t)g->node_count + 1, m = g->edge_count;
    size_t no = g->out_first[g->node_count], ni = g->in_first[g->node_count];
    *out = NULL;
    if (!c)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (graph copy)");
    *c = *g;
    c->ch = NULL; /* the hierarchy knows the world's arcs only: the copy is searched directly */
    c->out_first = malloc(n * sizeof *c->out_first), c->in_first = malloc(n * sizeof *c->in_first);
    c->out = malloc((no ? no : 1) * sizeof *c->out), c->in = malloc((ni ? ni : 1) * sizeof *c->in);
    c->edge_flags = malloc(m ? m : 1), c->edge_cost = malloc((m ? m : 1) * sizeof *c->edge_cost);
    if (!c->out_first || !c->in_first || !c->out || !c->in || !c->edge_flags || !c->edge_cost) {
        closures_graph_release(c);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (graph copy)");
    }
    memcpy(c->out_first, g->out_first, n * sizeof *c->out_first);
    memcpy(c->in_first, g->in_first, n * sizeof *c->in_first);
    memcpy(c->out, g->out, no * sizeof *c->out);
    memcpy(c->in, g->in, ni * sizeof *c->in);
    memcpy(c->edge_flags, g->edge_flags, m);
    memcpy(c->edge_cost, g->edge_cost, m * sizeof *c->edge_cost);
    enum kkc_code rc = closures_overlay(c, e, err);
    if (rc) {
        closures_graph_release(c);
        return rc;
    }
    *out = c;
    return KKC_OK;
}

void closures_graph_release(struct graph *copy)
{
    if (!copy)
        return;
    free(copy->out_first), free(copy->in_first), free(copy->out), free(copy->in);
    free(copy->edge_flags), free(copy->edge_cost);
    free(copy);
}
