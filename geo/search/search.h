/* geo/search/search.h -- place and address search: the build (import side, search_build.c) fills
 * search_items and its FTS5 index search_fts (data/schema.sql) from municipalities, OSM places,
 * named streets and addresses; the queries (search_query.c) are a ranked, accent-insensitive
 * prefix search over it and a reverse lookup (nearest address, street and municipality).
 *
 * Nothing here prints, speaks HTTP or JSON. Every call takes the caller's store connection (one
 * per thread) and returns an enum kkc_code with err filled. */
#ifndef KKC_SEARCH_H
#define KKC_SEARCH_H

#include "base/err.h"

#include <stddef.h>

struct store;

#define SEARCH_Q_MAX 200    /* bytes of a query text */
#define SEARCH_TOKENS_MAX 8 /* words of a query that are used (the rest are ignored) */
#define SEARCH_LIMIT_MAX 50 /* results of one query */

/* ---------------------------------------------------------------- build ------------------- */

struct search_build_opts {
    const char *osm_path; /* the OSM extract for places and addresses; NULL = none */
    kkc_report_fn report; /* rejected features (file, OSM id, reason); may be NULL */
    void *report_ud;
};

struct search_build_stats {
    long municipalities, places, streets, addresses; /* rows written */
    long rejected;                                   /* features reported and not written */
};

/* Replace the search rows of st with those of its municipalities, its road_edges (one row per
 * connected run of edges with the same name) and, when o->osm_path is set, the place=* nodes and
 * the addr:* nodes and ways of that file. Runs inside one SAVEPOINT: on error nothing is changed.
 * Items without an addr:city get the nearest municipality within 20 km, else the addr:city of
 * the nearest address within 1 km. */
enum kkc_code search_build(struct store *st, const struct search_build_opts *o,
                           struct search_build_stats *stats, struct kkc_err *err);

/* ---------------------------------------------------------------- query ------------------- */

enum search_kind { SEARCH_MUNICIPALITY, SEARCH_PLACE, SEARCH_STREET, SEARCH_ADDRESS };
/* "municipality", "place", "street", "address". */
const char *search_kind_name(enum search_kind k);

/* One result; the strings are borrowed for the duration of the callback. */
struct search_hit {
    enum search_kind kind;
    const char *name;
    const char *municipality; /* NULL when unknown */
    const char *code;         /* the municipality's code (kind municipality), else NULL */
    long long population;     /* -1 when unknown */
    double lon, lat;
};
typedef void (*search_hit_fn)(void *ctx, const struct search_hit *hit);

/* The ranking key of a name or a query: lower case, accents removed (data_name_key), every run
 * of other ASCII characters one space, no outer spaces ("Náměstí Míru 101/3" -> "namesti miru
 * 101 3"); at most cap bytes with the NUL. */
void search_key(const char *s, char *out, size_t cap);

/* Turn the user's text q into a safe FTS5 expression in out (cap bytes): each word (a run of
 * letters and digits; UTF-8 letters kept as they are) quoted as a prefix term "word"*, at most
 * SEARCH_TOKENS_MAX words joined by AND. Returns the number of words (0: nothing to search). */
int search_fts_expr(const char *q, char *out, size_t cap);

/* The results for q, best first, at most limit (1..SEARCH_LIMIT_MAX): ranked by how the name
 * matches (equal, starts with, a word starts with) ignoring case and accents, then by population,
 * then municipality, place, street, address. An empty q or one longer than SEARCH_Q_MAX is
 * KKC_EINVAL; q without letters or digits gives no results. */
enum kkc_code search_find(struct store *st, const char *q, long limit, search_hit_fn fn, void *ctx,
                          struct kkc_err *err);

/* What lies at a point. Absent parts have has_* = 0. Distances are geodesic metres. */
struct search_place {
    int has_address, has_street, has_municipality;
    char address[256], address_municipality[128];
    double address_m, address_lon, address_lat;
    char street[256];
    double street_m;
    char municipality[128], municipality_code[16];
    double municipality_m; /* to the municipality's centre point */
};

#define SEARCH_ADDRESS_RADIUS_M 150.0 /* nearest address searched within */
#define SEARCH_STREET_RADIUS_M 300.0  /* nearest named road searched within */

/* The nearest address and named street around lon,lat and the municipality it is in: the nearest
 * municipality centre inside the okres whose boundary contains the point (there are no municipal
 * boundaries in the data), none outside every okres. */
enum kkc_code search_reverse(struct store *st, double lon, double lat, struct search_place *out,
                             struct kkc_err *err);

#endif
