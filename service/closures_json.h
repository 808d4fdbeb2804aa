/* service/closures_json.c -- road closures to and from JSON (the admin API and the feed file).
 *
 * A closure object: {"reason": text, "source": text, "ways": [OSM way ids], "geometry": GeoJSON
 * LineString / Polygon / MultiPolygon, "direction": "both" | "forward" | "backward",
 * "factor": 0 (closed, the default) or a slow-down > 1, "valid_from": ISO 8601 time (default:
 * now), "valid_until": ISO 8601 time or null}. Output adds id, created, changed and active. A
 * feed is a GeoJSON FeatureCollection whose features carry the fields in their properties and
 * the geometry as theirs. */
#ifndef KKC_CLOSURES_JSON_H
#define KKC_CLOSURES_JSON_H

#include "base/err.h"
#include "closures/closures.h"

#include <jansson.h>

/* Parse a document: one closure object, {"closures": [objects]} or a FeatureCollection, into
 * out (appended). now is the default valid_from. KKC_EINVAL names the item and the field;
 * KKC_ETOOBIG over CLOSURES_WRITE_MAX items. */
enum kkc_code closures_from_json(json_t *doc, int64_t now, struct closure_list *out,
                                 struct kkc_err *err);

/* The closure as an API object; active says whether it is in force at now. */
json_t *closure_to_json(const struct closure *c, int64_t now);
/* As a GeoJSON Feature with geometry (GeoJSON text, may be NULL: c->geojson then). */
json_t *closure_to_feature(const struct closure *c, const char *geometry, int64_t now);

/* "2026-12-02T10:00:00Z" (or with +HH:MM) to Unix seconds; -1 when malformed. */
int64_t closures_parse_time(const char *s);

#endif
