/* geo/road/cch_query.c -- queries on a customized CCH: elimination-tree upward searches, path
 * unpacking to input arcs, many-to-many with buckets. See cch.h. */
#include "road/cch.h"
#include "base/grow.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct cch_query {
    const struct cch *c;
    uint32_t n;        /* c->n: the size of the arrays below */
    cch_cost *dist[2]; /* 0: from the sources, 1: to the targets */
    uint32_t *pred[2]; /* the hierarchy arc a node was reached by, CCH_NONE at a seed */
    uint32_t *seen[2]; /* the nodes each walk visited (to reset them) */
    uint32_t nseen[2];
    uint32_t *cursor; /* walk fronts, one per seed */
    size_t cursor_cap;
    cch_cost best;
    uint32_t meet;
    struct cch_query *twin; /* a table's second thread's scratch (side 0 only), or NULL */
};

/* Scratch for `sides` sides (1: the source side only, a table's second thread), NULL on failure. */
static int query_alloc(const struct cch *c, int sides, struct cch_query **out)
{
    struct cch_query *q = calloc(1, sizeof *q);
    int bad = !q;
    size_t n = (size_t)c->n + 1;
    for (int s = 0; !bad && s < sides; s++) {
        q->dist[s] = malloc(n * sizeof *q->dist[s]);
        q->pred[s] = malloc(n * sizeof *q->pred[s]);
        q->seen[s] = malloc(n * sizeof *q->seen[s]);
        bad = !q->dist[s] || !q->pred[s] || !q->seen[s];
        for (size_t v = 0; !bad && v < n; v++)
            q->dist[s][v] = CCH_INF, q->pred[s][v] = CCH_NONE;
    }
    if (bad) {
        cch_query_destroy(q);
        return -1;
    }
    q->c = c;
    q->n = c->n;
    q->best = CCH_INF;
    q->meet = CCH_NONE;
    *out = q;
    return 0;
}

enum kkc_code cch_query_create(const struct cch *c, struct cch_query **out, struct kkc_err *err)
{
    if (query_alloc(c, 2, out))
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH query)");
    return KKC_OK;
}

int cch_query_rebind(struct cch_query *q, const struct cch *c)
{
    if (c->n != q->n)
        return -1;
    q->c = c; /* its arrays hold CCH_INF / CCH_NONE but at the last walks' nodes, reset first */
    q->meet = CCH_NONE;
    if (q->twin)
        q->twin->c = c;
    return 0;
}

void cch_query_destroy(struct cch_query *q)
{
    if (!q)
        return;
    for (int s = 0; s < 2; s++)
        free(q->dist[s]), free(q->pred[s]), free(q->seen[s]);
    free(q->cursor);
    cch_query_destroy(q->twin);
    free(q);
}

static void reset(struct cch_query *q, int s)
{
    for (uint32_t i = 0; i < q->nseen[s]; i++) {
        q->dist[s][q->seen[s][i]] = CCH_INF;
        q->pred[s][q->seen[s][i]] = CCH_NONE;
    }
    q->nseen[s] = 0;
}

/* The nodes side s walks: the seeds' elimination-tree paths to the roots merged, ascending by
 * rank, into seen[s] (every node a walk can reach: upper neighbours are ancestors), the seeds'
 * costs into dist[s]. 0, or -1 when out of memory. */
static int tree_nodes(struct cch_query *q, int s, const struct cch_seed *seeds, size_t ns)
{
    const struct cch *c = q->c;
    cch_cost *d = q->dist[s];
    size_t live = 0;

    if (ns > q->cursor_cap) {
        uint32_t *nc = realloc(q->cursor, ns * sizeof *nc);
        if (!nc)
            return -1;
        q->cursor = nc, q->cursor_cap = ns;
    }
    for (size_t i = 0; i < ns; i++) {
        uint32_t r = c->rank[seeds[i].node];
        if (seeds[i].cost < d[r])
            d[r] = seeds[i].cost, q->pred[s][r] = CCH_NONE;
        q->cursor[live++] = r;
    }
    while (live) {
        uint32_t x = q->cursor[0];
        for (size_t i = 1; i < live; i++)
            x = q->cursor[i] < x ? q->cursor[i] : x;
        q->seen[s][q->nseen[s]++] = x;
        for (size_t i = 0; i < live;)
            if (q->cursor[i] == x && c->parent[x] == CCH_NONE)
                q->cursor[i] = q->cursor[--live];
            else
                q->cursor[i] = q->cursor[i] == x ? c->parent[x] : q->cursor[i], i++;
        /* fronts that met are one front from here on */
        for (size_t i = 0; i < live; i++)
            for (size_t j = i + 1; j < live;)
                if (q->cursor[j] == q->cursor[i])
                    q->cursor[j] = q->cursor[--live];
                else
                    j++;
    }
    return 0;
}

/* Relax node x's upper arcs on side s (w: up[] for side 0, down[] for side 1). */
static inline void relax(struct cch_query *q, const cch_cost *w, int s, uint32_t x)
{
    const struct cch *c = q->c;
    cch_cost *restrict d = q->dist[s], dx = d[x];
    uint32_t *restrict pred = q->pred[s];
    const uint32_t *restrict head = c->up_head;
    for (uint64_t a = c->up_first[x], e = c->up_first[x + 1]; a < e; a++) {
        cch_cost nd = cch_add(dx, w[a]);
        if (nd < d[head[a]])
            d[head[a]] = nd, pred[head[a]] = (uint32_t)a;
    }
}

/* Walk side s's arrays from the seeds to the roots over costs w (up[] from the seeds, down[] to
 * them), in rank order, unpruned (the table's walks). 0, or -1 when out of memory. */
static int walk(struct cch_query *q, const cch_cost *w, int s, const struct cch_seed *seeds,
                size_t ns)
{
    if (tree_nodes(q, s, seeds, ns))
        return -1;
    for (uint32_t i = 0; i < q->nseen[s]; i++)
        if (q->dist[s][q->seen[s][i]] != CCH_INF)
            relax(q, w, s, q->seen[s][i]);
    return 0;
}

/* Both sides' walks together in rank order: at a node both reach, the meeting cost; from a node
 * whose distance is not below the best meeting cost so far, no relaxing (every path on through
 * it costs at least that much: costs are not negative). */
static void walk_both(struct cch_query *q, const struct cch_metric *m)
{
    const uint32_t *l0 = q->seen[0], *l1 = q->seen[1];
    uint32_t n0 = q->nseen[0], n1 = q->nseen[1], i0 = 0, i1 = 0;
    cch_cost *d0 = q->dist[0], *d1 = q->dist[1];
    while (i0 < n0 || i1 < n1) {
        uint32_t x = i1 == n1 || (i0 < n0 && l0[i0] < l1[i1]) ? l0[i0] : l1[i1];
        int in0 = i0 < n0 && l0[i0] == x, in1 = i1 < n1 && l1[i1] == x;
        if (in0 && in1 && d0[x] != CCH_INF && d1[x] != CCH_INF && cch_add(d0[x], d1[x]) < q->best)
            q->best = cch_add(d0[x], d1[x]), q->meet = x;
        if (in0 && d0[x] < q->best)
            relax(q, m->up, 0, x);
        if (in1 && d1[x] < q->best)
            relax(q, m->down, 1, x);
        i0 += (uint32_t)in0, i1 += (uint32_t)in1;
    }
}

cch_cost cch_query_run(struct cch_query *q, const struct cch_metric *m, const struct cch_seed *src,
                       size_t ns, const struct cch_seed *dst, size_t nd)
{
    reset(q, 0);
    reset(q, 1);
    q->best = CCH_INF;
    q->meet = CCH_NONE;
    if (tree_nodes(q, 0, src, ns) || tree_nodes(q, 1, dst, nd))
        return CCH_INF;
    walk_both(q, m);
    return q->best;
}

/* ---- unpacking ----------------------------------------------------------------------------- */

struct arcs {
    uint64_t *v;
    size_t len, cap;
};

static int arcs_push(struct arcs *x, uint64_t a)
{
    uint64_t *nv = kkc_grow(x->v, &x->cap, x->len + 1, sizeof *nv, 64);
    if (!nv)
        return -1;
    x->v = nv, x->v[x->len++] = a;
    return 0;
}

/* An input arc on hierarchy arc a in direction dir (0 up, 1 down) costing exactly cost. */
static uint64_t input_of(const struct cch_metric *m, uint32_t a, int dir, cch_cost cost)
{
    const struct cch *c = m->c;
    for (uint64_t k = c->in_first[a]; k < c->in_first[a + 1]; k++)
        if ((int)(c->in_arc[k] & 1) == dir && m->weight[c->in_arc[k] >> 1] == cost)
            return c->in_arc[k] >> 1;
    return UINT64_MAX;
}

/* Push onto the stack the two arcs of the triangle {w, lo, hi} that gave arc a's cost in
 * direction dir (w = its middle, m->mid), so that the first to drive is on top: lo -> w -> hi
 * is down(w,lo) then up(w,hi), hi -> w -> lo is down(w,hi) then up(w,lo). Two binary searches
 * in w's upper list, where the triangle search this replaces merged the lower lists of lo and hi
 * (hi's, high in the hierarchy, is long). -1 when the middle has no such arcs (a bad metric). */
static int split(const struct cch_metric *m, struct arcs *st, uint32_t a, int dir, uint32_t w)
{
    const struct cch *c = m->c;
    uint64_t a1 = cch_find_arc(c, w, c->arc_tail[a]), a2 = cch_find_arc(c, w, c->up_head[a]);
    if (w >= c->arc_tail[a] || a1 == CCH_NONE || a2 == CCH_NONE)
        return -1;
    if (!dir)
        return arcs_push(st, a2 << 1) || arcs_push(st, a1 << 1 | 1) ? -2 : 0;
    return arcs_push(st, a1 << 1) || arcs_push(st, a2 << 1 | 1) ? -2 : 0;
}

/* Unpack hierarchy arc a in direction dir onto out. */
static enum kkc_code unpack(const struct cch_metric *m, struct arcs *st, struct arcs *out,
                            uint32_t a, int dir, struct kkc_err *err)
{
    st->len = 0;
    if (arcs_push(st, (uint64_t)a << 1 | (uint64_t)dir))
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH path)");
    while (st->len) {
        uint64_t top = st->v[--st->len];
        uint32_t b = (uint32_t)(top >> 1);
        int d = (int)(top & 1);
        uint32_t w = m->mid[2 * (uint64_t)b + (uint64_t)d];
        uint64_t in = w != CCH_NONE ? UINT64_MAX : input_of(m, b, d, d ? m->down[b] : m->up[b]);
        int r = w != CCH_NONE      ? split(m, st, b, d, w)
                : in != UINT64_MAX ? arcs_push(out, in) * 2
                                   : -1;
        if (r == -1)
            return kkc_err_set(err, KKC_EINTERNAL, "CCH path: arc %u has no witness", b);
        if (r)
            return kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH path)");
    }
    return KKC_OK;
}

enum kkc_code cch_query_path(struct cch_query *q, const struct cch_metric *m, uint64_t **arcs,
                             size_t *count, uint32_t *src_node, uint32_t *dst_node,
                             struct kkc_err *err)
{
    const struct cch *c = q->c;
    struct arcs up = {0}, st = {0}, out = {0};
    enum kkc_code rc = KKC_OK;
    uint32_t x;

    if (q->meet == CCH_NONE)
        return kkc_err_set(err, KKC_ENOROUTE, "no path");
    for (x = q->meet; !rc && q->pred[0][x] != CCH_NONE; x = c->arc_tail[q->pred[0][x]])
        if (arcs_push(&up, q->pred[0][x]))
            rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH path)");
    *src_node = c->order[x];
    while (!rc && up.len)
        rc = unpack(m, &st, &out, (uint32_t)up.v[--up.len], 0, err);
    for (x = q->meet; !rc && q->pred[1][x] != CCH_NONE; x = c->arc_tail[q->pred[1][x]])
        rc = unpack(m, &st, &out, q->pred[1][x], 1, err);
    *dst_node = c->order[x];
    free(up.v), free(st.v);
    if (rc) {
        free(out.v);
        return rc;
    }
    *arcs = out.v;
    *count = out.len;
    return KKC_OK;
}

/* ---- many-to-many -------------------------------------------------------------------------- */

struct bucket {
    uint32_t node;
    uint32_t group;
    cch_cost cost;
};

/* Sort b[0..len) by node, stably (the groups were filled in ascending order, so they stay so
 * within a node: the order (node, group) of a full comparison sort): LSD radix on 11-bit digits
 * of the node, as many as nodes below n need. 0, or -1 when out of memory. */
#define DIGIT_BITS 11
#define DIGITS (1u << DIGIT_BITS)
static int sort_buckets(struct bucket *b, size_t len, uint32_t n)
{
    struct bucket *tmp = malloc((len ? len : 1) * sizeof *tmp), *from = b, *to = tmp;
    size_t *count = malloc((DIGITS + 1) * sizeof *count);
    if (!tmp || !count)
        return free(tmp), free(count), -1;
    for (unsigned shift = 0; shift < 32 && (shift == 0 || (n - 1) >> shift); shift += DIGIT_BITS) {
        memset(count, 0, (DIGITS + 1) * sizeof *count);
        for (size_t i = 0; i < len; i++)
            count[((from[i].node >> shift) & (DIGITS - 1)) + 1]++;
        for (size_t d = 1; d <= DIGITS; d++)
            count[d] += count[d - 1];
        for (size_t i = 0; i < len; i++)
            to[count[(from[i].node >> shift) & (DIGITS - 1)]++] = from[i];
        struct bucket *t = from;
        from = to, to = t;
    }
    if (from != b)
        memcpy(b, from, len * sizeof *b);
    free(tmp), free(count);
    return 0;
}

/* Target groups [j0, j1)'s upward searches (down[] costs) on side `side` of w, as buckets. */
struct targets_job {
    struct cch_query *w;
    int side;
    const cch_cost *cost;
    const struct cch_seed *dst;
    const size_t *dst_first;
    size_t j0, j1, len, cap;
    struct bucket *b;
    int bad;
};

static void *targets_run(void *arg)
{
    struct targets_job *t = arg;
    struct cch_query *w = t->w;
    const int s = t->side;
    for (size_t j = t->j0; j < t->j1 && !t->bad; j++) {
        reset(w, s);
        t->bad =
            walk(w, t->cost, s, t->dst + t->dst_first[j], t->dst_first[j + 1] - t->dst_first[j]);
        if (!t->bad && t->len + w->nseen[s] > t->cap) {
            size_t cap = 2 * (t->len + w->nseen[s]);
            struct bucket *nb = realloc(t->b, cap * sizeof *nb);
            t->bad = !nb;
            if (nb)
                t->b = nb, t->cap = cap;
        }
        for (uint32_t i = 0; !t->bad && i < w->nseen[s]; i++) {
            uint32_t x = w->seen[s][i];
            if (w->dist[s][x] != CCH_INF)
                t->b[t->len++] = (struct bucket){x, (uint32_t)j, w->dist[s][x]};
        }
    }
    reset(w, s);
    return NULL;
}

static int table_threads(struct cch_query *q, size_t rows);

/* fn(a) here and fn(b) on a second thread, or after fn(a) here when no thread can be had. */
static void run_both(void *(*fn)(void *), void *a, void *b)
{
    pthread_t th;
    int threaded = pthread_create(&th, NULL, fn, b) == 0;
    fn(a);
    if (threaded)
        pthread_join(th, NULL);
    else
        fn(b);
}

/* Every target group's upward search, as buckets sorted by node: on two threads as the rows
 * (table_threads), the second on q->twin's source side; its buckets (the later groups) after the
 * first's, so that the stable sort gives what one thread gives. */
static int fill_buckets(struct cch_query *q, const struct cch_metric *m, const struct cch_seed *dst,
                        const size_t *dst_first, size_t nt, struct bucket **out, size_t *count)
{
    struct targets_job t[2] = {{q, 1, m->down, dst, dst_first, 0, nt, 0, 0, NULL, 0},
                               {q->twin, 0, m->down, dst, dst_first, nt / 2, nt, 0, 0, NULL, 0}};
    int two = table_threads(q, nt) == 2;
    if (two)
        t[0].j1 = nt / 2, t[1].w = q->twin, run_both(targets_run, &t[0], &t[1]);
    else
        targets_run(&t[0]);
    struct bucket *b = t[0].b, *nb = NULL;
    size_t len = t[0].len;
    if (two && !t[0].bad && !t[1].bad && t[1].len &&
        (nb = realloc(b, (len + t[1].len) * sizeof *nb)) != NULL) {
        b = nb;
        memcpy(b + len, t[1].b, t[1].len * sizeof *b);
        len += t[1].len;
    }
    int bad = t[0].bad || (two && (t[1].bad || (t[1].len && !nb)));
    free(t[1].b);
    if (bad || sort_buckets(b, len, q->c->n))
        return free(b), -1;
    /* pred[1] (unused by the source walks) points each bucket node at its first bucket */
    for (size_t e = 0; len < CCH_NONE && e < len; e++)
        if (e == 0 || b[e].node != b[e - 1].node) {
            q->pred[1][b[e].node] = (uint32_t)e;
            q->seen[1][q->nseen[1]++] = b[e].node;
        }
    *out = b;
    *count = len;
    return 0;
}

static size_t bucket_lower(const struct bucket *b, size_t len, uint32_t node)
{
    size_t l = 0, r = len;
    while (l < r) {
        size_t mid = l + (r - l) / 2;
        if (b[mid].node < node)
            l = mid + 1;
        else
            r = mid;
    }
    return l;
}

/* What the source rows of a table share (read only). */
struct rows {
    const struct cch_metric *m;
    const uint32_t *first; /* per node its first bucket (the table's pred[1]), CCH_NONE: none */
    const struct bucket *b;
    size_t nb, nt;
    const struct cch_seed *src;
    const size_t *src_first;
    cch_cost *out;
};

struct rows_job {
    const struct rows *r;
    struct cch_query *w; /* its side 0 is this job's scratch */
    size_t i0, i1;
    int bad;
};

/* Rows [i0, i1): each source group's walk, then the buckets at every node it reached. */
static void *rows_run(void *arg)
{
    struct rows_job *j = arg;
    const struct rows *r = j->r;
    struct cch_query *w = j->w;
    for (size_t i = j->i0; i < j->i1 && !j->bad; i++) {
        cch_cost *row = r->out + i * r->nt;
        reset(w, 0);
        j->bad =
            walk(w, r->m->up, 0, r->src + r->src_first[i], r->src_first[i + 1] - r->src_first[i]);
        for (uint32_t k = 0; !j->bad && k < w->nseen[0]; k++) {
            uint32_t x = w->seen[0][k];
            cch_cost dx = w->dist[0][x];
            if (dx == CCH_INF)
                continue;
            size_t e = r->nb >= CCH_NONE         ? bucket_lower(r->b, r->nb, x)
                       : r->first[x] == CCH_NONE ? r->nb
                                                 : r->first[x];
            for (; e < r->nb && r->b[e].node == x; e++) {
                cch_cost t = cch_add(dx, r->b[e].cost);
                if (t < row[r->b[e].group])
                    row[r->b[e].group] = t;
            }
        }
    }
    reset(w, 0);
    return NULL;
}

/* Two threads for the source rows when the table has at least TWIN_ROWS of them and the
 * process allows two (KKC_CCH_THREADS, as the customization): the second walks on q->twin, a
 * scratch made on the first such table and kept. 1 or 2. */
#define TWIN_ROWS 8
static int table_threads(struct cch_query *q, size_t ns)
{
    const char *e = getenv("KKC_CCH_THREADS");
    if (ns < TWIN_ROWS || (e && *e && atoi(e) < 2))
        return 1;
    if (!q->twin && query_alloc(q->c, 1, &q->twin))
        return 1;
    return 2;
}

/* The rows on one or two threads. 0, or -1 when out of memory. */
static int rows_all(struct cch_query *q, const struct rows *r, size_t ns)
{
    struct rows_job job[2] = {{r, q, 0, ns, 0}, {r, q->twin, ns / 2, ns, 0}};
    int two = table_threads(q, ns) == 2;
    if (two)
        job[0].i1 = ns / 2, job[1].w = q->twin, run_both(rows_run, &job[0], &job[1]);
    else
        rows_run(&job[0]);
    return job[0].bad || (two && job[1].bad) ? -1 : 0;
}

enum kkc_code cch_table(struct cch_query *q, const struct cch_metric *m, const struct cch_seed *src,
                        const size_t *src_first, size_t ns, const struct cch_seed *dst,
                        const size_t *dst_first, size_t nt, cch_cost *out, struct kkc_err *err)
{
    struct bucket *b;
    size_t nb;

    reset(q, 0);
    q->meet = CCH_NONE;
    if (fill_buckets(q, m, dst, dst_first, nt, &b, &nb))
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH table)");
    for (size_t i = 0; i < ns * nt; i++)
        out[i] = CCH_INF;
    struct rows r = {m, q->pred[1], b, nb, nt, src, src_first, out};
    int bad = rows_all(q, &r, ns);
    reset(q, 1);
    free(b);
    return bad ? kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH table)") : KKC_OK;
}
