/* geo/road/import/osm_centres.c -- police, fire and ambulance centres from OSM tags (contract in
 * osm_import.h, "Centres"). */
#include "road/import/osm_imp.h"

#include "centres/centres_write.h"

#include <math.h>
#include <spatialite/gaiageo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The centre kind the tags name ("police", "fire", "ambulance") or NULL. When they name two,
 * the first in that order wins and *also gets the other. */
const char *centre_kind(const readosm_tag *t, int n, const char **also)
{
    const char *am = car_tag(t, n, "amenity");
    const char *em = car_tag(t, n, "emergency");
    const char *k = NULL;

    *also = NULL;
    if (am && strcmp(am, "police") == 0)
        k = "police";
    else if (am && strcmp(am, "fire_station") == 0)
        k = "fire";
    if (em && strcmp(em, "ambulance_station") == 0) {
        if (k)
            *also = "ambulance";
        else
            k = "ambulance";
    }
    return k;
}

/* "street housenumber, postcode city" from addr:* tags (addr:place when there is no street);
 * malloc'ed, NULL when no part is tagged or on allocation failure (*oom set then). */
static char *centre_address(const readosm_tag *t, int n, int *oom)
{
    const char *street = car_tag(t, n, "addr:street");
    const char *num = car_tag(t, n, "addr:housenumber");
    const char *pc = car_tag(t, n, "addr:postcode");
    const char *city = car_tag(t, n, "addr:city");
    char *s = NULL;

    if (!street)
        street = car_tag(t, n, "addr:place");
    if (!street && !num && !pc && !city)
        return NULL;
    if (asprintf(&s, "%s%s%s%s%s%s%s", street ? street : "", street && num ? " " : "",
                 num ? num : "", (street || num) && (pc || city) ? ", " : "", pc ? pc : "",
                 pc && city ? " " : "", city ? city : "") < 0) {
        *oom = 1;
        return NULL;
    }
    return s;
}

/* strdup of the value of the first of keys (NULL-terminated) that is tagged; NULL when none
 * is or on allocation failure (*oom set then). */
static char *tag_dup(const readosm_tag *t, int n, const char *const *keys, int *oom)
{
    for (; *keys; keys++) {
        const char *v = car_tag(t, n, *keys);
        if (v) {
            char *s = strdup(v);
            *oom |= !s;
            return s;
        }
    }
    return NULL;
}

/* Fill the text fields of c from its tags. Returns 0, or -1 when out of memory. */
static int centre_texts(struct ocentre *c, const readosm_tag *t, int n)
{
    static const char *const name[] = {"name", NULL};
    static const char *const city[] = {"addr:city", NULL};
    static const char *const phone[] = {"phone", "contact:phone", NULL};
    static const char *const email[] = {"email", "contact:email", NULL};
    static const char *const www[] = {"website", "contact:website", "url", NULL};
    static const char *const hours[] = {"opening_hours", NULL};
    int oom = 0;

    c->name = tag_dup(t, n, name, &oom);
    c->address = centre_address(t, n, &oom);
    c->city = tag_dup(t, n, city, &oom);
    c->phone = tag_dup(t, n, phone, &oom);
    c->email = tag_dup(t, n, email, &oom);
    c->www = tag_dup(t, n, www, &oom);
    c->hours = tag_dup(t, n, hours, &oom);
    return oom ? -1 : 0;
}

/* Keep a centre candidate when the tags of element type/id name a kind. Nodes give lon/lat;
 * ways give their node refs (placed after the read). */
void centre_add(struct imp *im, char type, long long id, const readosm_tag *t, int n, double lon,
                double lat, const long long *refs, int nrefs)
{
    const char *also = NULL;
    struct ocentre c = {.type = type, .id = id, .lon = lon, .lat = lat};
    struct ocentre *p;

    c.kind = centre_kind(t, n, &also);
    if (!c.kind)
        return;
    if (also)
        osm_imp_report(im, id, "%s %lld: also tagged %s, imported as %s", type == 'n' ? "node" : "way",
                   id, also, c.kind);
    if (refs) {
        c.first = refs_add(im, refs, nrefs);
        c.n = (uint32_t)nrefs;
    }
    p = im->rc ? NULL
               : osm_imp_grow(im, im->centres, &im->capcentres, im->ncentres, sizeof *p, CENTRES_MAX,
                          "centres");
    if (p)
        im->centres = p;
    if (p && centre_texts(&c, t, n) == 0) {
        p[im->ncentres++] = c;
        return;
    }
    osm_imp_fail(im, KKC_ENOMEM, "centres");
    free(c.name), free(c.address), free(c.city), free(c.phone);
    free(c.email), free(c.www), free(c.hours);
}

/* Free the centre candidates. */
void centres_free(struct imp *im)
{
    for (size_t i = 0; i < im->ncentres; i++) {
        struct ocentre *c = &im->centres[i];
        free(c->name), free(c->address), free(c->city), free(c->phone);
        free(c->email), free(c->www), free(c->hours);
    }
    free(im->centres);
}

/* Place way centre c: the area centroid of a closed ring, else the mean of its nodes. Refs
 * missing from the file are left out (reported). Returns 0 when no node of c is known. */
static int centre_locate(struct imp *im, struct ocentre *c)
{
    if (c->n == 0 || !im->refs) /* a way with no node refs (the file may have none at all) */
        return 0;
    const long long *r = im->refs + c->first;
    int closed = c->n >= 4 && r[0] == r[c->n - 1];
    uint32_t known = 0, n = closed ? c->n - 1 : c->n;
    double sx = 0, sy = 0, a2 = 0, cx = 0, cy = 0, x0 = 0, y0 = 0;

    if (n == 0)
        return 0;

    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = node_find(im, r[k]), j = node_find(im, r[(k + 1) % n]);
        if (i == NO_NODE || j == NO_NODE) {
            closed = 0;
            if (i == NO_NODE)
                continue;
        }
        double x = im->nodes[i].lon / E7, y = im->nodes[i].lat / E7;
        if (known++ == 0)
            x0 = x, y0 = y;
        sx += x - x0, sy += y - y0;
        if (j != NO_NODE) { /* shoelace terms relative to the first vertex, for precision */
            double xa = x - x0, ya = y - y0;
            double xb = im->nodes[j].lon / E7 - x0, yb = im->nodes[j].lat / E7 - y0;
            double cr = xa * yb - xb * ya;
            a2 += cr, cx += (xa + xb) * cr, cy += (ya + yb) * cr;
        }
    }
    if (known < n)
        osm_imp_report(im, c->id, "way %lld: %u of %u nodes missing, centre placed on the rest", c->id,
                   n - known, n);
    if (known == 0)
        return 0;
    if (closed && fabs(a2) > 1e-16) {
        c->lon = x0 + cx / (3 * a2), c->lat = y0 + cy / (3 * a2);
    } else {
        c->lon = x0 + sx / known, c->lat = y0 + sy / known;
    }
    return 1;
}

/* The readable label of a centre kind, for names missing from the map. */
static const char *kind_label(const char *kind)
{
    if (strcmp(kind, "police") == 0)
        return "Police";
    return strcmp(kind, "fire") == 0 ? "Fire station" : "Ambulance station";
}

/* Insert centre c through centres_insert() (the one validation and write side of every
 * writer); an id already present or a row the validation refuses is reported and counted, not an
 * error. */
static enum kkc_code centre_write(struct imp *im, struct store *st, const struct ocentre *c)
{
    char id[40], name[96];
    struct kkc_err e = {0};
    struct centre_rec r;
    enum kkc_code rc;

    snprintf(id, sizeof id, "osm-%c%lld", c->type, c->id);
    snprintf(name, sizeof name, "%s (OSM %c%lld)", kind_label(c->kind), c->type, c->id);
    r = (struct centre_rec){.id = id, .name = c->name ? c->name : name, .kind = c->kind,
                            .lon = c->lon, .lat = c->lat, .address = c->address,
                            .municipality = c->city, .phone = c->phone, .email = c->email,
                            .www = c->www, .hours = c->hours, .source = "osm", .status = "active"};
    rc = centres_insert(st, &r, &e);
    if (rc == KKC_OK) {
        im->st.centres_added++;
    } else if (rc == KKC_ECONFLICT) {
        osm_imp_report(im, c->id, "%s: centre id already exists, skipped", id);
        im->st.centres_duplicate++;
    } else if (rc == KKC_EINVAL) {
        osm_imp_report(im, c->id, "%s: %s, skipped", id, e.msg);
        im->st.centres_rejected++;
    } else {
        return kkc_err_set(im->err, rc, "%s", e.msg);
    }
    return KKC_OK;
}

/* Place and insert every centre candidate. */
enum kkc_code write_centres(struct imp *im, struct store *st)
{
    enum kkc_code rc = KKC_OK;

    for (size_t i = 0; !rc && i < im->ncentres; i++) {
        struct ocentre *c = &im->centres[i];
        if (c->type == 'w' && !centre_locate(im, c)) {
            osm_imp_report(im, c->id, "way %lld: %s centre without known nodes, skipped", c->id,
                       c->kind);
            continue;
        }
        rc = centre_write(im, st, c);
    }
    return rc;
}
