/* geo/road/cch_order.c -- the CCH's nested-dissection orders: METIS_NodeND on the input, or the
 * cut-based order on a turn-expanded graph's junctions (cch_order.h). */
#include "road/cch_order.h"

#include <metis.h>
#include <stdlib.h>
#include <string.h>

static int cmp_idx(const void *a, const void *b)
{
    idx_t x = *(const idx_t *)a, y = *(const idx_t *)b;
    return (x > y) - (x < y);
}

/* The input's undirected simple graph as a 0-based METIS CSR (no loops, no duplicates). */
static enum kkc_code undirected(const struct cch_input *in, idx_t **xadj_out, idx_t **adj_out,
                                struct kkc_err *err)
{
    uint32_t n = in->n;
    uint64_t m = in->first_out[n];
    idx_t *xadj = calloc((size_t)n + 1, sizeof *xadj);
    idx_t *adj = malloc((2 * m + 1) * sizeof *adj);
    uint64_t *fill = calloc((size_t)n + 1, sizeof *fill);

    if (!xadj || !adj || !fill) {
        free(xadj), free(adj), free(fill);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH order)");
    }
    for (uint32_t u = 0; u < n; u++)
        for (uint64_t a = in->first_out[u]; a < in->first_out[u + 1]; a++)
            if (in->head[a] != u)
                fill[u + 1]++, fill[in->head[a] + 1]++;
    for (uint32_t v = 0; v < n; v++)
        fill[v + 1] += fill[v];
    for (uint32_t u = 0; u < n; u++)
        for (uint64_t a = in->first_out[u]; a < in->first_out[u + 1]; a++)
            if (in->head[a] != u) {
                adj[fill[u]++] = (idx_t)in->head[a];
                adj[fill[in->head[a]]++] = (idx_t)u;
            }
    /* fill[v] is now the end of v's row; sort, drop duplicates, compact. */
    uint64_t w = 0, start = 0;
    for (uint32_t v = 0; v < n; v++) {
        uint64_t end = fill[v];
        qsort(adj + start, end - start, sizeof *adj, cmp_idx);
        for (uint64_t i = start; i < end; i++)
            if (i == start || adj[i] != adj[i - 1])
                adj[w++] = adj[i];
        xadj[v + 1] = (idx_t)w;
        start = end;
    }
    free(fill);
    *xadj_out = xadj;
    *adj_out = adj;
    return KKC_OK;
}

struct ord {
    const struct cch_input *in;
    idx_t *xadj, *adj; /* the input's undirected simple graph */
    uint32_t *loc;     /* input node -> its id in the part being ordered, else CCH_NONE */
    uint32_t *jloc;    /* junction -> its id in the part's junction graph, else CCH_NONE */
    uint32_t *rank, leaf;
    struct kkc_err *err;
    enum kkc_code rc;
};

static void fail(struct ord *o, enum kkc_code rc, const char *fn, int mr)
{
    if (o->rc)
        return;
    if (fn)
        o->rc = kkc_err_set(o->err, mr == METIS_ERROR_MEMORY ? KKC_ENOMEM : KKC_EINTERNAL,
                            fn[6] == 'N' ? "METIS_NodeND failed (%d)"
                                         : "METIS_PartGraphKway failed (%d)", mr);
    else
        o->rc = kkc_err_set(o->err, rc, "out of memory (CCH order)");
}

/* The subgraph of the input induced by s[0 .. k), in local ids (xadj: k + 1 entries). */
static int induced(struct ord *o, const uint32_t *s, uint32_t k, idx_t *xadj, idx_t **adj)
{
    for (uint32_t i = 0; i < k; i++)
        o->loc[s[i]] = i;
    xadj[0] = 0;
    for (uint32_t i = 0; i < k; i++) {
        idx_t d = 0;
        for (idx_t a = o->xadj[s[i]]; a < o->xadj[s[i] + 1]; a++)
            d += o->loc[o->adj[a]] != CCH_NONE;
        xadj[i + 1] = xadj[i] + d;
    }
    *adj = malloc(((size_t)xadj[k] + 1) * sizeof **adj);
    for (uint32_t i = 0; *adj && i < k; i++) {
        idx_t w = xadj[i];
        for (idx_t a = o->xadj[s[i]]; a < o->xadj[s[i] + 1]; a++)
            if (o->loc[o->adj[a]] != CCH_NONE)
                (*adj)[w++] = (idx_t)o->loc[o->adj[a]];
    }
    for (uint32_t i = 0; i < k; i++)
        o->loc[s[i]] = CCH_NONE;
    return *adj ? 0 : -1;
}

/* Ranks lo .. lo + k - 1 to s[0 .. k) by METIS_NodeND of their induced subgraph. */
static void nd_part(struct ord *o, const uint32_t *s, uint32_t k, uint32_t lo)
{
    if (o->rc || k == 0)
        return;
    idx_t *xadj = malloc(((size_t)k + 1) * sizeof *xadj), *adj = NULL;
    idx_t *perm = malloc(((size_t)k + 1) * sizeof *perm);
    idx_t *iperm = malloc(((size_t)k + 1) * sizeof *iperm);
    if (!xadj || !perm || !iperm || induced(o, s, k, xadj, &adj)) {
        fail(o, KKC_ENOMEM, NULL, 0);
    } else if (k < 3 || xadj[k] == 0) {
        for (uint32_t i = 0; i < k; i++)
            iperm[i] = (idx_t)i;
    } else {
        idx_t nn = (idx_t)k, opt[METIS_NOPTIONS];
        METIS_SetDefaultOptions(opt);
        opt[METIS_OPTION_NUMBERING] = 0;
        opt[METIS_OPTION_NSEPS] = 4; /* the best of 4 separators: FLA turns -7 %, NE -13 % */
        int mr = METIS_NodeND(&nn, xadj, adj, NULL, opt, perm, iperm);
        if (mr != METIS_OK)
            fail(o, 0, "METIS_NodeND", mr);
    }
    for (uint32_t i = 0; !o->rc && i < k; i++)
        o->rank[s[i]] = lo + (uint32_t)iperm[i];
    free(xadj), free(adj), free(perm), free(iperm);
}

/* The junction graph of a part: a vertex per junction at its nodes (weight: node ends there),
 * an edge per pair of junctions joined by nodes (weight: how many). */
struct jg {
    idx_t nj;
    idx_t *xadj, *adj, *ew, *vw;
    uint32_t *jid; /* local -> junction */
};

static void jg_free(struct ord *o, struct jg *g)
{
    for (idx_t j = 0; g->jid && j < g->nj; j++)
        o->jloc[g->jid[j]] = CCH_NONE;
    free(g->xadj), free(g->adj), free(g->ew), free(g->vw), free(g->jid);
    memset(g, 0, sizeof *g);
}

/* Junctions of s[0 .. k): local ids, vertex weights, degrees (xadj[j + 1]). */
static void jg_vertices(struct ord *o, const uint32_t *s, uint32_t k, struct jg *g)
{
    const uint32_t *ct = o->in->coarse_tail, *ch = o->in->coarse_head;
    for (uint32_t i = 0; i < k; i++) {
        uint32_t e[2] = {ct[s[i]], ch[s[i]]};
        for (int x = 0; x < 2; x++) {
            if (o->jloc[e[x]] == CCH_NONE)
                o->jloc[e[x]] = (uint32_t)g->nj, g->jid[g->nj++] = e[x];
            g->vw[o->jloc[e[x]]]++;
        }
        if (e[0] != e[1])
            g->xadj[o->jloc[e[0]] + 1]++, g->xadj[o->jloc[e[1]] + 1]++;
    }
}

static int jg_build(struct ord *o, const uint32_t *s, uint32_t k, struct jg *g)
{
    const uint32_t *ct = o->in->coarse_tail, *ch = o->in->coarse_head;
    g->jid = malloc(2 * (size_t)k * sizeof *g->jid);
    g->vw = calloc(2 * (size_t)k, sizeof *g->vw);
    g->xadj = calloc(2 * (size_t)k + 1, sizeof *g->xadj);
    if (!g->jid || !g->vw || !g->xadj)
        return -1;
    jg_vertices(o, s, k, g);
    for (idx_t j = 0; j < g->nj; j++)
        g->xadj[j + 1] += g->xadj[j];
    idx_t *at = malloc(((size_t)g->nj + 1) * sizeof *at);
    g->adj = malloc(((size_t)g->xadj[g->nj] + 1) * sizeof *g->adj);
    g->ew = malloc(((size_t)g->xadj[g->nj] + 1) * sizeof *g->ew);
    if (!at || !g->adj || !g->ew)
        return free(at), -1;
    memcpy(at, g->xadj, ((size_t)g->nj + 1) * sizeof *at);
    for (uint32_t i = 0; i < k; i++) {
        uint32_t a = o->jloc[ct[s[i]]], b = o->jloc[ch[s[i]]];
        if (a != b)
            g->adj[at[a]++] = (idx_t)b, g->adj[at[b]++] = (idx_t)a;
    }
    idx_t w = 0; /* merge parallel edges into one, weighted by their count */
    for (idx_t j = 0; j < g->nj; j++) {
        idx_t start = j ? at[j - 1] : 0, end = at[j]; /* at[j]: the end of row j as filled */
        qsort(g->adj + start, (size_t)(end - start), sizeof *g->adj, cmp_idx);
        for (idx_t i = start; i < end; i++)
            if (i == start || g->adj[i] != g->adj[i - 1])
                g->adj[w] = g->adj[i], g->ew[w++] = 1;
            else
                g->ew[w - 1]++;
        g->xadj[j + 1] = w;
    }
    free(at);
    return 0;
}

/* comp[j] = the connected component of junction j; returns their count (-1: out of memory). */
static idx_t components(const struct jg *g, idx_t *comp)
{
    idx_t *queue = malloc(((size_t)g->nj + 1) * sizeof *queue), nc = 0;
    if (!queue)
        return -1;
    for (idx_t j = 0; j < g->nj; j++)
        comp[j] = -1;
    for (idx_t r = 0; r < g->nj; r++) {
        if (comp[r] >= 0)
            continue;
        idx_t qh = 0, qt = 0;
        comp[r] = nc, queue[qt++] = r;
        while (qh < qt) {
            idx_t x = queue[qh++];
            for (idx_t a = g->xadj[x]; a < g->xadj[x + 1]; a++)
                if (comp[g->adj[a]] < 0)
                    comp[g->adj[a]] = nc, queue[qt++] = g->adj[a];
        }
        nc++;
    }
    free(queue);
    return nc;
}

/* A balanced edge bisection of connected g into part[] (0 / 1). Tried on FLA turn-expanded
 * (triangles): RecursiveBisection 3 % imbalance 337 M, 20 % 329 M, + NCUTS 4 263 M; Kway NCUTS 4
 * 3 % 255 M, 20 % 235 M (kept), 50 % 5.5 G (one huge top separator). */
static void bisect(struct ord *o, struct jg *g, idx_t *part)
{
    idx_t ncon = 1, np = 2, cut = 0, opt[METIS_NOPTIONS];
    METIS_SetDefaultOptions(opt);
    opt[METIS_OPTION_NUMBERING] = 0;
    opt[METIS_OPTION_UFACTOR] = 200; /* 20 % imbalance (NodeND's default): smaller cuts */
    opt[METIS_OPTION_NCUTS] = 4;     /* the best of 4 tries */
    int mr = METIS_PartGraphKway(&g->nj, &ncon, g->xadj, g->adj, g->vw, NULL, g->ew, &np, NULL,
                                 NULL, opt, &cut, part);
    if (mr != METIS_OK)
        fail(o, 0, "METIS_PartGraphKway", mr);
}

/* key[i] for s[i]: its component when the part's junctions fall apart (returns their count), else
 * 0 / 1 for the halves of a bisection and 2 for the separator (returns 3, *cut = 1); 0 when the
 * part cannot be split. */
static uint32_t split(struct ord *o, const uint32_t *s, uint32_t k, uint32_t *key, int *cut)
{
    const uint32_t *ct = o->in->coarse_tail, *ch = o->in->coarse_head;
    struct jg g = {0};
    idx_t *lab = NULL, nc = 0;
    if (jg_build(o, s, k, &g) || !(lab = malloc(((size_t)g.nj + 1) * sizeof *lab)) ||
        (nc = components(&g, lab)) < 0) {
        fail(o, KKC_ENOMEM, NULL, 0);
    } else if (nc == 1 && g.nj >= 2) {
        bisect(o, &g, lab);
    }
    uint32_t nkeys = o->rc || (nc == 1 && g.nj < 2) ? 0 : nc > 1 ? (uint32_t)nc : 3;
    *cut = nc == 1;
    for (uint32_t i = 0; nkeys && i < k; i++) {
        idx_t a = lab[o->jloc[ct[s[i]]]], b = lab[o->jloc[ch[s[i]]]];
        key[i] = a == b ? (uint32_t)a : 2;
    }
    jg_free(o, &g);
    free(lab);
    return nkeys;
}

/* s[0 .. k) sorted by key into *out, first[c] the start of key c (nkeys + 1 entries). */
static int bucket(const uint32_t *s, uint32_t k, const uint32_t *key, uint32_t nkeys,
                  uint32_t **out, uint32_t **first)
{
    *out = malloc(((size_t)k + 1) * sizeof **out);
    *first = calloc((size_t)nkeys + 2, sizeof **first);
    if (!*out || !*first)
        return -1;
    for (uint32_t i = 0; i < k; i++)
        (*first)[key[i] + 2]++;
    for (uint32_t c = 0; c < nkeys; c++)
        (*first)[c + 2] += (*first)[c + 1];
    for (uint32_t i = 0; i < k; i++)
        (*out)[(*first)[key[i] + 1]++] = s[i];
    return 0;
}

/* Ranks lo .. lo + k - 1 to s[0 .. k): components apart, else the halves of an edge cut below
 * the nodes crossing it. */
static void cut_part(struct ord *o, const uint32_t *s, uint32_t k, uint32_t lo)
{
    if (o->rc || k < o->leaf) {
        nd_part(o, s, k, lo);
        return;
    }
    uint32_t *key = malloc((size_t)k * sizeof *key), *t = NULL, *first = NULL, nkeys = 0;
    int cut = 0;
    if (!key)
        fail(o, KKC_ENOMEM, NULL, 0);
    else
        nkeys = split(o, s, k, key, &cut);
    if (!o->rc && nkeys && bucket(s, k, key, nkeys, &t, &first))
        fail(o, KKC_ENOMEM, NULL, 0);
    free(key);
    if (o->rc || !nkeys || (cut && (first[1] == k || first[2] - first[1] == k))) {
        nd_part(o, s, k, lo); /* one junction, or a bisection that split nothing off */
    } else if (cut) {
        cut_part(o, t, first[1], lo);
        cut_part(o, t + first[1], first[2] - first[1], lo + first[1]);
        nd_part(o, t + first[2], k - first[2], lo + first[2]);
    } else {
        for (uint32_t c = 0; c < nkeys; c++)
            cut_part(o, t + first[c], first[c + 1] - first[c], lo + first[c]);
    }
    free(t), free(first);
}

static enum kkc_code check_coarse(const struct cch_input *in, struct kkc_err *err)
{
    for (uint32_t v = 0; v < in->n; v++)
        if (in->coarse_tail[v] >= in->coarse_n || in->coarse_head[v] >= in->coarse_n)
            return kkc_err_set(err, KKC_EINVAL, "CCH input: node %u has junction %u of %u", v,
                               in->coarse_tail[v] >= in->coarse_n ? in->coarse_tail[v]
                                                                  : in->coarse_head[v],
                               in->coarse_n);
    return KKC_OK;
}

enum kkc_code cch_order(const struct cch_input *in, uint32_t leaf, uint32_t *rank,
                        uint32_t *order, struct kkc_err *err)
{
    struct ord o = {.in = in, .rank = rank, .leaf = leaf ? leaf : CCH_ORDER_LEAF, .err = err};
    uint32_t *all = NULL;
    if (in->coarse_tail && (o.rc = check_coarse(in, err)))
        return o.rc;
    if ((o.rc = undirected(in, &o.xadj, &o.adj, err)))
        return o.rc;
    o.loc = malloc(((size_t)in->n + 1) * sizeof *o.loc);
    all = malloc(((size_t)in->n + 1) * sizeof *all);
    if (in->coarse_tail)
        o.jloc = malloc(((size_t)in->coarse_n + 1) * sizeof *o.jloc);
    if (!o.loc || !all || (in->coarse_tail && !o.jloc)) {
        fail(&o, KKC_ENOMEM, NULL, 0);
    } else {
        memset(o.loc, 0xff, (size_t)in->n * sizeof *o.loc);
        if (o.jloc)
            memset(o.jloc, 0xff, (size_t)in->coarse_n * sizeof *o.jloc);
        for (uint32_t v = 0; v < in->n; v++)
            all[v] = v;
        if (in->coarse_tail)
            cut_part(&o, all, in->n, 0);
        else
            nd_part(&o, all, in->n, 0);
    }
    for (uint32_t v = 0; !o.rc && v < in->n; v++)
        order[rank[v]] = v;
    free(o.xadj), free(o.adj), free(o.loc), free(o.jloc), free(all);
    return o.rc;
}
