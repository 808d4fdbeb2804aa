/* geo/import/import_run.h -- what the parts of the reference-data import share (data_import.c:
 * regions, municipalities, the entry points; centres_import.c: centres). Private to geo/import. */
#ifndef KKC_IMPORT_RUN_H
#define KKC_IMPORT_RUN_H

#include "base/err.h"
#include "import/data_import.h"

#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#include <jansson.h>

#include <stddef.h>

struct store;

#define FAR_DEFAULT_M 10000.0

/* Everything one import run carries around. */
struct imp {
    struct store *st;
    const struct data_import_opts *o;
    struct data_import_stats *stats;
    GEOSContextHandle_t geos;
    GEOSGeometry *republic;               /* NULL when no country outline is stored */
    const GEOSPreparedGeometry *republic_prep;
};

/* Report one row problem; rejected != 0 counts it as rejected, else as a warning. */
void imp_report(struct imp *im, int rejected, const char *file, long row, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The last path component, for short report lines. */
const char *imp_base_name(const char *path);
/* A property as text (strings as they are, numbers printed) into buf; NULL when absent. */
const char *imp_prop_text(json_t *props, const char *key, char *buf, size_t cap);
/* A whole JSON file; NULL with err set. */
json_t *imp_load_json(const char *path, struct kkc_err *err);
/* Whether lon,lat lies inside the republic's outline (1 when no outline is stored). */
int imp_in_republic(struct imp *im, double lon, double lat);
/* A whole string as a finite number; 1 ok, 0 not. */
int imp_parse_num(const char *s, double *out);

/* Centres from path (CSV by its name, else GeoJSON) into the run (centres_import.c). */
enum kkc_code imp_centres_file(struct imp *im, const char *path, const char *source,
                               struct kkc_err *err);

#endif
