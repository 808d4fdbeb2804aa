/* service/metrics.c -- the request metrics registry and its Prometheus text rendering.
 *
 * Series are claimed once with a compare-and-swap on their key and never released, so a reader
 * that finds a key may use its counters at once; all counters are relaxed atomics, which is all
 * that monotone counters read at scrape time need. */
#include "metrics.h"

#include "strbuf.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RENDER_CAP (8u << 20)

static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "other"};
#define METHOD_COUNT (sizeof methods / sizeof methods[0])

/* The statuses this service answers; anything else is counted as status="other". */
static const int statuses[] = {200, 201, 204, 206, 301, 302, 304, 400, 401, 403, 404, 405,
                               406, 409, 411, 413, 414, 415, 422, 429, 500, 501, 503, 504};
#define STATUS_COUNT (sizeof statuses / sizeof statuses[0])

/* Upper bounds of the latency buckets, seconds; +Inf is implicit. */
static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                0.25,   0.5,   1,      2.5,   5,    10,    60};
#define BOUND_COUNT (sizeof bounds / sizeof bounds[0])

struct series {
    _Atomic(const char *) route; /* NULL while free; set once, with method, by the claimer */
    _Atomic int method;          /* index into methods; valid once ready is set */
    atomic_int ready;
    atomic_ullong by_status[STATUS_COUNT + 1]; /* the last one: other statuses */
    atomic_ullong buckets[BOUND_COUNT + 1];    /* not cumulative; the last one: +Inf */
    atomic_ullong micros;                      /* sum of durations */
    atomic_ullong bytes;
};

struct metrics {
    struct timespec started; /* CLOCK_MONOTONIC */
    time_t started_wall;
    struct series s[METRICS_SERIES_MAX];
};

enum kkc_code metrics_create(struct metrics **out, struct kkc_err *err)
{
    struct metrics *m = calloc(1, sizeof *m);
    *out = NULL;
    if (!m)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory");
    clock_gettime(CLOCK_MONOTONIC, &m->started);
    m->started_wall = time(NULL);
    *out = m;
    return KKC_OK;
}

void metrics_destroy(struct metrics *m)
{
    free(m);
}

static int method_index(const char *method)
{
    for (size_t i = 0; i + 1 < METHOD_COUNT; i++)
        if (method && strcmp(method, methods[i]) == 0)
            return (int)i;
    return (int)METHOD_COUNT - 1;
}

/* The series of (method, route), claimed when new; the "other" series when the table is full
 * (the last slot is kept for it). Never NULL. */
static struct series *series_get(struct metrics *m, int method, const char *route)
{
    for (size_t i = 0; i < METRICS_SERIES_MAX - 1; i++) {
        struct series *s = &m->s[i];
        const char *have = atomic_load_explicit(&s->route, memory_order_acquire);
        if (!have) {
            const char *expect = NULL;
            if (atomic_compare_exchange_strong(&s->route, &expect, route)) {
                atomic_store_explicit(&s->method, method, memory_order_relaxed);
                atomic_store_explicit(&s->ready, 1, memory_order_release);
                return s;
            }
            have = expect;
        }
        /* Another thread may be just claiming it: wait for its method (a few instructions). */
        while (!atomic_load_explicit(&s->ready, memory_order_acquire))
            ;
        if (atomic_load_explicit(&s->method, memory_order_relaxed) == method &&
            (have == route || strcmp(have, route) == 0))
            return s;
    }
    struct series *last = &m->s[METRICS_SERIES_MAX - 1];
    const char *expect = NULL;
    if (atomic_compare_exchange_strong(&last->route, &expect, "other")) {
        atomic_store_explicit(&last->method, (int)METHOD_COUNT - 1, memory_order_relaxed);
        atomic_store_explicit(&last->ready, 1, memory_order_release);
    }
    return last;
}

void metrics_record(struct metrics *m, const char *method, const char *route, int status,
                    double seconds, size_t bytes)
{
    struct series *s;
    size_t si = STATUS_COUNT, bi = 0;
    if (!m)
        return;
    s = series_get(m, method_index(method), route ? route : "other");
    for (size_t i = 0; i < STATUS_COUNT; i++)
        if (statuses[i] == status)
            si = i;
    while (bi < BOUND_COUNT && seconds > bounds[bi])
        bi++;
    atomic_fetch_add_explicit(&s->by_status[si], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->buckets[bi], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->micros,
                              seconds > 0 ? (unsigned long long)(seconds * 1e6 + 0.5) : 0,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&s->bytes, bytes, memory_order_relaxed);
}

unsigned long long metrics_count(struct metrics *m, const char *method, const char *route,
                                 int status)
{
    unsigned long long n = 0;
    int mi = method_index(method);
    for (size_t i = 0; m && i < METRICS_SERIES_MAX; i++) {
        struct series *s = &m->s[i];
        const char *have = atomic_load_explicit(&s->route, memory_order_acquire);
        if (!have || !atomic_load_explicit(&s->ready, memory_order_acquire) ||
            atomic_load_explicit(&s->method, memory_order_relaxed) != mi || strcmp(have, route))
            continue;
        for (size_t j = 0; j <= STATUS_COUNT; j++)
            if (!status || (j < STATUS_COUNT && statuses[j] == status))
                n += atomic_load_explicit(&s->by_status[j], memory_order_relaxed);
    }
    return n;
}

/* ---------------------------------------------------------------- rendering ---------------- */

/* A label value with \ " and newlines escaped as the text format asks. */
static void put_label(struct strbuf *b, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\' || *v == '"')
            strbuf_printf(b, "\\%c", *v);
        else if (*v == '\n')
            strbuf_append(b, "\\n", 2);
        else
            strbuf_append(b, v, 1);
    }
}

static void put_key(struct strbuf *b, const char *name, const struct series *s)
{
    strbuf_printf(b, "%s{method=\"%s\",route=\"", name,
                  methods[atomic_load_explicit(&s->method, memory_order_relaxed)]);
    put_label(b, atomic_load_explicit(&s->route, memory_order_relaxed));
    strbuf_append(b, "\"", 1);
}

static int series_ready(struct series *s)
{
    return atomic_load_explicit(&s->route, memory_order_acquire) &&
           atomic_load_explicit(&s->ready, memory_order_acquire);
}

static void render_requests(struct strbuf *b, struct metrics *m)
{
    strbuf_printf(b, "# HELP kkc_http_requests_total HTTP requests answered, by method, route "
                     "pattern and status.\n# TYPE kkc_http_requests_total counter\n");
    for (size_t i = 0; i < METRICS_SERIES_MAX; i++) {
        struct series *s = &m->s[i];
        if (!series_ready(s))
            continue;
        for (size_t j = 0; j <= STATUS_COUNT; j++) {
            unsigned long long n = atomic_load_explicit(&s->by_status[j], memory_order_relaxed);
            if (!n)
                continue;
            put_key(b, "kkc_http_requests_total", s);
            if (j < STATUS_COUNT)
                strbuf_printf(b, ",status=\"%d\"} %llu\n", statuses[j], n);
            else
                strbuf_printf(b, ",status=\"other\"} %llu\n", n);
        }
    }
    strbuf_printf(b, "# HELP kkc_http_response_bytes_total Response body bytes sent.\n"
                     "# TYPE kkc_http_response_bytes_total counter\n");
    for (size_t i = 0; i < METRICS_SERIES_MAX; i++) {
        struct series *s = &m->s[i];
        if (!series_ready(s))
            continue;
        put_key(b, "kkc_http_response_bytes_total", s);
        strbuf_printf(b, "} %llu\n", atomic_load_explicit(&s->bytes, memory_order_relaxed));
    }
}

static void render_latency(struct strbuf *b, struct metrics *m)
{
    strbuf_printf(b, "# HELP kkc_http_request_duration_seconds Time from a request's arrival to "
                     "its last response byte.\n"
                     "# TYPE kkc_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i < METRICS_SERIES_MAX; i++) {
        struct series *s = &m->s[i];
        unsigned long long cum = 0;
        if (!series_ready(s))
            continue;
        for (size_t j = 0; j <= BOUND_COUNT; j++) {
            cum += atomic_load_explicit(&s->buckets[j], memory_order_relaxed);
            put_key(b, "kkc_http_request_duration_seconds_bucket", s);
            if (j < BOUND_COUNT)
                strbuf_printf(b, ",le=\"%g\"} %llu\n", bounds[j], cum);
            else
                strbuf_printf(b, ",le=\"+Inf\"} %llu\n", cum);
        }
        put_key(b, "kkc_http_request_duration_seconds_sum", s);
        strbuf_printf(b, "} %.6f\n",
                      (double)atomic_load_explicit(&s->micros, memory_order_relaxed) / 1e6);
        put_key(b, "kkc_http_request_duration_seconds_count", s);
        strbuf_printf(b, "} %llu\n", cum);
    }
}

static void render_gauges(struct strbuf *b, struct metrics *m, const struct metrics_gauges *g)
{
    static const char *const kinds[] = {"police", "fire", "ambulance"};
    struct timespec now;
    double up = 0;
    if (m) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        up = (double)(now.tv_sec - m->started.tv_sec) +
             (double)(now.tv_nsec - m->started.tv_nsec) / 1e9;
        strbuf_printf(b,
                      "# HELP kkc_uptime_seconds Seconds since the server started.\n"
                      "# TYPE kkc_uptime_seconds gauge\nkkc_uptime_seconds %.3f\n"
                      "# HELP kkc_start_time_seconds When the server started, Unix time.\n"
                      "# TYPE kkc_start_time_seconds gauge\nkkc_start_time_seconds %lld\n",
                      up, (long long)m->started_wall);
    }
    strbuf_printf(b, "# HELP kkc_data_info The data being served (value always 1).\n"
                     "# TYPE kkc_data_info gauge\nkkc_data_info{data_version=\"");
    put_label(b, g->data_version ? g->data_version : "");
    strbuf_printf(b,
                  "\"} 1\n# HELP kkc_data_loaded_timestamp_seconds When the data being "
                  "served was loaded (start or reload), Unix time.\n"
                  "# TYPE kkc_data_loaded_timestamp_seconds gauge\n"
                  "kkc_data_loaded_timestamp_seconds %lld\n",
                  (long long)g->loaded_at);
    strbuf_printf(b, "# HELP kkc_centres Emergency centres loaded, by kind and status.\n"
                     "# TYPE kkc_centres gauge\n");
    for (int k = 0; k < 3; k++)
        for (int c = 0; c < 2; c++)
            strbuf_printf(b, "kkc_centres{kind=\"%s\",status=\"%s\"} %ld\n", kinds[k],
                          c ? "closed" : "active", g->centres[k][c]);
    strbuf_printf(b,
                  "# HELP kkc_closures_active Road closures in force.\n"
                  "# TYPE kkc_closures_active gauge\nkkc_closures_active %ld\n"
                  "# HELP kkc_closures_edges Road edges closed or slowed by them.\n"
                  "# TYPE kkc_closures_edges gauge\nkkc_closures_edges %ld\n"
                  "# HELP kkc_weights_version State version of the closures in the weights.\n"
                  "# TYPE kkc_weights_version gauge\nkkc_weights_version %lld\n",
                  g->closures_active, g->closures_edges, g->closures_version);
    strbuf_printf(b,
                  "# HELP kkc_municipalities Municipalities loaded.\n"
                  "# TYPE kkc_municipalities gauge\nkkc_municipalities %ld\n",
                  g->municipalities);
    strbuf_printf(b,
                  "# HELP kkc_road_graph_loaded 1 when a road network is loaded.\n"
                  "# TYPE kkc_road_graph_loaded gauge\nkkc_road_graph_loaded %d\n",
                  g->has_graph ? 1 : 0);
    if (g->has_graph)
        strbuf_printf(b,
                      "# HELP kkc_road_graph_nodes Junctions of the road graph.\n"
                      "# TYPE kkc_road_graph_nodes gauge\nkkc_road_graph_nodes %ld\n"
                      "# HELP kkc_road_graph_edges Road edges of the road graph.\n"
                      "# TYPE kkc_road_graph_edges gauge\nkkc_road_graph_edges %ld\n",
                      g->graph_nodes, g->graph_edges);
}

char *metrics_render(struct metrics *m, const struct metrics_gauges *g)
{
    struct strbuf b;
    strbuf_init(&b, RENDER_CAP);
    if (m) {
        render_requests(&b, m);
        render_latency(&b, m);
    }
    render_gauges(&b, m, g);
    return strbuf_take(&b);
}
