/* service/api_batch.h -- POST /v1/nearest: the nearest centres to many incidents at once.
 *
 * The body is a GeoJSON FeatureCollection of Points (Content-Type application/geo+json or
 * application/json; the id is the feature's id or its properties.id) or CSV (text/csv) with a
 * header naming id and either lon,lat (WGS84) or x,y (in the crs query parameter, default
 * EPSG:5514). Without a Content-Type the body is sniffed: '{' starts GeoJSON, anything else CSV.
 * The query parameters are those of GET /v1/nearest without the point: k, kind, by,
 * include_closed, radius, plus crs and format=json|ndjson (or Accept: application/x-ndjson).
 *
 * The answer is streamed: rows are computed as the client reads them, so the memory a batch
 * needs is the parsed incidents (a few dozen bytes each) and one output chunk, whatever the
 * number of rows. format=json is one JSON document {"by", "k", "results": [row...], "summary"};
 * format=ndjson is one row per line and a last line {"summary": ...}. A row is
 * {"row", "id", "query": {"lon","lat"}, "results": [{"rank", "centre": {"id","name","kind",
 * "lon","lat"}, "distance_m", "bearing_deg"[, "duration_s", "road_distance_m"]}]}, or, for a row
 * that cannot be answered (bad coordinates, no road within radius), {"row", "id", "error":
 * {"code", "message"}}: one bad row never fails the batch. The summary gives the number of
 * incidents, answered and failed rows, median / p90 / max of the distance to the first centre
 * (and of its driving time with by=time) over the rows that have one (median of an even count:
 * the mean of the middle two; p90: nearest rank), and the load: how many incidents each centre
 * is the first for, most loaded first.
 *
 * Whole-batch errors, before anything is streamed: 400 for a body that is neither (no
 * FeatureCollection, no usable CSV header), bad parameters or an unknown crs; 413 TooBig beyond
 * API_BATCH_MAX_INCIDENTS incidents or API_BATCH_BODY_MAX bytes, and over HTTP beyond
 * API_BATCH_SEARCH_MAX rows that each need a whole graph search (the cost budget); 422 for by=time without a road
 * network. */
#ifndef KKC_API_BATCH_H
#define KKC_API_BATCH_H

#include "api.h"

#define API_BATCH_MAX_INCIDENTS 100000 /* incidents in one batch */
#define API_BATCH_BODY_MAX (64u << 20) /* bytes of one batch body */
#define API_BATCH_K_MAX 50             /* k, as for GET /v1/nearest */
#define API_BATCH_SEARCH_MAX 5000      /* rows needing a whole graph search each (413 past) */

/* The handler for POST /v1/nearest (route table in api.c). Fills res with a stream (status 200)
 * or an error. The stream holds the request's world but not its body or parameters. */
void api_batch_nearest(const struct api_req *r, struct api_res *res);

#endif
