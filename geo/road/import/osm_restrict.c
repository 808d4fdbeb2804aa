/* geo/road/import/osm_restrict.c -- turn restriction relations and the barrier / signal nodes of an
 * OSM import, checked against the imported roads and written to road_restrictions and
 * road_points (contract in osm_import.h, "Restrictions"). */
#include "road/import/osm_imp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESTR_MAX 10000000UL /* restriction relations kept */
#define VIA_MAX 8            /* via ways of one restriction */

/* The restriction value that applies to a car: restriction:motorcar, else restriction (NULL when
 * the relation is not a restriction or only for other vehicles). */
static const char *car_restriction(const readosm_relation *r)
{
    const char *t = car_tag(r->tags, r->tag_count, "type");
    const char *v = car_tag(r->tags, r->tag_count, "restriction:motorcar");
    if (!t || strcmp(t, "restriction") != 0)
        return NULL;
    return v ? v : car_tag(r->tags, r->tag_count, "restriction");
}

/* Set the problem text of x (the first one wins). */
__attribute__((format(printf, 2, 3))) static void problem(struct orestr *x, const char *fmt, ...)
{
    va_list ap;
    if (x->problem[0])
        return;
    va_start(ap, fmt);
    vsnprintf(x->problem, sizeof x->problem, fmt, ap);
    va_end(ap);
}

/* Take the members of r into x (from, to, via node, via ways). */
static void restriction_members(struct imp *im, const readosm_relation *r, struct orestr *x)
{
    x->via_first = im->nvias;
    for (int i = 0; i < r->member_count; i++) {
        const readosm_member *m = &r->members[i];
        const char *role = m->role ? m->role : "";
        int way = m->member_type == READOSM_MEMBER_WAY;
        if (!strcmp(role, "from") && way)
            x->from ? problem(x, "more than one from way") : (void)(x->from = m->id);
        else if (!strcmp(role, "to") && way)
            x->to ? problem(x, "more than one to way") : (void)(x->to = m->id);
        else if (!strcmp(role, "via") && m->member_type == READOSM_MEMBER_NODE)
            x->via_node ? problem(x, "more than one via node") : (void)(x->via_node = m->id);
        else if (!strcmp(role, "via") && way && x->nvia < VIA_MAX) {
            long long *p = osm_imp_grow(im, im->vias, &im->capvias, im->nvias, sizeof *p, RESTR_MAX * 4,
                                    "restriction via ways");
            if (!p)
                return;
            im->vias = p;
            p[im->nvias++] = m->id, x->nvia++;
        } else if (!strcmp(role, "via") || !strcmp(role, "from") || !strcmp(role, "to"))
            problem(x, "member %lld with role %s is not usable", m->id, role);
    }
}

void restriction_add(struct imp *im, const readosm_relation *r)
{
    static const char *const kinds[] = {"no_left_turn",
                                        "no_right_turn",
                                        "no_straight_on",
                                        "no_u_turn",
                                        "no_entry",
                                        "no_exit",
                                        "only_left_turn",
                                        "only_right_turn",
                                        "only_straight_on",
                                        "only_u_turn",
                                        NULL};
    const char *v = car_restriction(r), *ex = car_tag(r->tags, r->tag_count, "except");
    struct orestr x = {.id = r->id};

    if (!v)
        return;
    if (ex && (strstr(ex, "motorcar") || strstr(ex, "motor_vehicle")))
        return; /* cars are excepted: nothing to apply */
    snprintf(x.value, sizeof x.value, "%s", v);
    if (!car_in(v, kinds))
        problem(&x, "restriction=%s not understood", v);
    restriction_members(im, r, &x);
    if (!x.from || !x.to)
        problem(&x, "no from or no to way");
    else if (!x.via_node && !x.nvia)
        problem(&x, "no via node or way");
    else if (x.via_node && x.nvia)
        problem(&x, "both a via node and via ways");
    struct orestr *p =
        im->rc ? NULL
               : osm_imp_grow(im, im->restr, &im->caprestr, im->nrestr, sizeof *p, RESTR_MAX,
                          "restrictions");
    if (!p)
        return;
    im->restr = p;
    p[im->nrestr++] = x;
}

/* The kept road way with this OSM id, or NULL (ways are in file order: a linear scan is
 * avoided with the sorted index wi). */
static const struct oway *way_by_id(const struct imp *im, const uint32_t *wi, long long id)
{
    size_t lo = 0, hi = im->nways;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (im->ways[wi[mid]].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < im->nways && im->ways[wi[lo]].id == id ? &im->ways[wi[lo]] : NULL;
}

/* The node index at the first (end = 0) or last (end = 1) resolved entry of way w. */
static uint32_t way_end(const struct imp *im, const struct oway *w, int end)
{
    if (!w->n)
        return NO_NODE;
    return im->idx[w->first + (end ? w->n - 1 : 0)];
}

/* 1 when node x is one of the resolved nodes of way w. */
static int way_has(const struct imp *im, const struct oway *w, uint32_t x)
{
    for (uint32_t k = 0; k < w->n; k++)
        if (im->idx[w->first + k] == x)
            return 1;
    return 0;
}

/* 1 when ways a and b share an end node. */
static int ends_meet(const struct imp *im, const struct oway *a, const struct oway *b)
{
    uint32_t a0 = way_end(im, a, 0), a1 = way_end(im, a, 1);
    uint32_t b0 = way_end(im, b, 0), b1 = way_end(im, b, 1);
    return a0 != NO_NODE && b0 != NO_NODE && (a0 == b0 || a0 == b1 || a1 == b0 || a1 == b1);
}

/* Check restriction x against the imported roads; set its problem when it cannot be applied. */
static void restriction_check(const struct imp *im, const uint32_t *wi, struct orestr *x)
{
    const struct oway *f = way_by_id(im, wi, x->from), *t = way_by_id(im, wi, x->to);
    if (x->problem[0])
        return;
    if (!f || !t) {
        problem(x, "%s way %lld is not an imported road", f ? "to" : "from", f ? x->to : x->from);
        return;
    }
    if (x->via_node) {
        uint32_t v = node_find(im, x->via_node);
        if (v == NO_NODE || !way_has(im, f, v) || !way_has(im, t, v))
            problem(x, "via node %lld is not on both the from and the to way", x->via_node);
        return;
    }
    for (uint32_t k = 0; k < x->nvia; k++) {
        long long v = im->vias[x->via_first + k];
        int loop = v == x->from || v == x->to;
        for (uint32_t j = 0; j < k; j++)
            loop |= im->vias[x->via_first + j] == v;
        if (loop) {
            problem(x, "via way %lld repeats a way of the restriction (a loop)", v);
            return;
        }
    }
    const struct oway *prev = f;
    for (uint32_t k = 0; k <= x->nvia; k++) {
        const struct oway *next = k < x->nvia ? way_by_id(im, wi, im->vias[x->via_first + k]) : t;
        if (!next) {
            problem(x, "via way %lld is not an imported road", im->vias[x->via_first + k]);
            return;
        }
        if (!ends_meet(im, prev, next)) {
            problem(x, "ways %lld and %lld do not meet at an end", prev->id, next->id);
            return;
        }
        prev = next;
    }
}

static int way_idx_cmp(const void *a, const void *b, void *ud)
{
    const struct imp *im = ud;
    long long x = im->ways[*(const uint32_t *)a].id, y = im->ways[*(const uint32_t *)b].id;
    return (x > y) - (x < y);
}

/* Space-separated via way ids of x into buf. */
static void via_text(const struct imp *im, const struct orestr *x, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (uint32_t k = 0; k < x->nvia && n < cap; k++)
        n += (size_t)snprintf(buf + n, cap - n, k ? " %lld" : "%lld", im->vias[x->via_first + k]);
}

/* Insert restriction x (checked) into road_restrictions with statement s. */
static enum kkc_code restriction_row(struct imp *im, struct store *st, sqlite3_stmt *s,
                                     const struct orestr *x)
{
    char via[VIA_MAX * 21 + 1];
    enum kkc_code rc = KKC_OK;
    via_text(im, x, via, sizeof via);
    sqlite3_bind_int64(s, 1, x->id);
    sqlite3_bind_text(s, 2, x->value, -1, SQLITE_STATIC);
    x->from ? sqlite3_bind_int64(s, 3, x->from) : sqlite3_bind_null(s, 3);
    x->via_node ? sqlite3_bind_int64(s, 4, x->via_node) : sqlite3_bind_null(s, 4);
    x->nvia ? sqlite3_bind_text(s, 5, via, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(s, 5);
    x->to ? sqlite3_bind_int64(s, 6, x->to) : sqlite3_bind_null(s, 6);
    x->problem[0] ? sqlite3_bind_text(s, 7, x->problem, -1, SQLITE_STATIC)
                  : sqlite3_bind_null(s, 7);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = store_fail(st, "insert road restriction", im->err);
    sqlite3_reset(s);
    return rc;
}

enum kkc_code write_restrictions(struct imp *im, struct store *st)
{
    uint32_t *wi = malloc((im->nways ? im->nways : 1) * sizeof *wi);
    sqlite3_stmt *s = NULL;
    enum kkc_code rc;

    if (!wi)
        return kkc_err_set(im->err, KKC_ENOMEM, "out of memory for the restrictions");
    for (size_t i = 0; i < im->nways; i++)
        wi[i] = (uint32_t)i;
    if (im->nways)
        qsort_r(wi, im->nways, sizeof *wi, way_idx_cmp, im);
    rc = store_prepare(st,
                       "INSERT OR REPLACE INTO road_restrictions (id, kind, from_way, via_node, "
                       "via_ways, to_way, problem) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       &s, im->err);
    for (size_t i = 0; !rc && i < im->nrestr; i++) {
        struct orestr *x = &im->restr[i];
        restriction_check(im, wi, x);
        if (x->problem[0])
            osm_imp_report(im, x->id, "relation %lld: restriction %s not applied: %s", x->id,
                       x->value[0] ? x->value : "?", x->problem);
        else
            im->st.restrictions++;
        rc = restriction_row(im, st, s, x);
    }
    sqlite3_finalize(s);
    free(wi);
    return rc;
}

enum kkc_code write_points(struct imp *im, struct store *st)
{
    sqlite3_stmt *s = NULL;
    enum kkc_code rc = store_prepare(st,
                                     "INSERT INTO road_points (osm_id, barrier, signals, node, "
                                     "lon, lat, emergency) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                     &s, im->err);
    for (size_t i = 0; !rc && i < im->nnodes; i++) {
        if (!im->nflag[i] || im->deg[i] != 2)
            continue; /* not on a road */
        sqlite3_bind_int64(s, 1, im->nodes[i].id);
        sqlite3_bind_int(s, 2, (im->nflag[i] & CAR_NODE_BARRIER) != 0);
        sqlite3_bind_int(s, 3, (im->nflag[i] & CAR_NODE_SIGNALS) != 0);
        if (im->gid[i] < BARRIER_NODE)
            sqlite3_bind_int64(s, 4, im->gid[i]);
        else
            sqlite3_bind_null(s, 4);
        sqlite3_bind_double(s, 5, im->nodes[i].lon / E7);
        sqlite3_bind_double(s, 6, im->nodes[i].lat / E7);
        sqlite3_bind_int(s, 7, (im->nflag[i] & CAR_NODE_EMERGENCY) != 0);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = store_fail(st, "insert road point", im->err);
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    return rc;
}
