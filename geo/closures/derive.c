/* geo/closures/derive.c -- a graph with closures from the base graph, its metric updated in
 * part (derive.h). */
#include "closures/derive.h"

#include "closures/avoid.h"
#include "road/cch.h"
#include "road/graph.h"
#include "road/road_ch.h"
#include "road/tnet.h"
#include "road/turn.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define NODES_MAX 64 /* routing nodes looked at per segment (a segment and its via-way copies) */

struct closures_base {
    struct graph *g;
    int fd; /* the file holding the base metric (DB.cch.metric or a memory file); -1: none */
    size_t len, off_weight, off_up, off_down, off_mid;
    void *map; /* the memory file's shared, read-only mapping: the base metric's arrays (NULL
                  when the metric is the hierarchy's mapping of DB.cch.metric) */
};

/* A derived graph's hierarchy: the base's topology, its own metric (mapped or copied). */
struct derived_ch {
    struct road_ch ch;
    void *map; /* the private (copy-on-write) mapping of the base's memory file, or NULL */
    size_t len;
};

/* Move the base metric's arrays into a memory file mapped read-only: derived metrics map it
 * privately, so a derivation copies only the pages the update writes. A metric mapped from
 * DB.cch.metric is in such a file already (the base metric is never written in place, so it is
 * the file's): derived metrics map that. */
static int base_share(struct closures_base *b)
{
    struct cch_metric *m = b->g->ch->m;
    const struct cch_metric_file *mf = &b->g->ch->metric_file;
    if (mf->map) {
        b->fd = fcntl(mf->fd, F_DUPFD_CLOEXEC, 0);
        b->len = mf->len, b->off_weight = mf->off_weight;
        b->off_up = mf->off_up, b->off_down = mf->off_down, b->off_mid = mf->off_mid;
        return b->fd < 0 ? -1 : 0;
    }
    size_t lw = m->c->input_arcs * sizeof *m->weight, la = m->c->arc_count * sizeof *m->up;
    b->off_weight = 0, b->off_up = lw, b->off_down = lw + la, b->off_mid = lw + 2 * la;
    b->len = lw + 3 * la + 8; /* mid: two uint32 an arc, as many bytes as a cost */
    b->fd = memfd_create("kkc-metric", MFD_CLOEXEC);
    if (b->fd < 0 || ftruncate(b->fd, (off_t)b->len) ||
        (b->map = mmap(NULL, b->len, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, 0)) == MAP_FAILED) {
        if (b->fd >= 0)
            close(b->fd);
        b->fd = -1, b->map = NULL;
        return -1;
    }
    char *p = b->map;
    memcpy(p, m->weight, lw), memcpy(p + b->off_up, m->up, la);
    memcpy(p + b->off_down, m->down, la), memcpy(p + b->off_mid, m->mid, la);
    mprotect(b->map, b->len, PROT_READ);
    free(m->weight), free(m->up), free(m->down), free(m->mid);
    m->weight = (cch_cost *)p, m->up = (cch_cost *)(p + b->off_up);
    m->down = (cch_cost *)(p + b->off_down), m->mid = (uint32_t *)(p + b->off_mid);
    return 0;
}

enum kkc_code closures_base_create(struct graph *g, struct closures_base **out, struct kkc_err *err)
{
    struct closures_base *b = calloc(1, sizeof *b);
    *out = NULL;
    if (!b) {
        graph_destroy(g);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (closures base)");
    }
    b->g = g, b->fd = -1;
    if (g->ch && g->ch->m)
        base_share(b); /* when it fails, derivations copy the metric instead */
    *out = b;
    return KKC_OK;
}

const struct graph *closures_base_graph(const struct closures_base *b)
{
    return b->g;
}

void closures_base_destroy(struct closures_base *b)
{
    if (!b)
        return;
    if (b->map) {
        struct cch_metric *m = b->g->ch->m;
        munmap(b->map, b->len);
        m->weight = m->up = m->down = NULL; /* not malloc'ed any more */
        m->mid = NULL;
    }
    if (b->fd >= 0)
        close(b->fd);
    graph_destroy(b->g);
    free(b);
}

/* A metric for the base's hierarchy: its memory file mapped copy-on-write, or a copy. */
static enum kkc_code metric_of(const struct closures_base *b, struct derived_ch *dc,
                               struct kkc_err *err)
{
    const struct cch_metric *m0 = b->g->ch->m;
    struct cch_metric *m;
    if (b->fd < 0)
        return cch_metric_copy(m0, &dc->ch.m, err);
    if (!(m = malloc(sizeof *m)))
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (closures)");
    char *p = mmap(NULL, b->len, PROT_READ | PROT_WRITE, MAP_PRIVATE, b->fd, 0);
    if (p == MAP_FAILED) {
        free(m);
        return cch_metric_copy(m0, &dc->ch.m, err);
    }
    m->c = m0->c;
    m->weight = (cch_cost *)(p + b->off_weight), m->up = (cch_cost *)(p + b->off_up);
    m->down = (cch_cost *)(p + b->off_down), m->mid = (uint32_t *)(p + b->off_mid);
    dc->map = p, dc->len = b->len, dc->ch.m = m;
    return KKC_OK;
}

struct changes {
    uint64_t *arcs;
    cch_cost *w;
    size_t len, cap;
};

static int changes_push(struct changes *c, uint64_t a, cch_cost w)
{
    if (c->len == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 256;
        uint64_t *na = realloc(c->arcs, cap * sizeof *na);
        if (na)
            c->arcs = na;
        cch_cost *nw = na ? realloc(c->w, cap * sizeof *nw) : NULL;
        if (!nw)
            return -1;
        c->w = nw, c->cap = cap;
    }
    c->arcs[c->len] = a, c->w[c->len++] = w;
    return 0;
}

struct collecting {
    const struct graph *g;
    const struct cch_metric *m;
    struct changes *out;
    uint8_t *seen; /* turn arcs looked at */
    uint32_t nodes[NODES_MAX];
};

/* The turn arcs into the routing nodes of segment s (latent: only its latent u-turns) whose
 * cost on g differs from the base metric's weight, each arc once. -2 when the segment has more
 * copies than NODES_MAX. */
static int collect_seg(struct collecting *x, uint32_t s, int latent)
{
    const struct turn_graph *t = x->g->turn;
    size_t k = turn_nodes_of(t, s, x->nodes, NODES_MAX);
    if (k > NODES_MAX)
        return -2;
    for (size_t j = 0; j < k; j++)
        for (uint64_t p = t->in_first[x->nodes[j]]; p < t->in_first[x->nodes[j] + 1]; p++) {
            uint64_t a = t->in_arc[p];
            if ((latent && !(t->arc_flags[a] & TURN_ARC_LATENT)) ||
                x->seen[a >> 3] & (1u << (a & 7)))
                continue;
            x->seen[a >> 3] |= (uint8_t)(1u << (a & 7));
            cch_cost w = tnet_arc_cost(x->g, a);
            if (w != x->m->weight[a] && changes_push(x->out, a, w))
                return -1;
        }
    return 0;
}

/* The turn arcs whose cost on g differs from the base metric's weight: tnet_arc_cost reads the
 * head's edge, so the arcs into the routing nodes of the changed edges' segments; and a latent
 * u-turn at a node v opens or closes with the number of roads leaving v, so those at the ends
 * of the changed edges too (into the segments that leave them on g). -2 when a segment has
 * more copies than NODES_MAX, -1 out of memory. */
static int collect(const struct graph *g, const struct cch_metric *m,
                   const struct closure_effects *e, struct changes *out)
{
    struct collecting x = {g, m, out, calloc(g->turn->first_out[g->turn->n] / 8 + 1, 1), {0}};
    int bad = x.seen ? 0 : -1;
    for (size_t i = 0; !bad && i < e->len; i++) {
        uint32_t edge = e->items[i].edge;
        if (edge >= g->edge_count)
            continue;
        for (uint32_t s = 2 * edge; !bad && s <= 2 * edge + 1; s++)
            bad = collect_seg(&x, s, 0);
        for (int end = 0; !bad && end < 2; end++) {
            uint32_t v = end ? g->edge_target[edge] : g->edge_source[edge];
            for (uint64_t p = g->out_first[v]; !bad && p < g->out_first[v + 1]; p++)
                bad = collect_seg(&x, g->out[p].edge, 1);
        }
    }
    free(x.seen);
    return bad;
}

/* Every turn arc whose cost on g differs from m's weight (the slow path, for a segment with
 * more via-way copies than collect() looks at). */
static int collect_all(const struct graph *g, const struct cch_metric *m, struct changes *out)
{
    uint64_t na = g->turn->first_out[g->turn->n];
    for (uint64_t a = 0; a < na; a++) {
        cch_cost w = tnet_arc_cost(g, a);
        if (w != m->weight[a] && changes_push(out, a, w))
            return -1;
    }
    return 0;
}

/* g's own hierarchy: base's topology, base's metric (mapped or copied) updated to g's costs. */
static enum kkc_code derive_ch(const struct closures_base *b, struct graph *g,
                               const struct closure_effects *e, struct closures_derive_stats *stats,
                               struct kkc_err *err)
{
    struct changes ch = {0};
    struct derived_ch *dc = calloc(1, sizeof *dc);
    enum kkc_code code = dc ? KKC_OK : kkc_err_set(err, KKC_ENOMEM, "out of memory (closures)");
    if (!code) {
        dc->ch = *b->g->ch;
        dc->ch.m = NULL;
        dc->ch.metric_file = (struct cch_metric_file){.fd = -1}; /* the base's, not ours */
        g->ch = &dc->ch;
        code = metric_of(b, dc, err);
    }
    int bad = code ? 0 : collect(g, dc->ch.m, e, &ch);
    if (bad == -2) {
        ch.len = 0;
        bad = collect_all(g, dc->ch.m, &ch);
    }
    if (bad)
        code = kkc_err_set(err, KKC_ENOMEM, "out of memory (closures)");
    if (!code)
        code = cch_metric_update(dc->ch.m, ch.arcs, ch.w, ch.len, &stats->arcs_redone, err);
    stats->arcs_changed = ch.len;
    free(ch.arcs), free(ch.w);
    return code;
}

enum kkc_code closures_graph_derive(const struct closures_base *b, const struct closure_effects *e,
                                    struct graph **out, struct closures_derive_stats *stats,
                                    struct kkc_err *err)
{
    struct closures_derive_stats none;
    struct graph *g = NULL;
    enum kkc_code rc = closures_graph_with(b->g, e, &g, err);
    *out = NULL;
    if (!stats)
        stats = &none;
    *stats = (struct closures_derive_stats){0};
    if (!rc && b->g->ch)
        rc = derive_ch(b, g, e, stats, err);
    if (rc) {
        closures_graph_derived_free(g);
        return rc;
    }
    *out = g;
    return KKC_OK;
}

void closures_graph_derived_free(struct graph *g)
{
    if (!g)
        return;
    if (g->ch) {
        struct derived_ch *dc = (struct derived_ch *)g->ch; /* ch is its first member */
        if (dc->map) {
            munmap(dc->map, dc->len);
            free(dc->ch.m);
        } else {
            cch_metric_destroy(dc->ch.m);
        }
        free(dc);
        g->ch = NULL;
    }
    closures_graph_release(g);
}
