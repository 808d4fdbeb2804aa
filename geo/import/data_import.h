/* geo/import/data_import.h -- import side of the reference data: centres, municipalities, boundaries.
 *
 * Reads the files under DATA_SRC (see ../shared/data/SOURCES.md) or a user's own centre list and
 * writes them into a store created by store_open(STORE_CREATE). Nothing is printed: every
 * rejected or suspicious row goes to the report callback as (file, row, reason). The caller owns
 * the transaction and the temporary-file-then-rename step. */
#ifndef KKC_DATA_IMPORT_H
#define KKC_DATA_IMPORT_H

#include "base/err.h"

struct store;

struct data_import_opts {
    const char *data_src;     /* folder with cz/...; NULL = no reference data (only centres_path) */
    const char *centres_path; /* GeoJSON or CSV; NULL = DATA_SRC/cz/izs-bases-khk.geojson */
    double far_m;             /* a centre farther than this from its municipality is reported
                                 (0 = 10,000 m) */
    kkc_report_fn report;     /* may be NULL */
    void *report_ud;
};

struct data_import_stats {
    long centres, municipalities, regions; /* rows written */
    long rejected;                         /* rows not written */
    long warnings;                         /* rows written but reported as suspicious */
};

/* Import regions, municipalities (with population) and centres, in that order (the centre checks
 * use the first two). Fatal problems (a missing or unreadable file, a database error) return an
 * error; row problems are reported and counted. */
enum kkc_code data_import(struct store *st, const struct data_import_opts *o,
                          struct data_import_stats *stats, struct kkc_err *err);

/* Import only centres from path (GeoJSON FeatureCollection of Points, or CSV with a header
 * `id,name,kind,lon,lat` and optionally `address,municipality,municipality_code,phone,email,www,
 * hours`), tagging them with source. Checks against regions and municipalities already in st. */
enum kkc_code data_import_centres(struct store *st, const char *path, const char *source,
                                  const struct data_import_opts *o,
                                  struct data_import_stats *stats, struct kkc_err *err);

/* Lower-case ASCII folding of a UTF-8 name for accent-insensitive matching ("Hradec Králové" ->
 * "hradec kralove"); writes at most cap bytes including the NUL. */
void data_name_key(const char *name, char *out, size_t cap);

#endif
