/* tests/tools/bench_cch.c -- the customizable hierarchy against today's searches (scripts/bench cch).
 *
 *   bench_cch --db DB [--queries N] [--table K]      road graph of DB: A* / Dijkstra vs hierarchy
 *             [--cache] [--no-astar] [--build-only]  (DB.cch / DB.cch.metric as the service's;
 *             [--compare-threads]                    no baseline; hierarchy figures only;
 *                                                    customize again on 1 and 2 threads)
 *   bench_cch --gr FILE.gr.xz [--queries N] [--table K] [--seed S] [--turns]
 *                                                    PACE .gr topology, SEEDED uniform weights
 *                                                    1..100,000 ms per arc: Dijkstra vs hierarchy;
 *                                                    --turns: on its turn-expanded graph
 *                                                    (tests/fixture_turn.h, seeded turn costs)
 *
 * Prints: preprocessing (METIS order + symbolic contraction) time and the process's peak RSS
 * before and after it; cache write and map times; full customization time; a partial
 * re-customization of 10 arcs; per-query p50/p99 of N fixed-seed random pairs (cost only, and
 * with the path: unpacked arcs, or route_compute with geometry and steps in --db mode); a K x K
 * table. The baseline is the code the service runs without the hierarchy (KKC_ROUTER=astar):
 * route.c's A* and table.c's one search per source; for --gr a textbook Dijkstra stopping at the
 * target, and one one-to-all Dijkstra per source for the table. Asserts nothing. */
#include "road/cch.h"
#include "road/cch_cache.h"
#include "road/graph.h"
#include "road/road_ch.h"
#include "road/route.h"
#include "road/snap.h"
#include "road/table.h"
#include "base/store.h"
#include "../fixture_turn.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static double cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static long peak_rss_mb(void)
{
    char line[256];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb / 1024;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *key, double *t, size_t n)
{
    qsort(t, n, sizeof *t, cmp_d);
    printf("  %-34s p50 %9.1f us   p99 %9.1f us   (n=%zu)\n", key, t[n / 2], t[n * 99 / 100], n);
    printf("RESULT cch %s p50_us=%.1f p99_us=%.1f\n", key, t[n / 2], t[n * 99 / 100]);
}

static unsigned long long rng = 88172645463325252ULL;
static double rnd(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

struct csr {
    uint32_t n;
    uint64_t *first;
    uint32_t *head;
    cch_cost *w;
    uint32_t *ends, junctions; /* --turns: the node graph's arc ends (cch_input's coarse graph) */
};

/* ---- --gr: topology + seeded weights, Dijkstra baseline ------------------------------------ */

static int read_gr(const char *path, struct csr *g)
{
    if (ft_read_gr(path, &g->n, &g->first, &g->head))
        return -1;
    g->w = malloc((g->first[g->n] + 1) * sizeof *g->w);
    for (uint64_t a = 0; a < g->first[g->n]; a++)
        g->w[a] = 1 + (cch_cost)(rnd() * 100000);
    return 0;
}

/* --turns: the topology's turn-expanded graph (fixture_turn.h: a routing node per directed arc,
 * an arc per allowed turn, SEEDED segment and turn costs, ~2 % of the turns forbidden). */
static int read_turns(const char *path, struct csr *g)
{
    uint32_t n;
    uint64_t *first;
    uint32_t *head;
    struct ft_turns t;
    if (ft_read_gr(path, &n, &first, &head))
        return -1;
    printf("  topology: %u nodes, %llu arcs\n", n, (unsigned long long)first[n]);
    int rc = ft_expand(n, first, head, 21, 22, &t);
    free(first), free(head);
    if (rc)
        return -1;
    printf("  turn-expanded: %u routing nodes, %llu turns (%llu forbidden as restrictions, %llu "
           "dead-end u-turns)\n", t.n, (unsigned long long)t.first[t.n],
           (unsigned long long)t.forbidden, (unsigned long long)t.uturns);
    g->n = t.n, g->first = t.first, g->head = t.head, g->w = t.w;
    const char *ord = getenv("KKC_CCH_ORDER"); /* as road_ch.c: "cut" for the cut-based order */
    if (ord && !strcmp(ord, "cut"))
        g->ends = t.ends, g->junctions = t.junctions;
    else
        free(t.ends);
    free(t.uturn);
    return 0;
}

struct hi {
    cch_cost d;
    uint32_t v;
};

/* Dijkstra from s; stops when t (CCH_NONE: never) is settled. Returns dist[t]. */
static cch_cost dijkstra(const struct csr *g, uint32_t s, uint32_t t, cch_cost *dist,
                         uint32_t *touched, struct hi *h)
{
    size_t len = 0, nt = 0;
    dist[s] = 0, touched[nt++] = s;
    h[len++] = (struct hi){0, s};
    while (len) {
        struct hi x = h[0], last = h[--len];
        size_t i = 0;
        for (size_t c; (c = 2 * i + 1) < len; i = c) {
            c += c + 1 < len && h[c + 1].d < h[c].d;
            if (h[c].d >= last.d)
                break;
            h[i] = h[c];
        }
        h[i] = last;
        if (x.d != dist[x.v])
            continue;
        if (x.v == t)
            break;
        for (uint64_t a = g->first[x.v]; a < g->first[x.v + 1]; a++) {
            uint32_t y = g->head[a];
            if (x.d + g->w[a] < dist[y]) {
                if (dist[y] == CCH_INF)
                    touched[nt++] = y;
                dist[y] = x.d + g->w[a];
                size_t j = len++;
                for (; j && h[(j - 1) / 2].d > dist[y]; j = (j - 1) / 2)
                    h[j] = h[(j - 1) / 2];
                h[j] = (struct hi){dist[y], y};
            }
        }
    }
    cch_cost r = t == CCH_NONE ? 0 : dist[t];
    if (t != CCH_NONE)
        for (size_t i = 0; i < nt; i++)
            dist[touched[i]] = CCH_INF;
    return r;
}

/* The lower triangles the customization visits: pairs of each node's upper arcs. */
static double triangles(const struct cch *c)
{
    double t = 0;
    for (uint32_t v = 0; v < c->n; v++) {
        double k = (double)(c->up_first[v + 1] - c->up_first[v]);
        t += k * (k - 1) / 2;
    }
    return t;
}

/* Full customization on one thread and on two: times, and whether both give the same costs. */
static void threads_compare(struct cch_metric *m)
{
    uint64_t na = m->c->arc_count;
    cch_cost *up = malloc((na + 1) * sizeof *up), *down = malloc((na + 1) * sizeof *down);
    double ms[2], cpu[2];
    for (int th = 1; th <= 2; th++) {
        setenv("KKC_CCH_THREADS", th == 1 ? "1" : "2", 1);
        struct timespec c0, c1;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
        double t0 = now_us();
        cch_metric_customize(m);
        ms[th - 1] = (now_us() - t0) / 1e3;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
        cpu[th - 1] = (double)(c1.tv_sec - c0.tv_sec) * 1e3 + (double)(c1.tv_nsec - c0.tv_nsec) / 1e6;
        if (th == 1)
            memcpy(up, m->up, na * sizeof *up), memcpy(down, m->down, na * sizeof *down);
    }
    unsetenv("KKC_CCH_THREADS");
    int same = !memcmp(up, m->up, na * sizeof *up) && !memcmp(down, m->down, na * sizeof *down);
    printf("  customization again: 1 thread %.0f ms (CPU %.0f ms), 2 threads %.0f ms (CPU %.0f ms)"
           " (%s)\n", ms[0], cpu[0], ms[1], cpu[1], same ? "same costs" : "COSTS DIFFER");
    printf("RESULT cch customize_1t_ms=%.1f customize_2t_ms=%.1f same=%d\n", ms[0], ms[1], same);
    free(up), free(down);
}

/* Preprocessing, cache, customization, partial update; returns the metric. */
static struct cch_metric *prepare(const struct csr *g, struct cch **cp)
{
    struct kkc_err err = {0};
    struct cch_input in = {g->n, g->first, g->head, g->ends,
                           g->ends ? g->ends + g->n : NULL, g->junctions};
    struct cch *c = NULL, *mapped = NULL;
    struct cch_metric *m = NULL;
    char path[64];
    printf("  input: %u nodes, %llu arcs; peak RSS %ld MB\n", g->n,
           (unsigned long long)g->first[g->n], peak_rss_mb());
    double t0 = now_us();
    if (cch_build(&in, &c, &err)) {
        fprintf(stderr, "cch_build: %s\n", err.msg);
        exit(1);
    }
    double t1 = now_us();
    printf("  preprocessing (METIS order + contraction): %.2f s, %llu hierarchy arcs; peak RSS %ld MB\n",
           (t1 - t0) / 1e6, (unsigned long long)c->arc_count, peak_rss_mb());
    printf("RESULT cch preprocess_s=%.2f arcs=%llu peak_rss_mb=%ld\n", (t1 - t0) / 1e6,
           (unsigned long long)c->arc_count, peak_rss_mb());
    printf("  triangles (pairs of upper arcs, the customization's work): %.0f\n", triangles(c));
    snprintf(path, sizeof path, "/tmp/bench_cch.%ld.cch", (long)getpid());
    t0 = now_us();
    int ok = cch_cache_save(c, &in, "bench", path, &err) == 0;
    t1 = now_us();
    ok = ok && cch_cache_load(&in, "bench", path, &mapped, &err) == 0;
    double t2 = now_us();
    if (ok)
        printf("  cache: write %.0f ms, map (+ input hash check) %.0f ms\n", (t1 - t0) / 1e3,
               (t2 - t1) / 1e3);
    cch_destroy(mapped);
    unlink(path);
    t0 = now_us();
    cch_metric_create(c, NULL, g->w, &m, &err);
    t1 = now_us();
    uint64_t arcs[10], touched = 0;
    cch_cost w[10];
    for (int i = 0; i < 10; i++)
        arcs[i] = (uint64_t)(rnd() * (double)g->first[g->n]), w[i] = CCH_INF;
    cch_metric_update(m, arcs, w, 10, &touched, &err);
    t2 = now_us();
    printf("  customization: full %.0f ms; 10 arcs closed: %.2f ms (%llu arcs redone)\n",
           (t1 - t0) / 1e3, (t2 - t1) / 1e3, (unsigned long long)touched);
    printf("RESULT cch customize_ms=%.1f update10_ms=%.2f\n", (t1 - t0) / 1e3, (t2 - t1) / 1e3);
    uint64_t cu = 0, cd = 0, cb = 0;
    for (uint64_t a = 0; a < c->arc_count; a++)
        cu += m->up[a] == CCH_INF, cd += m->down[a] == CCH_INF,
            cb += m->up[a] == CCH_INF && m->down[a] == CCH_INF;
    printf("  hierarchy arcs closed under these weights: up %.1f %%, down %.1f %%, both %.1f %%\n",
           100.0 * (double)cu / (double)c->arc_count, 100.0 * (double)cd / (double)c->arc_count,
           100.0 * (double)cb / (double)c->arc_count);
    threads_compare(m);
    for (int i = 0; i < 10; i++)
        w[i] = g->w[arcs[i]];
    cch_metric_update(m, arcs, w, 10, NULL, &err); /* back to the benchmark's weights */
    *cp = c;
    return m;
}

static void run_gr(const char *path, size_t nq, size_t k, int turns)
{
    struct csr g = {0};
    if (turns ? read_turns(path, &g) : read_gr(path, &g)) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(1);
    }
    struct cch *c;
    struct cch_metric *m = prepare(&g, &c);
    struct cch_query *q;
    cch_query_create(c, &q, NULL);
    cch_cost *dist = malloc(((size_t)g.n + 1) * sizeof *dist);
    uint32_t *touched = malloc(((size_t)g.n + 1) * sizeof *touched);
    struct hi *heap = malloc((g.first[g.n] + 2) * sizeof *heap);
    double *tc = malloc(nq * sizeof *tc), *tp = malloc(nq * sizeof *tp), *td = malloc(nq * sizeof *td);
    for (uint32_t v = 0; v < g.n; v++)
        dist[v] = CCH_INF;
    size_t bad = 0;
    for (size_t i = 0; i < nq; i++) {
        struct cch_seed s = {(uint32_t)(rnd() * g.n), 0}, t = {(uint32_t)(rnd() * g.n), 0};
        uint64_t *arcs = NULL;
        size_t na;
        uint32_t a, b;
        double t0 = now_us();
        cch_cost x = cch_query_run(q, m, &s, 1, &t, 1);
        double t1 = now_us();
        cch_query_path(q, m, &arcs, &na, &a, &b, NULL);
        double t2 = now_us();
        cch_cost y = dijkstra(&g, s.node, t.node, dist, touched, heap);
        double t3 = now_us();
        free(arcs);
        bad += x != y;
        tc[i] = t1 - t0, tp[i] = t2 - t0, td[i] = t3 - t2;
    }
    printf("  %zu pairs, %zu differ from Dijkstra\n", nq, bad);
    report("route_cost_cch", tc, nq);
    report("route_path_cch", tp, nq);
    report("route_cost_dijkstra", td, nq);
    struct cch_seed *ss = malloc(k * sizeof *ss), *ds = malloc(k * sizeof *ds);
    size_t *f = malloc((k + 1) * sizeof *f);
    cch_cost *out = malloc(k * k * sizeof *out);
    for (size_t i = 0; i < k; i++)
        ss[i] = (struct cch_seed){(uint32_t)(rnd() * g.n), 0},
        ds[i] = (struct cch_seed){(uint32_t)(rnd() * g.n), 0}, f[i] = i;
    f[k] = k;
    double t0 = now_us();
    cch_table(q, m, ss, f, k, ds, f, k, out, NULL); /* the first makes the scratch it keeps */
    double first_ms = (now_us() - t0) / 1e3;
    t0 = now_us();
    double c0 = cpu_us();
    cch_table(q, m, ss, f, k, ds, f, k, out, NULL);
    double t1 = now_us(), c1 = cpu_us();
    for (size_t i = 0; i < k; i++) {
        size_t nt = 0;
        dijkstra(&g, ss[i].node, CCH_NONE, dist, touched, heap);
        for (size_t j = 0; j < k; j++)
            bad += dist[ds[j].node] != out[i * k + j];
        for (uint32_t v = 0; v < g.n; v++)
            nt += dist[v] != CCH_INF, dist[v] = CCH_INF;
        (void)nt;
    }
    double t2 = now_us();
    printf("  table %zux%zu: cch %.1f ms (CPU %.1f ms; the first call %.1f ms), one Dijkstra per "
           "source %.1f ms (%zu cells differ)\n", k, k, (t1 - t0) / 1e3, (c1 - c0) / 1e3, first_ms,
           (t2 - t1) / 1e3, bad);
    printf("RESULT cch table_ms=%.1f table_dijkstra_ms=%.1f\n", (t1 - t0) / 1e3, (t2 - t1) / 1e3);
    free(ss), free(ds), free(f), free(out), free(dist), free(touched), free(heap);
    free(tc), free(tp), free(td);
    cch_query_destroy(q), cch_metric_destroy(m), cch_destroy(c);
    free(g.first), free(g.head), free(g.w), free(g.ends);
}

/* ---- --db: the service's own route and table calls with and without the hierarchy --------- */

static int build_only, no_astar, use_cache, compare_threads, turns;

static struct graph *load(const char *db, int hierarchy)
{
    char cache[4200];
    snprintf(cache, sizeof cache, "%s.cch", db);
    struct store *st = NULL;
    struct graph *g = NULL;
    struct kkc_err err = {0};
    struct graph_options o = {.landmarks = GRAPH_LANDMARKS_DEFAULT, .hierarchy = hierarchy,
                            .hierarchy_cache = use_cache ? cache : NULL};
    if (store_open(db, STORE_READONLY, &st, &err) || graph_load_opts(st, &o, &g, &err)) {
        fprintf(stderr, "%s: %s\n", db, err.msg);
        exit(1);
    }
    store_close(st);
    return g;
}

static void time_routes(const char *name, const struct graph *g, const struct snap *s, size_t nq)
{
    struct route_ctx *ctx;
    double *tc = malloc(nq * sizeof *tc), *tg = malloc(nq * sizeof *tg);
    char key[64];
    route_ctx_create(g, &ctx, NULL);
    for (size_t i = 0; i < nq; i++) {
        graph_cost c;
        struct route_result *r = NULL;
        double t0 = now_us();
        route_cost(g, ctx, &s[2 * i], &s[2 * i + 1], &c, NULL);
        double t1 = now_us();
        route_compute(g, ctx, &s[2 * i], &s[2 * i + 1], 1, &r, NULL);
        double t2 = now_us();
        route_result_destroy(r);
        tc[i] = t1 - t0, tg[i] = t2 - t1;
    }
    snprintf(key, sizeof key, "route_cost_%s", name);
    report(key, tc, nq);
    snprintf(key, sizeof key, "route_geometry_%s", name);
    report(key, tg, nq);
    size_t k = 100;
    graph_cost *out = malloc(k * k * sizeof *out);
    double t0 = now_us();
    route_table(g, ctx, s, k, s + k, k, out, NULL); /* the first makes the scratch it keeps */
    double first_ms = (now_us() - t0) / 1e3;
    t0 = now_us();
    double c0 = cpu_us();
    route_table(g, ctx, s, k, s + k, k, out, NULL);
    double t1 = now_us(), c1 = cpu_us();
    printf("  table 100x100 (%s): %.1f ms (CPU %.1f ms; the first call %.1f ms)\n"
           "RESULT cch table_%s_ms=%.1f\n", name, (t1 - t0) / 1e3, (c1 - c0) / 1e3, first_ms, name,
           (t1 - t0) / 1e3);
    free(out), free(tc), free(tg);
    route_ctx_destroy(ctx);
}


static void run_db(const char *db, size_t nq)
{
    double t0 = now_us();
    struct graph *a = no_astar ? NULL : load(db, 0);
    double t1 = now_us();
    if (a)
        printf("  graph: %u nodes, %u edges; load (A* landmarks) %.2f s; peak RSS %ld MB\n",
               a->node_count, a->edge_count, (t1 - t0) / 1e6, peak_rss_mb());
    struct graph *h = load(db, 1);
    printf("  graph with hierarchy loaded in %.2f s\n", (now_us() - t1) / 1e6);
    /* from the cache files (DB.cch, DB.cch.metric, e.g. the import's): mapped, not computed */
    const char *pre = h->ch->from_cache ? "mapped from DB.cch" : "preprocessing";
    const char *cus = h->ch->metric_from_cache == 1 ? "mapped from DB.cch.metric" : "customization";
    printf("  hierarchy: %llu input arcs, %llu arcs; %s %.2f s, %s %.0f ms; "
           "peak RSS %ld MB (both graphs)\n",
           (unsigned long long)h->ch->c->input_arcs, (unsigned long long)h->ch->c->arc_count,
           pre, h->ch->build_s, cus, h->ch->custom_s * 1e3, peak_rss_mb());
    printf("RESULT cch preprocess_s=%.2f customize_ms=%.1f\n", h->ch->build_s, h->ch->custom_s * 1e3);
    printf("  triangles (pairs of upper arcs, the customization's work): %.0f\n",
           triangles(h->ch->c));
    if (compare_threads)
        threads_compare(h->ch->m);
    if (build_only) {
        graph_destroy(a), graph_destroy(h);
        return;
    }
    size_t np = 2 * (nq > 100 ? nq : 100);
    struct snap *s = malloc(np * sizeof *s);
    for (size_t i = 0; i < np;) {
        uint32_t v = (uint32_t)(rnd() * h->node_count);
        if (snap_point(h, h->node_lonlat[2 * v], h->node_lonlat[2 * v + 1], 200, &s[i], NULL) == 0)
            i++;
    }
    if (!no_astar)
        time_routes("astar", a, s, nq);
    time_routes("cch", h, s, nq);
    free(s);
    graph_destroy(a), graph_destroy(h);
}

int main(int argc, char **argv)
{
    const char *db = NULL, *gr = NULL;
    size_t nq = 1000, k = 100;
    int c;
    static const struct option lo[] = {{"db", 1, 0, 'd'},      {"gr", 1, 0, 'g'},
                                       {"queries", 1, 0, 'q'}, {"table", 1, 0, 't'},
                                       {"seed", 1, 0, 's'},    {"build-only", 0, 0, 'b'},
                                       {"no-astar", 0, 0, 'n'}, {"cache", 0, 0, 'c'},
                                       {"compare-threads", 0, 0, 'm'}, {"turns", 0, 0, 'x'},
                                       {0, 0, 0, 0}};
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (c == 'd')
            db = optarg;
        else if (c == 'g')
            gr = optarg;
        else if (c == 'q')
            nq = strtoul(optarg, NULL, 10);
        else if (c == 't')
            k = strtoul(optarg, NULL, 10);
        else if (c == 'b')
            build_only = 1;
        else if (c == 'n')
            no_astar = 1;
        else if (c == 'c')
            use_cache = 1;
        else if (c == 'm')
            compare_threads = 1;
        else if (c == 'x')
            turns = 1;
        else if (c == 's')
            rng = strtoull(optarg, NULL, 10) | 1;
        else
            return 2;
    }
    if ((!db) == (!gr) || nq == 0 || k == 0) {
        fprintf(stderr, "usage: bench_cch --db DB | --gr FILE.gr.xz [--turns] [--queries N] [--table K]\n");
        return 2;
    }
    if (db)
        run_db(db, nq);
    else
        run_gr(gr, nq, k, turns);
    return 0;
}
