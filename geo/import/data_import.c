/* geo/import/data_import.c -- reference data into the store: boundaries (EPSG:3857 and WGS84 GeoJSON),
 * municipalities joined with their census population, and centres from GeoJSON or CSV.
 *
 * GeoJSON files are parsed with jansson; geometries go to SpatiaLite as GeoJSON text
 * (GeomFromGeoJSON, ST_Transform through PROJ). Checks on centres use the republic outline through
 * a GEOS prepared geometry and the municipality points already imported. */
#include "import/data_import.h"
#include "import/import_run.h"

#include "centres/centres.h"
#include "centres/centres_write.h"
#include "base/crs.h"
#include "base/csv.h"
#include "base/store.h"

#include <geos_c.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Report one row problem; rejected != 0 counts it as rejected, else as a warning. */
void imp_report(struct imp *im, int rejected, const char *file, long row, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (rejected)
        im->stats->rejected++;
    else
        im->stats->warnings++;
    if (im->o->report)
        im->o->report(im->o->report_ud, file, row, msg);
    store_report_row(im->st, file, row, msg);
}

/* The last path component, for short report lines. */
const char *imp_base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static char *path_join(const char *dir, const char *rel)
{
    char *p = NULL;
    if (asprintf(&p, "%s/%s", dir, rel) < 0)
        return NULL;
    return p;
}

void data_name_key(const char *name, char *out, size_t cap)
{
    /* Czech and common Latin-1/Latin Extended-A letters folded to ASCII; others dropped. */
    static const char *const from[] = {"á", "č", "ď", "é", "ě", "í", "ň", "ó", "ř", "š", "ť", "ú",
                                       "ů", "ý", "ž", "ä", "ö", "ü", "ß", "Á", "Č", "Ď", "É", "Ě",
                                       "Í", "Ň", "Ó", "Ř", "Š", "Ť", "Ú", "Ů", "Ý", "Ž", "Ä", "Ö",
                                       "Ü", "ľ", "ĺ", "Ľ", "Ĺ", "ô", "Ô", "à", "è", "â", "ç"};
    static const char to[] = "acdeeinorstuuyzaousacdeeinorstuuyzaoulllloo"
                             "aeac";
    size_t n = 0;
    for (const char *p = name; *p && n + 1 < cap;) {
        unsigned char ch = (unsigned char)*p;
        if (ch < 0x80) {
            out[n++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
            p++;
            continue;
        }
        size_t i, len = ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : 2;
        for (i = 0; i < sizeof from / sizeof from[0]; i++)
            if (strncmp(p, from[i], strlen(from[i])) == 0)
                break;
        if (i < sizeof from / sizeof from[0])
            out[n++] = to[i];
        for (size_t j = 0; j < len && *p; j++)
            p++;
    }
    out[n] = '\0';
}

/* ---------------------------------------------------------------- regions ------------------ */

/* A string property, or NULL. Numbers are formatted into buf. */
const char *imp_prop_text(json_t *props, const char *key, char *buf, size_t cap)
{
    json_t *v = json_object_get(props, key);
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, cap, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    if (json_is_real(v)) {
        snprintf(buf, cap, "%.15g", json_real_value(v));
        return buf;
    }
    return NULL;
}

struct region_file {
    const char *rel;     /* under DATA_SRC */
    const char *level;
    const char *code_key, *name_key, *pop_key;
    int srid;
};

/* Insert one region feature; geometry as GeoJSON text in srid, made valid when it is not. */
static enum kkc_code region_insert(struct imp *im, const char *file, long row, const char *level,
                                   const char *code, const char *name, json_t *pop,
                                   const char *geojson, int srid, struct kkc_err *err)
{
    static const char sql[] =
        "INSERT INTO regions (code, level, name, population, geom) VALUES (?, ?, ?, ?, "
        "CastToMultiPolygon(CASE WHEN ?5 = 4326 THEN SetSRID(GeomFromGeoJSON(?6), 4326) "
        "ELSE ST_Transform(SetSRID(GeomFromGeoJSON(?6), ?5), 4326) END))";
    sqlite3_stmt *s = NULL;
    enum kkc_code rc = store_prepare(im->st, sql, &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, level, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
    if (json_is_integer(pop))
        sqlite3_bind_int64(s, 4, json_integer_value(pop));
    else if (json_is_real(pop))
        sqlite3_bind_int64(s, 4, (long long)json_real_value(pop));
    sqlite3_bind_int(s, 5, srid);
    sqlite3_bind_text(s, 6, geojson, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE) {
        imp_report(im, 1, file, row, "%s %s: %s", level, code, sqlite3_errmsg(store_db(im->st)));
    } else {
        im->stats->regions++;
    }
    sqlite3_finalize(s);
    return KKC_OK;
}

/* Repair invalid region geometries with ST_MakeValid and report each one. */
static enum kkc_code regions_make_valid(struct imp *im, const char *file, const char *level,
                                        struct kkc_err *err)
{
    sqlite3_stmt *s = NULL;
    enum kkc_code rc = store_prepare(
        im->st, "SELECT code, ST_IsValidReason(geom) FROM regions WHERE level = ? AND "
                "ST_IsValid(geom) = 0",
        &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, level, -1, SQLITE_STATIC);
    while (sqlite3_step(s) == SQLITE_ROW)
        imp_report(im, 0, file, 0, "%s %s: invalid polygon (%s), repaired with ST_MakeValid", level,
               (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1));
    sqlite3_finalize(s);
    char sql[256];
    snprintf(sql, sizeof sql,
             "UPDATE regions SET geom = CastToMultiPolygon(ST_MakeValid(geom)) "
             "WHERE level = '%s' AND ST_IsValid(geom) = 0",
             level);
    return store_exec(im->st, sql, err);
}

/* Load a whole JSON file; NULL with err set. */
json_t *imp_load_json(const char *path, struct kkc_err *err)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root) {
        enum json_error_code jc = json_error_code(&je);
        enum kkc_code code = jc == json_error_cannot_open_file ? KKC_ENOTFOUND
                             : jc == json_error_out_of_memory  ? KKC_ENOMEM
                                                                : KKC_EINVAL;
        kkc_err_set(err, code, "%s:%d:%d: %s", path, je.line, je.column, je.text);
    }
    return root;
}

static enum kkc_code import_region_file(struct imp *im, const struct region_file *rf,
                                        struct kkc_err *err)
{
    char *path = path_join(im->o->data_src, rf->rel);
    const char *file = imp_base_name(rf->rel);
    json_t *root = path ? imp_load_json(path, err) : NULL;
    json_t *features = json_object_get(root, "features");
    enum kkc_code rc = KKC_OK;
    size_t i;
    json_t *f;

    if (!root) {
        rc = path ? err->code : kkc_err_set(err, KKC_ENOMEM, "out of memory");
        goto out;
    }
    if (!json_is_array(features)) {
        rc = kkc_err_set(err, KKC_EINVAL, "%s: not a GeoJSON FeatureCollection", path);
        goto out;
    }
    json_array_foreach(features, i, f)
    {
        json_t *props = json_object_get(f, "properties");
        char cb[64], nb[64];
        const char *code = rf->code_key ? imp_prop_text(props, rf->code_key, cb, sizeof cb) : "CZ";
        const char *name = imp_prop_text(props, rf->name_key, nb, sizeof nb);
        char *geo = json_dumps(json_object_get(f, "geometry"), JSON_COMPACT);
        if (!name)
            name = json_string_value(json_object_get(f, rf->name_key));
        if (!code || !name || !geo) {
            imp_report(im, 1, file, (long)i + 1, "feature without %s, %s or geometry", rf->code_key,
                   rf->name_key);
        } else {
            rc = region_insert(im, file, (long)i + 1, rf->level, code, name,
                               rf->pop_key ? json_object_get(props, rf->pop_key) : NULL, geo,
                               rf->srid, err);
        }
        free(geo);
        if (rc)
            break;
    }
    if (!rc)
        rc = regions_make_valid(im, file, rf->level, err);
out:
    json_decref(root);
    free(path);
    return rc;
}

/* The KHK border is published as a MultiLineString whose coordinates are one closed ring (not a
 * list of lines). Read either form as the ring(s) of a polygon. */
static enum kkc_code import_border(struct imp *im, const char *rel, struct kkc_err *err)
{
    char *path = path_join(im->o->data_src, rel);
    json_t *root = path ? imp_load_json(path, err) : NULL;
    json_t *geom = json_object_get(root, "geometry"), *coords = json_object_get(geom, "coordinates");
    json_t *poly = NULL, *rings;
    char *text = NULL;
    enum kkc_code rc = KKC_OK;

    if (!root) {
        rc = path ? err->code : kkc_err_set(err, KKC_ENOMEM, "out of memory");
        goto out;
    }
    if (!json_is_array(coords) || json_array_size(coords) < 4) {
        imp_report(im, 1, imp_base_name(rel), 1, "border has no usable coordinates");
        goto out;
    }
    if (json_is_number(json_array_get(json_array_get(coords, 0), 0))) {
        imp_report(im, 0, imp_base_name(rel), 1,
               "MultiLineString coordinates are a single point list; read as one closed ring");
        rings = json_pack("[O]", coords);
    } else {
        rings = json_incref(coords); /* a proper MultiLineString: each line is a ring */
    }
    poly = rings ? json_pack("{s:s, s:o}", "type", "Polygon", "coordinates", rings) : NULL;
    text = poly ? json_dumps(poly, JSON_COMPACT) : NULL;
    if (!text) {
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory");
        goto out;
    }
    rc = region_insert(im, imp_base_name(rel), 1, "border", "CZ052", "Královéhradecký kraj", NULL,
                       text, 4326, err);
    if (!rc)
        rc = regions_make_valid(im, imp_base_name(rel), "border", err);
out:
    free(text);
    json_decref(poly);
    json_decref(root);
    free(path);
    return rc;
}

static enum kkc_code import_regions(struct imp *im, struct kkc_err *err)
{
    static const struct region_file files[] = {
        {"cz/boundaries/czech-republic.geojson", "country", NULL, "name", NULL, 4326},
        {"cz/boundaries/kraje-3857.geojson", "kraj", "KOD_CZNUTS3", "NAZ_CZNUTS3", "POCET_OB_11",
         3857},
        {"cz/boundaries/okresy-3857.geojson", "okres", "LAU1", "NAZOK", "OBAKT", 3857},
        {"cz/boundaries/orp-3857.geojson", "orp", "KOD", "NAZ_ORP", "POCET_OBYV", 3857},
    };
    enum kkc_code rc = KKC_OK;
    for (size_t i = 0; !rc && i < sizeof files / sizeof files[0]; i++)
        rc = import_region_file(im, &files[i], err);
    if (!rc)
        rc = import_border(im, "cz/boundaries/khk-border.geojson", err);
    return rc;
}

/* ---------------------------------------------------------------- municipalities ----------- */

struct pop_row {
    char code[16];
    long population;
    int used;
};

static int cmp_pop(const void *a, const void *b)
{
    return strcmp(((const struct pop_row *)a)->code, ((const struct pop_row *)b)->code);
}

/* Read kod_obce,nazev,obyvatel_2011 into a sorted array; *out is the caller's to free. */
static enum kkc_code read_population(struct imp *im, const char *path, struct pop_row **out,
                                     size_t *n, struct kkc_err *err)
{
    struct csv *c = NULL;
    char *f[CSV_MAX_FIELDS];
    int nf, r, ic, ip;
    size_t cap = 0;
    enum kkc_code rc = csv_open(path, &c, err);

    *out = NULL;
    *n = 0;
    if (rc)
        return rc;
    if (csv_next(c, f, &nf, err) != 1 || (ic = csv_column(f, nf, "kod_obce")) < 0 ||
        (ip = csv_column(f, nf, "obyvatel_2011")) < 0) {
        csv_close(c);
        return kkc_err_set(err, KKC_EINVAL, "%s: header needs kod_obce and obyvatel_2011", path);
    }
    while ((r = csv_next(c, f, &nf, err)) != 0) {
        char *end;
        long pop;
        if (r < 0 || nf <= ic || nf <= ip) {
            imp_report(im, 1, imp_base_name(path), csv_line(c), "%s", r < 0 ? err->msg : "too few fields");
            continue;
        }
        pop = strtol(f[ip], &end, 10);
        if (*f[ip] == '\0' || *end || pop < 0 || strlen(f[ic]) >= sizeof((*out)->code)) {
            imp_report(im, 1, imp_base_name(path), csv_line(c), "bad population '%s'", f[ip]);
            continue;
        }
        if (*n == cap) {
            struct pop_row *g = realloc(*out, (cap = cap ? 2 * cap : 8192) * sizeof **out);
            if (!g) {
                csv_close(c);
                return kkc_err_set(err, KKC_ENOMEM, "out of memory");
            }
            *out = g;
        }
        snprintf((*out)[*n].code, sizeof (*out)[*n].code, "%s", f[ic]);
        (*out)[*n].population = pop;
        (*out)[(*n)++].used = 0;
    }
    csv_close(c);
    qsort(*out, *n, sizeof **out, cmp_pop);
    return KKC_OK;
}

/* Is lon,lat inside the stored republic outline? 1 yes, 0 no, -1 unknown (no outline). */
int imp_in_republic(struct imp *im, double lon, double lat)
{
    GEOSCoordSequence *cs;
    GEOSGeometry *pt;
    char in;
    if (!im->republic_prep)
        return -1;
    cs = GEOSCoordSeq_create_r(im->geos, 1, 2);
    GEOSCoordSeq_setXY_r(im->geos, cs, 0, lon, lat);
    pt = GEOSGeom_createPoint_r(im->geos, cs);
    in = GEOSPreparedIntersects_r(im->geos, im->republic_prep, pt);
    GEOSGeom_destroy_r(im->geos, pt);
    return in == 1;
}

/* Read the republic outline back from the store into a GEOS prepared geometry. */
static void load_republic(struct imp *im)
{
    sqlite3_stmt *s = NULL;
    if (store_prepare(im->st, "SELECT AsBinary(geom) FROM regions WHERE level = 'country'", &s,
                      NULL))
        return;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_bytes(s, 0) > 0) {
        GEOSWKBReader *r = GEOSWKBReader_create_r(im->geos);
        im->republic = GEOSWKBReader_read_r(im->geos, r, sqlite3_column_blob(s, 0),
                                            (size_t)sqlite3_column_bytes(s, 0));
        GEOSWKBReader_destroy_r(im->geos, r);
        if (im->republic)
            im->republic_prep = GEOSPrepare_r(im->geos, im->republic);
    }
    sqlite3_finalize(s);
}

/* Parse a finite number that uses the whole string. */
int imp_parse_num(const char *s, double *out)
{
    char *end;
    if (!s || !*s)
        return 0;
    *out = strtod(s, &end);
    return *end == '\0' && isfinite(*out);
}

static int lonlat_ok(double lon, double lat)
{
    return isfinite(lon) && isfinite(lat) && fabs(lon) <= 180 && fabs(lat) <= 90;
}

/* One obce.csv row into municipalities. */
static enum kkc_code municipality_row(struct imp *im, sqlite3_stmt *ins, const char *file, long row,
                                      char **f, const int *col, struct pop_row *pops,
                                      size_t npop)
{
    double lat, lon;
    char key[256];
    struct pop_row probe = {0}, *hit;

    if (!imp_parse_num(f[col[7]], &lat) || !imp_parse_num(f[col[8]], &lon) || !lonlat_ok(lon, lat)) {
        imp_report(im, 1, file, row, "municipality %s: bad coordinates '%s', '%s'", f[col[1]],
               f[col[7]], f[col[8]]);
        return KKC_OK;
    }
    if (imp_in_republic(im, lon, lat) == 0)
        imp_report(im, 0, file, row, "municipality %s %s lies outside the republic", f[col[1]],
               f[col[0]]);
    snprintf(probe.code, sizeof probe.code, "%s", f[col[1]]);
    hit = bsearch(&probe, pops, npop, sizeof *pops, cmp_pop);
    data_name_key(f[col[0]], key, sizeof key);
    sqlite3_reset(ins);
    sqlite3_clear_bindings(ins);
    for (int i = 0; i < 7; i++)
        sqlite3_bind_text(ins, i + 1, f[col[i]], -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins, 8, key, -1, SQLITE_TRANSIENT);
    if (hit) {
        sqlite3_bind_int64(ins, 9, hit->population);
        hit->used = 1;
    } else {
        imp_report(im, 0, file, row, "municipality %s %s has no 2011 population", f[col[1]],
               f[col[0]]);
    }
    sqlite3_bind_double(ins, 10, lon);
    sqlite3_bind_double(ins, 11, lat);
    if (sqlite3_step(ins) != SQLITE_DONE)
        imp_report(im, 1, file, row, "municipality %s: %s", f[col[1]],
               sqlite3_errmsg(store_db(im->st)));
    else
        im->stats->municipalities++;
    return KKC_OK;
}

static enum kkc_code import_municipalities(struct imp *im, struct kkc_err *err)
{
    static const char *const cols[] = {"Obec",      "Kód obce", "Okres",   "Kód okresu",
                                       "Kraj",      "Kód kraje", "PSČ",    "Latitude",
                                       "Longitude"};
    static const char sql[] =
        "INSERT INTO municipalities (name, code, okres, okres_code, kraj, kraj_code, psc, "
        "name_key, population, geom) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, MakePoint(?, ?, 4326))";
    char *obce = path_join(im->o->data_src, "cz/municipalities/obce.csv");
    char *popf = path_join(im->o->data_src, "cz/municipalities/obce-population-2011.csv");
    struct pop_row *pops = NULL;
    size_t npop = 0;
    struct csv *c = NULL;
    sqlite3_stmt *ins = NULL;
    char *f[CSV_MAX_FIELDS];
    int col[9], nf, r;
    enum kkc_code rc = obce && popf ? KKC_OK : kkc_err_set(err, KKC_ENOMEM, "out of memory");

    if (!rc)
        rc = read_population(im, popf, &pops, &npop, err);
    if (!rc)
        rc = csv_open(obce, &c, err);
    if (!rc)
        rc = store_prepare(im->st, sql, &ins, err);
    if (!rc && csv_next(c, f, &nf, err) != 1)
        rc = kkc_err_set(err, KKC_EINVAL, "%s: empty file", obce);
    for (int i = 0; !rc && i < 9; i++)
        if ((col[i] = csv_column(f, nf, cols[i])) < 0)
            rc = kkc_err_set(err, KKC_EINVAL, "%s: no column %s", obce, cols[i]);
    while (!rc && (r = csv_next(c, f, &nf, err)) != 0) {
        int need = 0;
        for (int i = 0; i < 9; i++)
            need = col[i] >= need ? col[i] + 1 : need;
        if (r < 0 || nf < need)
            imp_report(im, 1, "obce.csv", csv_line(c), "%s", r < 0 ? err->msg : "too few fields");
        else
            rc = municipality_row(im, ins, "obce.csv", csv_line(c), f, col, pops, npop);
    }
    for (size_t i = 0; !rc && i < npop; i++)
        if (!pops[i].used)
            imp_report(im, 0, "obce-population-2011.csv", 0,
                   "municipality %s has a 2011 population but is not in obce.csv", pops[i].code);
    sqlite3_finalize(ins);
    csv_close(c);
    free(pops);
    free(obce);
    free(popf);
    return rc;
}

/* ---------------------------------------------------------------- entry points ------------- */

static void imp_init(struct imp *im, struct store *st, const struct data_import_opts *o,
                     struct data_import_stats *stats)
{
    memset(im, 0, sizeof *im);
    memset(stats, 0, sizeof *stats);
    im->st = st;
    im->o = o;
    im->stats = stats;
    im->geos = GEOS_init_r();
}

static void imp_done(struct imp *im)
{
    if (im->republic_prep)
        GEOSPreparedGeom_destroy_r(im->geos, im->republic_prep);
    if (im->republic)
        GEOSGeom_destroy_r(im->geos, im->republic);
    GEOS_finish_r(im->geos);
}

enum kkc_code data_import_centres(struct store *st, const char *path, const char *source,
                                  const struct data_import_opts *o,
                                  struct data_import_stats *stats, struct kkc_err *err)
{
    struct imp im;
    enum kkc_code rc;
    imp_init(&im, st, o, stats);
    load_republic(&im);
    rc = imp_centres_file(&im, path, source, err);
    imp_done(&im);
    return rc;
}

enum kkc_code data_import(struct store *st, const struct data_import_opts *o,
                          struct data_import_stats *stats, struct kkc_err *err)
{
    struct imp im;
    enum kkc_code rc = KKC_OK;
    char *centres = NULL;

    imp_init(&im, st, o, stats);
    if (o->data_src) {
        rc = import_regions(&im, err);
        if (!rc)
            load_republic(&im);
        if (!rc)
            rc = import_municipalities(&im, err);
    }
    if (!rc && !o->centres_path && o->data_src &&
        !(centres = path_join(o->data_src, "cz/izs-bases-khk.geojson")))
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory");
    if (!rc && (o->centres_path || centres))
        rc = imp_centres_file(&im, o->centres_path ? o->centres_path : centres,
                                 o->centres_path ? "user" : "khk", err);
    free(centres);
    imp_done(&im);
    return rc;
}
