/* geo/road/import/osm_import.c -- OpenStreetMap file -> road_nodes, road_edges and centres
 * (contract in osm_import.h).
 *
 * Three phases over one struct imp (osm_imp.h): (1) the read (osm_read.c): one readosm pass keeps
 * every node, the road ways a car may drive (car.c), barrier and signal nodes, restriction
 * relations (osm_restrict.c) and the centre candidates (osm_centres.c). (2) The graph build: sort
 * the nodes, resolve the refs of the road ways to node indexes, mark junctions, number them densely
 * (osm_graph.c). (3) The write: one SAVEPOINT, prepared statements, SpatiaLite geometry blobs.
 * Nothing is global; nothing prints. */
#include "road/import/osm_imp.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


__attribute__((format(printf, 3, 4))) void osm_imp_report(struct imp *im, long long row,
                                                             const char *fmt, ...)
{
    char reason[REASON_MAX];
    va_list ap;

    im->st.reports++;
    if (!im->o->report)
        return;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    im->o->report(im->o->report_ud, im->o->path, (long)row, reason);
}

void osm_imp_fail(struct imp *im, enum kkc_code code, const char *what)
{
    if (im->rc)
        return;
    im->rc = kkc_err_set(im->err, code, "%s: %s %s", im->o->path,
                         code == KKC_ENOMEM ? "out of memory for" : "too many", what);
}

/* Room for one more of n elements of size elem in array p of *cap elements, at most max.
 * Returns the (maybe moved) array, or NULL with im->rc set; p stays valid then. */
void *osm_imp_grow(struct imp *im, void *p, size_t *cap, size_t n, size_t elem, size_t max,
                      const char *what)
{
    if (n < *cap)
        return p;
    if (n >= max) {
        osm_imp_fail(im, KKC_ETOOBIG, what);
        return NULL;
    }
    size_t c = *cap ? *cap * 2 : 1024;
    if (c > max)
        c = max;
    void *q = realloc(p, c * elem);
    if (!q) {
        osm_imp_fail(im, KKC_ENOMEM, what);
        return NULL;
    }
    *cap = c;
    return q;
}

/* Free everything im owns (not the struct, which lives on the caller's stack). */
static void osm_imp_free(struct imp *im)
{
    centres_free(im);
    free(im->specials), free(im->restr), free(im->vias), free(im->nflag);
    free(im->nodes), free(im->refs), free(im->idx), free(im->ways);
    free(im->strs), free(im->deg), free(im->gid), free(im->ebar);
}

/* ------------------------------------------------------------------------------------------ */
/* Tags                                                                                        */
/* ------------------------------------------------------------------------------------------ */
/* The read: readosm callbacks                                                                 */

/* Copy s into the string store. Returns its offset, NO_STR for NULL or on failure (im->rc). */
static uint32_t strs_add(struct imp *im, const char *s)
{
    size_t len = s ? strlen(s) + 1 : 0;
    char *p;

    if (!s)
        return NO_STR;
    if (im->nstrs + len > STRS_MAX) {
        osm_imp_fail(im, KKC_ETOOBIG, "way names");
        return NO_STR;
    }
    while (im->nstrs + len > im->capstrs) {
        p = osm_imp_grow(im, im->strs, &im->capstrs, im->capstrs, 1, STRS_MAX, "way names");
        if (!p)
            return NO_STR;
        im->strs = p;
    }
    memcpy(im->strs + im->nstrs, s, len);
    im->nstrs += len;
    return (uint32_t)(im->nstrs - len);
}

/* Append n node refs. Returns the index of the first; on failure im->rc is set. */
size_t refs_add(struct imp *im, const long long *r, int n)
{
    size_t first = im->nrefs;
    for (int i = 0; i < n; i++) {
        long long *p =
            osm_imp_grow(im, im->refs, &im->caprefs, im->nrefs, sizeof *p, REFS_MAX, "node refs");
        if (!p)
            return first;
        im->refs = p;
        im->refs[im->nrefs++] = r[i];
    }
    return first;
}

/* Keep node nd's id and coordinates; an invalid position is reported and the node dropped. */
static void node_add(struct imp *im, const readosm_node *nd)
{
    struct onode *p;
    if (!(fabs(nd->latitude) <= 90 && fabs(nd->longitude) <= 180)) {
        osm_imp_report(im, nd->id, "node %lld: no valid position, skipped", nd->id);
        return;
    }
    p = osm_imp_grow(im, im->nodes, &im->capnodes, im->nnodes, sizeof *p, (size_t)OSM_IMPORT_MAX_NODES,
                 "nodes");
    if (!p)
        return;
    im->nodes = p;
    if (im->nnodes && nd->id <= im->nodes[im->nnodes - 1].id)
        im->unsorted = 1;
    p[im->nnodes].id = nd->id;
    p[im->nnodes].lon = (int32_t)lround(nd->longitude * E7);
    p[im->nnodes].lat = (int32_t)lround(nd->latitude * E7);
    im->nnodes++;
}

/* car_way_eval's reports, as import reports. */
static void car_said(void *ud, long long id, const char *reason)
{
    osm_imp_report(ud, id, "%s", reason);
}

/* Keep w when it is a road a car or (CAR_EMERGENCY_ONLY, counted with the excluded ones: not the
 * car's) an emergency vehicle may drive (car.h). Ways of other classes are ignored silently,
 * excluded ones counted, malformed ones reported. */
static void road_way_add(struct imp *im, const readosm_way *w)
{
    struct oway ow = {.id = w->id};
    enum car_verdict v = car_way_eval(&im->prof, w, &ow.car, car_said, im);

    if (v == CAR_NOT_ROAD)
        return;
    if (v == CAR_EXCLUDED || v == CAR_EMERGENCY_ONLY) {
        im->st.ways_excluded++;
        im->st.ways_emergency_only += v == CAR_EMERGENCY_ONLY;
    }
    if (v == CAR_EXCLUDED)
        return;
    if (w->node_ref_count < 2) {
        osm_imp_report(im, w->id, "way %lld: only %d node ref(s), skipped", w->id, w->node_ref_count);
        return;
    }
    ow.name = strs_add(im, car_tag(w->tags, w->tag_count, "name"));
    ow.ref = strs_add(im, car_tag(w->tags, w->tag_count, "ref"));
    ow.first = refs_add(im, w->node_refs, w->node_ref_count);
    ow.n = (uint32_t)w->node_ref_count;
    struct oway *p =
        im->rc ? NULL
               : osm_imp_grow(im, im->ways, &im->capways, im->nways, sizeof *p, WAYS_MAX, "ways");
    if (!p)
        return;
    im->ways = p;
    p[im->nways++] = ow;
}

/* Keep node nd in the special list when it is a barrier or has signals. */
static void special_add(struct imp *im, const readosm_node *nd)
{
    unsigned f = car_node_eval(&im->prof, nd);
    struct ospecial *p;
    f |= car_node_emergency(nd, f);
    if (!f)
        return;
    p = osm_imp_grow(im, im->specials, &im->capspecials, im->nspecials, sizeof *p,
                 (size_t)OSM_IMPORT_MAX_NODES, "barrier and signal nodes");
    if (!p)
        return;
    im->specials = p;
    p[im->nspecials++] = (struct ospecial){nd->id, f};
}


int osm_imp_on_node(const void *ud, const readosm_node *nd)
{
    struct imp *im = (struct imp *)ud;
    im->st.nodes_read++;
    node_add(im, nd);
    if (!im->rc && nd->tag_count > 0)
        special_add(im, nd);
    if (!im->rc && im->o->centres_from_osm && nd->tag_count > 0)
        centre_add(im, 'n', nd->id, nd->tags, nd->tag_count, nd->longitude, nd->latitude, NULL, 0);
    return im->rc ? READOSM_ABORT : READOSM_OK;
}

int osm_imp_on_way(const void *ud, const readosm_way *w)
{
    struct imp *im = (struct imp *)ud;
    im->st.ways_read++;
    road_way_add(im, w);
    if (!im->rc && im->o->centres_from_osm && w->tag_count > 0)
        centre_add(im, 'w', w->id, w->tags, w->tag_count, 0, 0, w->node_refs, w->node_ref_count);
    return im->rc ? READOSM_ABORT : READOSM_OK;
}

int osm_imp_on_relation(const void *ud, const readosm_relation *r)
{
    struct imp *im = (struct imp *)ud;
    const char *also = NULL;
    const char *kind;

    im->st.relations_read++;
    restriction_add(im, r);
    if (im->rc || !im->o->centres_from_osm)
        return READOSM_OK;
    kind = centre_kind(r->tags, r->tag_count, &also);
    if (kind)
        osm_imp_report(im, r->id, "relation %lld: %s centre mapped as a relation, skipped", r->id,
                   kind);
    return im->rc ? READOSM_ABORT : READOSM_OK;
}

/* Write nodes, edges and centres inside one SAVEPOINT; roll back on any error. */
/* The profile's turn figures, for the turn graph the query side builds (turn_costs_load()). */
static enum kkc_code write_turn_costs(struct imp *im, struct store *st)
{
    const struct {
        const char *key;
        double v;
    } f[] = {{"turn_penalty", im->prof.turn_penalty_s},
             {"turn_bias", im->prof.turn_bias},
             {"u_turn_penalty", im->prof.u_turn_penalty_s},
             {"traffic_signal_penalty", im->prof.signal_penalty_s}};
    enum kkc_code rc = KKC_OK;
    for (size_t i = 0; !rc && i < sizeof f / sizeof f[0]; i++) {
        char buf[32];
        snprintf(buf, sizeof buf, "%.17g", f[i].v);
        rc = store_meta_set(st, f[i].key, buf, im->err);
    }
    return rc;
}

static enum kkc_code imp_write(struct imp *im, struct store *st)
{
    enum kkc_code rc = store_exec(st, "SAVEPOINT osm_import", im->err);
    if (rc)
        return rc;
    rc = write_nodes(im, st);
    if (!rc)
        rc = write_edges(im, st);
    if (!rc)
        rc = write_points(im, st);
    if (!rc)
        rc = write_restrictions(im, st);
    if (!rc)
        rc = write_centres(im, st);
    if (!rc)
        rc = write_turn_costs(im, st);
    if (!rc)
        return store_exec(st, "RELEASE osm_import", im->err);
    store_exec(st, "ROLLBACK TO osm_import; RELEASE osm_import", NULL);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Entry point                                                                                 */

/* Check the options and the store, load the profile. */
static enum kkc_code imp_setup(struct imp *im, struct store *st)
{
    sqlite3_stmt *s = NULL;
    enum kkc_code rc;

    profile_default(&im->prof);
    if (im->o->profile_path) {
        rc = profile_load(im->o->profile_path, &im->prof, im->err);
        if (rc)
            return rc;
    }
    geod_init(&im->geod, 6378137, 1 / 298.257223563);
    rc = store_prepare(st,
                       "SELECT EXISTS (SELECT 1 FROM road_nodes) OR EXISTS (SELECT 1 FROM "
                       "road_edges)",
                       &s, im->err);
    if (rc)
        return rc;
    if (sqlite3_step(s) != SQLITE_ROW)
        rc = store_fail(st, "check road tables", im->err);
    else if (sqlite3_column_int(s, 0))
        rc = kkc_err_set(im->err, KKC_EINVAL, "the road graph is already imported");
    sqlite3_finalize(s);
    return rc;
}

enum kkc_code osm_import(struct store *st, const struct osm_import_opts *o,
                         struct osm_import_stats *stats, struct kkc_err *err)
{
    struct imp im;
    char tmp[PATH_MAX] = "";
    struct timespec t0, t1;
    enum kkc_code rc;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (!st || !o || !o->path)
        return kkc_err_set(err, KKC_EINVAL, "osm_import: no store or no path");
    memset(&im, 0, sizeof im);
    im.o = o;
    im.err = err;
    rc = imp_setup(&im, st);
    if (rc)
        goto fail;
    rc = osm_read(&im, tmp, sizeof tmp);
    if (tmp[0])
        unlink(tmp);
    if (rc)
        goto fail;
    rc = graph_build(&im);
    if (rc)
        goto fail;
    rc = imp_write(&im, st);
    if (rc)
        goto fail;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    im.st.elapsed_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (stats)
        *stats = im.st;
    osm_imp_free(&im);
    return KKC_OK;
fail:
    osm_imp_free(&im);
    return rc;
}
