/* service/api_batch_int.h -- what the two halves of POST /v1/nearest share: the batch being
 * answered (api_batch.c streams the answers) and the incidents parsed from the body
 * (api_batch_input.c). Private to them. */
#ifndef KKC_API_BATCH_INT_H
#define KKC_API_BATCH_INT_H

#include "base/err.h"
#include "strbuf.h"

#include <stddef.h>

struct crs_ctx;
struct world;

#define NO_TEXT ((size_t)-1)
#define ID_MAX 256           /* bytes of an incident id; longer ids are cut */
#define OUT_CAP (4u << 20)   /* bytes of output produced ahead of the reader */
#define TEXT_CAP (64u << 20) /* bytes of ids and row messages of one batch */

enum batch_by { BY_DISTANCE = 0, BY_TIME, BY_RESPONSE };
enum batch_stage { STAGE_HEAD = 0, STAGE_ROWS, STAGE_SUMMARY, STAGE_DONE };

struct incident {
    size_t id;          /* offset of the id in text, or NO_TEXT */
    size_t msg;         /* offset of the row's error message in text, or NO_TEXT */
    size_t msg_cs;      /* the same in Czech, or NO_TEXT when it has none */
    enum kkc_code code; /* the row's error, KKC_OK when lon,lat can be answered */
    double lon, lat;
};

struct batch {
    const struct world *w;
    unsigned mask;
    int closed, by, ndjson;
    int czech; /* rows' error messages in Czech (api_lang_of), English beside them */
    size_t k;
    double radius;
    struct incident *inc;
    size_t n, alloc;
    struct strbuf text; /* ids and messages, each NUL-terminated */
    size_t next;        /* the next row to answer */
    enum batch_stage stage;
    struct strbuf out;         /* produced, not yet read */
    double *first_m, *first_s; /* per row with a first centre: metres / seconds to it */
    size_t firsts;             /* entries in first_m and first_s */
    size_t answered;           /* rows answered without an error */
    unsigned long *load;       /* per centre: incidents it is first for */
    char **brief;              /* per centre: its brief JSON text once used, malloc'd */
    size_t nbrief;             /* entries of brief */
};

/* The incidents of a CSV body (id,lon,lat or id,x,y in crs when projected) into b. */
enum kkc_code batch_parse_csv(struct batch *b, const char *body, size_t len, struct crs_ctx *cx,
                               const char *crs, int crs_given, struct kkc_err *err);
/* The incidents of a GeoJSON FeatureCollection body (crs: of the coordinates, NULL WGS84). */
enum kkc_code batch_parse_geojson(struct batch *b, const char *s, size_t len, struct crs_ctx *cx,
                                   const char *crs, struct kkc_err *err);
/* The index of the first byte at or after i in s[0..len) that is not white space. */
size_t batch_skip_ws(const char *s, size_t len, size_t i);

#endif
