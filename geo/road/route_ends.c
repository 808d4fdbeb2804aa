/* geo/road/route_ends.c -- a route between two map points snapped as OSRM does (route_ends.h). */
#include "road/route_ends.h"

/* The main component's snap of lon,lat into *m (ok_m), and a nearer road off it into *a (ok_a).
 * The nearest road of all is found first: when it lies on the main component it is also the
 * main component's nearest (ties broken alike, among fewer candidates), so one grid scan
 * answers both. */
static enum kkc_code snap_both(const struct graph *g, double lon, double lat, double radius,
                               struct snap *m, int *ok_m, struct snap *a, int *ok_a,
                               struct kkc_err *err)
{
    struct kkc_err e = {0};
    int any = snap_point_any(g, lon, lat, radius, a, NULL) == KKC_OK;
    if (any && (g->edge_flags[a->edge] & GRAPH_SNAPPABLE)) {
        *m = *a, *ok_m = 1, *ok_a = 0;
        return KKC_OK;
    }
    enum kkc_code rc = snap_point(g, lon, lat, radius, m, &e);
    *ok_m = rc == KKC_OK;
    if (rc && rc != KKC_ENOSEGMENT) {
        *err = e;
        return rc;
    }
    *ok_a = any && (!*ok_m || (a->edge != m->edge && a->distance_m < m->distance_m));
    if (!*ok_m && !*ok_a) {
        *err = e;
        return rc;
    }
    return KKC_OK;
}

enum kkc_code route_ends(const struct graph *g, struct route_ctx *ctx, double from_lon,
                         double from_lat, double from_radius_m, double to_lon, double to_lat,
                         double to_radius_m, struct snap *from, struct snap *to,
                         struct route_result **out, struct kkc_err *err)
{
    struct snap fs[2], ts[2]; /* [0] off the main component (nearer), [1] on it */
    int fok[2], tok[2];
    enum kkc_code rc = snap_both(g, from_lon, from_lat, from_radius_m, &fs[1], &fok[1], &fs[0],
                                 &fok[0], err);
    if (!rc)
        rc = snap_both(g, to_lon, to_lat, to_radius_m, &ts[1], &tok[1], &ts[0], &tok[0], err);
    if (rc)
        return rc;
    rc = KKC_ENOROUTE;
    for (int i = 0; i < 2 && rc == KKC_ENOROUTE; i++)
        for (int j = 0; j < 2 && rc == KKC_ENOROUTE; j++) {
            if (!fok[i] || !tok[j])
                continue;
            rc = route_compute(g, ctx, &fs[i], &ts[j], 1, out, err);
            if (rc == KKC_OK)
                *from = fs[i], *to = ts[j];
        }
    return rc;
}
