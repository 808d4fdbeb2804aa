/* service/json_geo.c -- GeoJSON pieces. See json_geo.h. */
#include "json_geo.h"

#include "api.h"
#include "centres/centres.h"
#include "coverage/coverage.h"
#include "world.h"

#include "json_out.h"

/* The coordinates of a ring or line: [[lon, lat], ...] rounded to 1e-7 degree. */
json_t *kkc_json_coords(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    const GEOSCoordSequence *s = GEOSGeom_getCoordSeq_r(h, g);
    unsigned n = 0;
    json_t *a = json_array();
    double x, y;
    if (!s || !GEOSCoordSeq_getSize_r(h, s, &n))
        return a;
    for (unsigned i = 0; i < n; i++)
        if (GEOSCoordSeq_getXY_r(h, s, i, &x, &y))
            json_array_append_new(a, json_pack("[o,o]", kkc_json_num(x, 7), kkc_json_num(y, 7)));
    return a;
}

/* A polygon's rings: [shell, hole, ...]. */
json_t *kkc_json_rings(GEOSContextHandle_t h, const GEOSGeometry *poly)
{
    json_t *a = json_array();
    if (GEOSisEmpty_r(h, poly))
        return a;
    json_array_append_new(a, kkc_json_coords(h, GEOSGetExteriorRing_r(h, poly)));
    for (int k = 0; k < GEOSGetNumInteriorRings_r(h, poly); k++)
        json_array_append_new(a, kkc_json_coords(h, GEOSGetInteriorRingN_r(h, poly, k)));
    return a;
}

/* A GeoJSON geometry for a lon/lat (Multi)Polygon: Polygon when it has one part. */
json_t *kkc_json_area(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(h, g), n = GEOSGetNumGeometries_r(h, g);
    json_t *polys;
    if (type == GEOS_POLYGON)
        return json_pack("{s:s, s:o}", "type", "Polygon", "coordinates", kkc_json_rings(h, g));
    if (n == 1)
        return kkc_json_area(h, GEOSGetGeometryN_r(h, g, 0));
    polys = json_array();
    for (int k = 0; k < n; k++)
        if (GEOSGeomTypeId_r(h, GEOSGetGeometryN_r(h, g, k)) == GEOS_POLYGON)
            json_array_append_new(polys, kkc_json_rings(h, GEOSGetGeometryN_r(h, g, k)));
    return json_pack("{s:s, s:o}", "type", "MultiPolygon", "coordinates", polys);
}

json_t *kkc_json_feature(json_t *geometry, json_t *props)
{
    return json_pack("{s:s, s:o, s:o}", "type", "Feature", "geometry", geometry, "properties",
                     props);
}

json_t *kkc_json_point(double lon, double lat)
{
    return json_pack("{s:s, s:[o,o]}", "type", "Point", "coordinates", kkc_json_num(lon, 7),
                     kkc_json_num(lat, 7));
}

/* Reply with a FeatureCollection (stolen features) and extra top-level members (stolen). */
void kkc_json_geo_reply(struct api_res *res, json_t *features, json_t *extra)
{
    json_t *fc = json_pack("{s:s, s:o}", "type", "FeatureCollection", "features", features);
    json_object_update(fc, extra);
    json_decref(extra);
    api_reply(res, fc);
    res->content_type = "application/geo+json";
}

/* A site: the centre's id, name, kind and position, or an added point. */
json_t *kkc_json_site(const struct api_req *r, const struct coverage_site *s)
{
    if (s->centre >= 0) {
        const struct centre *c = centres_get(r->w->centres, (size_t)s->centre);
        return json_pack("{s:s, s:s, s:s, s:o, s:o}", "id", c->id, "name", c->name, "kind",
                         centres_kind_name(c->kind), "lon", kkc_json_num(c->lon, 7), "lat",
                         kkc_json_num(c->lat, 7));
    }
    char id[32];
    snprintf(id, sizeof id, "added-%d", s->added);
    return json_pack("{s:s, s:s, s:b, s:o, s:o}", "id", id, "name", "added centre", "added", 1,
                     "lon", kkc_json_num(s->lon, 7), "lat", kkc_json_num(s->lat, 7));
}

/* The kinds of mask as an array of names. */
json_t *kkc_json_kinds(unsigned mask)
{
    json_t *a = json_array();
    for (int k = 0; k < KIND_COUNT; k++)
        if (mask & (1u << k))
            json_array_append_new(a, json_string(centres_kind_name((enum centre_kind)k)));
    return a;
}

/* {"total", "covered", "share"}; nulls when has is 0; whole numbers when decimals < 0. */
json_t *kkc_json_share(double covered, double total, int has, int decimals)
{
    if (!has)
        return json_pack("{s:n, s:n, s:n}", "total", "covered", "share");
    return json_pack("{s:o, s:o, s:o}", "total",
                     decimals < 0 ? json_integer((json_int_t)total) : kkc_json_num(total, decimals),
                     "covered",
                     decimals < 0 ? json_integer((json_int_t)covered) : kkc_json_num(covered, decimals),
                     "share", total > 0 ? kkc_json_num(covered / total, 6) : json_null());
}
