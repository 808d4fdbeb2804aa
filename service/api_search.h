/* service/api_search.h -- place and address search over the database (geo/search/search.h):
 *   GET /v1/search?q=TEXT[&limit=N]   ranked, accent-insensitive prefix search (limit 1..50,
 *       default 10): {"query","results":[{name, kind, municipality, code, lon, lat, population}]}
 *   GET /v1/reverse?lon=&lat= (or x,y[,crs])   the nearest address and named street and the
 *       municipality: {"address":{..}|null, "street":{..}|null, "municipality":{name,code}|null,
 *       "distance_m"} (distance_m: to the address, else the street, else null).
 * An empty q is a 400, a q over SEARCH_Q_MAX bytes a 400; FTS syntax in q is plain text. */
#ifndef KKC_API_SEARCH_H
#define KKC_API_SEARCH_H

struct api_req;
struct api_res;

#define API_SEARCH_LIMIT 10 /* results when limit is not given */

void api_search(const struct api_req *r, struct api_res *res);
void api_reverse(const struct api_req *r, struct api_res *res);

#endif
