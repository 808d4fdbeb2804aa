/* geo/import/centres_import.c -- centres from GeoJSON (the IZS bases, or any FeatureCollection of
 * Points) or CSV into the store, each through centres_insert() (the one validation of every
 * writer), with the import's own checks: a phone that is no phone number is left empty, and a
 * centre far from its municipality or outside the republic is reported. */
#include "import/import_run.h"

#include "base/crs.h"
#include "base/csv.h"
#include "base/store.h"
#include "centres/centres.h"
#include "centres/centres_write.h"
#include "coverage/response.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One centre as read from a file, before checks. Strings are borrowed from the parser. */
struct centre_row {
    const char *id, *name, *kind, *address, *municipality, *municipality_code;
    const char *phone, *email, *www, *hours;
    const char *turnout_s, *turnout_min; /* the centre's own turnout as text; NULL: none */
    double lon, lat;
    int has_point;
};

/* Where is municipality code, and what is it called? 1 found, 0 not. */
static int municipality_at(struct imp *im, const char *code, double *lon, double *lat, char *name,
                           size_t cap)
{
    sqlite3_stmt *s = NULL;
    int found = 0;
    if (!code || store_prepare(im->st,
                               "SELECT X(geom), Y(geom), name FROM municipalities WHERE code = ?",
                               &s, NULL))
        return 0;
    sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
        *lon = sqlite3_column_double(s, 0);
        *lat = sqlite3_column_double(s, 1);
        snprintf(name, cap, "%s", (const char *)sqlite3_column_text(s, 2));
        found = 1;
    }
    sqlite3_finalize(s);
    return found;
}

/* The station's name ends with another municipality's name than the declared one? Report it
 * (e.g. "Obvodní oddělení Smiřice" declared in Hradec Králové). */
static void check_name_place(struct imp *im, const char *file, long row,
                             const struct centre_row *c, const char *mname)
{
    char nkey[512], mkey[256];
    sqlite3_stmt *s = NULL;
    data_name_key(c->name, nkey, sizeof nkey);
    data_name_key(mname, mkey, sizeof mkey);
    if (strstr(nkey, mkey))
        return;
    if (store_prepare(im->st,
                      "SELECT name, code FROM municipalities WHERE ?1 LIKE '% ' || name_key AND "
                      "okres_code = (SELECT okres_code FROM municipalities WHERE code = ?2) "
                      "ORDER BY length(name_key) DESC LIMIT 1",
                      &s, NULL))
        return;
    sqlite3_bind_text(s, 1, nkey, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, c->municipality_code, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
        imp_report(im, 0, file, row,
               "centre %s \"%s\": the name names %s (%s) but the declared municipality is %s (%s)",
               c->id, c->name, (const char *)sqlite3_column_text(s, 0),
               (const char *)sqlite3_column_text(s, 1), mname, c->municipality_code);
    sqlite3_finalize(s);
}

/* Does the store hold any municipalities (imported now or before)? */
static int municipalities_known(struct imp *im)
{
    sqlite3_stmt *s = NULL;
    int any = 0;
    if (im->stats->municipalities > 0)
        return 1;
    if (store_prepare(im->st, "SELECT 1 FROM municipalities LIMIT 1", &s, NULL) == KKC_OK)
        any = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    return any;
}

/* Checks that keep the row but report it: outside the republic, far from its municipality. */
static void check_centre(struct imp *im, const char *file, long row, const struct centre_row *c)
{
    double mlon, mlat, far = im->o->far_m > 0 ? im->o->far_m : FAR_DEFAULT_M;
    char mname[256];

    if (imp_in_republic(im, c->lon, c->lat) == 0)
        imp_report(im, 0, file, row, "centre %s \"%s\" at %.5f, %.5f lies outside the republic",
               c->id, c->name, c->lon, c->lat);
    if (!c->municipality_code || !*c->municipality_code)
        return;
    if (!municipality_at(im, c->municipality_code, &mlon, &mlat, mname, sizeof mname)) {
        if (municipalities_known(im))
            imp_report(im, 0, file, row, "centre %s: unknown municipality code %s", c->id,
                   c->municipality_code);
        return;
    }
    double d = crs_geodesic(c->lon, c->lat, mlon, mlat, NULL);
    if (d > far)
        imp_report(im, 0, file, row,
               "centre %s \"%s\" at %.4f, %.4f is %.1f km from its municipality %s (%s) at "
               "%.4f, %.4f",
               c->id, c->name, c->lon, c->lat, d / 1000, mname, c->municipality_code, mlon, mlat);
    check_name_place(im, file, row, c, mname);
}

/* A phone number: digits, spaces and one leading '+', 3..20 digits. */
static int phone_ok(const char *s)
{
    int digits = 0;
    for (const char *p = s; *p; p++) {
        if (*p >= '0' && *p <= '9')
            digits++;
        else if (*p != ' ' && !(*p == '+' && p == s))
            return 0;
    }
    return digits >= 3 && digits <= 20;
}

/* Text v, or NULL when empty (the table keeps NULL for a missing field). */
static const char *nonempty(const char *v)
{
    return v && *v ? v : NULL;
}

/* Validate (centres_check(), the one validation of every writer) and insert one centre; a
 * rejected row is reported and skipped. */
static enum kkc_code centre_insert(struct imp *im, const char *file, long row,
                                   const struct centre_row *c, const char *source)
{
    struct centre_rec r = {nonempty(c->id), nonempty(c->name), c->kind,
                           c->has_point ? c->lon : NAN, c->has_point ? c->lat : NAN,
                           nonempty(c->address), nonempty(c->municipality),
                           nonempty(c->municipality_code), nonempty(c->phone),
                           nonempty(c->email), nonempty(c->www), nonempty(c->hours),
                           nonempty(source), NULL, 0, 0};
    struct kkc_err e = {0};
    enum kkc_code rc;

    if (!response_turnout_parse(c->turnout_s, c->turnout_min, &r.turnout_s))
        return imp_report(im, 1, file, row,
                          "centre %s: turnout '%s' is not whole seconds 0..%d (turnout_s) or "
                          "minutes (turnout_min); row skipped",
                          c->id ? c->id : "",
                          c->turnout_s && *c->turnout_s ? c->turnout_s : c->turnout_min,
                          CENTRE_TURNOUT_MAX_S),
               KKC_OK;
    r.turnout_set = r.turnout_s >= 0; /* "0" is an explicit 0, an empty cell none */
    if (r.turnout_s < 0)
        r.turnout_s = 0;
    if (r.phone && !phone_ok(r.phone)) {
        imp_report(im, 0, file, row, "centre %s: phone '%s' is not a phone number; left empty", c->id,
               r.phone);
        r.phone = NULL;
    }
    rc = centres_insert(im->st, &r, &e);
    if (rc == KKC_ECONFLICT)
        return imp_report(im, 1, file, row, "centre %s: duplicate id", c->id), KKC_OK;
    if (rc == KKC_EINVAL)
        return imp_report(im, 1, file, row, "centre %s: %s", c->id ? c->id : "", e.msg), KKC_OK;
    if (rc)
        return rc;
    im->stats->centres++;
    check_centre(im, file, row, c);
    return KKC_OK;
}

/* A non-blank string property or NULL. */
static const char *pstr(json_t *props, const char *key)
{
    const char *s = json_string_value(json_object_get(props, key));
    while (s && *s == ' ')
        s++;
    return s && *s ? s : NULL;
}

/* Fill the derived text fields of an IZS-base feature (name, address) into bufs. */
static void izs_texts(json_t *p, struct centre_row *c, char *name, size_t ncap, char *addr,
                      size_t acap)
{
    const char *obec = pstr(p, "nazev_obce"), *street = pstr(p, "nazev_ulice");
    const char *dom = pstr(p, "cislo_domovni"), *ori = pstr(p, "cislo_orientacni");
    const char *psc = pstr(p, "psc");
    char num[64];

    c->name = pstr(p, "name") ? pstr(p, "name") : pstr(p, "nazev_obvodu");
    if (!c->name && pstr(p, "druh_pracoviste")) {
        const char *d = pstr(p, "druh_pracoviste");
        if (obec && !strstr(d, obec))
            snprintf(name, ncap, "HZS %s (%s)", d, obec);
        else
            snprintf(name, ncap, "HZS %s", d);
        c->name = name;
    } else if (!c->name && pstr(p, "oblast")) {
        const char *v = pstr(p, "vyjezdova_zakladna");
        snprintf(name, ncap, "ZZS %s%s%s", pstr(p, "oblast"), v ? " – " : "", v ? v : "");
        c->name = name;
    }
    c->address = pstr(p, "address");
    if (!c->address && obec) {
        snprintf(num, sizeof num, "%s%s%s", dom ? dom : "", ori ? "/" : "", ori ? ori : "");
        snprintf(addr, acap, "%s%s%s%s%s%s%s", street ? street : obec, *num ? " " : "", num,
                 ", ", psc ? psc : "", psc ? " " : "", obec);
        c->address = addr;
    }
}

/* A GeoJSON FeatureCollection of Points: the IZS-base properties or plain id/name/kind/... */
static enum kkc_code centres_from_geojson(struct imp *im, const char *path, const char *source,
                                          struct kkc_err *err)
{
    const char *file = imp_base_name(path);
    json_t *root = imp_load_json(path, err), *features = json_object_get(root, "features"), *f;
    enum kkc_code rc = root ? KKC_OK : err->code;
    size_t i;

    if (!rc && !json_is_array(features))
        rc = kkc_err_set(err, KKC_EINVAL, "%s: not a GeoJSON FeatureCollection", path);
    json_array_foreach(features, i, f)
    {
        json_t *p = json_object_get(f, "properties"), *g = json_object_get(f, "geometry");
        json_t *xy = json_object_get(g, "coordinates");
        struct centre_row c = {0};
        char name[256], addr[512], idb[64], tsb[64], tmb[64];

        if (rc)
            break;
        c.id = pstr(p, "id") ? pstr(p, "id") : pstr(p, "dp_id");
        if (!c.id)
            c.id = imp_prop_text(f, "id", idb, sizeof idb);
        c.kind = pstr(p, "kind");
        izs_texts(p, &c, name, sizeof name, addr, sizeof addr);
        c.municipality = pstr(p, "municipality") ? pstr(p, "municipality") : pstr(p, "nazev_obce");
        c.municipality_code =
            pstr(p, "municipality_code") ? pstr(p, "municipality_code") : pstr(p, "kod_obce");
        c.phone = pstr(p, "phone") ? pstr(p, "phone") : pstr(p, "telefon");
        c.email = pstr(p, "email");
        c.www = pstr(p, "www");
        c.hours = pstr(p, "hours");
        c.turnout_s = imp_prop_text(p, "turnout_s", tsb, sizeof tsb);
        c.turnout_min = imp_prop_text(p, "turnout_min", tmb, sizeof tmb);
        if (json_is_array(xy) && json_array_size(xy) >= 2 &&
            json_is_string(json_object_get(g, "type")) &&
            strcmp(json_string_value(json_object_get(g, "type")), "Point") == 0) {
            c.lon = json_number_value(json_array_get(xy, 0));
            c.lat = json_number_value(json_array_get(xy, 1));
            c.has_point = json_is_number(json_array_get(xy, 0)) &&
                          json_is_number(json_array_get(xy, 1));
        }
        rc = centre_insert(im, file, (long)i + 1, &c, source);
    }
    json_decref(root);
    return rc;
}

/* CSV: a header with id,name,kind,lon,lat and optional text columns, turnout_s (whole seconds)
 * and turnout_min (minutes). */
static enum kkc_code centres_from_csv(struct imp *im, const char *path, const char *source,
                                      struct kkc_err *err)
{
    static const char *const names[] = {"id",    "name", "kind", "lon",   "lat",
                                        "address", "municipality", "municipality_code",
                                        "phone", "email", "www", "hours", "turnout_s",
                                        "turnout_min"};
    enum { NCOL = sizeof names / sizeof names[0] };
    const char *file = imp_base_name(path);
    struct csv *c = NULL;
    char *f[CSV_MAX_FIELDS];
    int col[NCOL], nf, r;
    enum kkc_code rc = csv_open(path, &c, err);

    if (!rc && csv_next(c, f, &nf, err) != 1)
        rc = kkc_err_set(err, KKC_EINVAL, "%s: empty file", path);
    for (int i = 0; !rc && i < NCOL; i++)
        if ((col[i] = csv_column(f, nf, names[i])) < 0 && i < 5)
            rc = kkc_err_set(err, KKC_EINVAL, "%s: the header needs id,name,kind,lon,lat", path);
    while (!rc && (r = csv_next(c, f, &nf, err)) != 0) {
        const char *v[NCOL] = {0};
        struct centre_row row = {0};
        if (r < 0) {
            imp_report(im, 1, file, csv_line(c), "%s", err->msg);
            continue;
        }
        for (int i = 0; i < NCOL; i++)
            v[i] = col[i] >= 0 && col[i] < nf && *f[col[i]] ? f[col[i]] : NULL;
        row = (struct centre_row){v[0], v[1],  v[2],  v[5],  v[6], v[7], v[8],
                                  v[9], v[10], v[11], v[12], v[13], 0,   0,    0};
        row.has_point = imp_parse_num(v[3], &row.lon) && imp_parse_num(v[4], &row.lat);
        rc = centre_insert(im, file, csv_line(c), &row, source);
    }
    csv_close(c);
    return rc;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

/* Centres from path into the prepared run. */
enum kkc_code imp_centres_file(struct imp *im, const char *path, const char *source,
                                         struct kkc_err *err)
{
    if (ends_with(path, ".csv"))
        return centres_from_csv(im, path, source, err);
    return centres_from_geojson(im, path, source, err);
}
