/* service/api_layers.h -- the map layers the web page draws its base map from.
 *
 * Three read-only endpoints over the database (the thread's own SpatiaLite connection):
 *   GET /v1/layers/roads?bbox=minlon,minlat,maxlon,maxlat&zoom=Z
 *       road_edges in the bbox (spatial index), filtered by road class and simplified by zoom;
 *       GeoJSON FeatureCollection of LineStrings, properties highway, name, ref.
 *   GET /v1/layers/boundaries?level=country|kraj|okres|orp|border[&bbox=][&zoom=][&outline=]
 *       regions of one level as GeoJSON (Multi)Polygons simplified by zoom, properties code,
 *       name, population, level; outline=true gives their boundary lines clipped to the bbox.
 *   GET /v1/municipalities?q=PREFIX[&limit=] | ?bbox=...[&limit=]
 *       accent-insensitive name search, or the municipalities inside a bbox (largest first).
 * Bad input is always a 400 with a readable message; the answers are capped (features, bytes). */
#ifndef KKC_API_LAYERS_H
#define KKC_API_LAYERS_H

struct api_req;
struct api_res;

/* Handlers for the route table in api.c; each always fills res. */
void api_layers_roads(const struct api_req *r, struct api_res *res);
void api_layers_boundaries(const struct api_req *r, struct api_res *res);
void api_layers_municipalities(const struct api_req *r, struct api_res *res);

/* Limits, public so that tests and the page agree with the server. */
#define LAYERS_ROADS_MAX 20000       /* features in one roads answer */
#define LAYERS_BODY_MAX (32u << 20)  /* bytes of one GeoJSON answer */
#define LAYERS_VIEW_PX 8192          /* a bbox may span at most this many pixels at its zoom */
#define LAYERS_ZOOM_MAX 22
#define LAYERS_MUNI_Q_MAX 10         /* default limit of a name search (at most 50) */
#define LAYERS_MUNI_BBOX_MAX 500     /* default limit of a bbox listing (at most 5000) */

#endif
