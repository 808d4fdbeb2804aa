/* service/metrics.h -- request counters and latency histograms, rendered for GET /metrics in the
 * Prometheus text exposition format (version 0.0.4).
 *
 * A struct metrics is a fixed table of (method, route label) series. Every worker thread updates
 * it with relaxed C11 atomics: no locks, one compare-and-swap the first time a series is seen,
 * a few atomic adds per request. A scrape reads the counters while they move, so each value is
 * some recent value (the usual contract of Prometheus counters). Route labels are static strings
 * from a bounded set (the route table's labels, routes.h); once the table is full, new series
 * are counted under route="other". */
#ifndef KKC_METRICS_H
#define KKC_METRICS_H

#include "base/err.h"

#include <stddef.h>
#include <time.h>

#define METRICS_SERIES_MAX 128

struct metrics;

/* A new registry whose uptime starts now. *out is the caller's, freed with metrics_destroy()
 * (NULL is a no-op). KKC_ENOMEM. */
enum kkc_code metrics_create(struct metrics **out, struct kkc_err *err);
void metrics_destroy(struct metrics *m);

/* Count one finished request: method ("GET", ...; others count as "other"), route label (a
 * string that outlives m), HTTP status, wall time from arrival to the last byte, and response
 * bytes. Thread-safe and lock-free; m may be NULL (nothing is counted). */
void metrics_record(struct metrics *m, const char *method, const char *route, int status,
                    double seconds, size_t bytes);

/* What the data being served looks like, for the gauges of one scrape. */
struct metrics_gauges {
    const char *data_version; /* the database's data_version */
    time_t loaded_at;         /* when that world was loaded */
    long centres[3][2];       /* by kind (police, fire, ambulance) and [0] active, [1] closed */
    long municipalities;
    int has_graph; /* 0: no road network (the graph gauges are left out) */
    long graph_nodes, graph_edges;
    long closures_active, closures_edges; /* road closures in force, edges they touch */
    long long closures_version;           /* state version of the closures = weights version */
};

/* The whole exposition: the counters of m (NULL: none) and the gauges g. The caller frees the
 * string with free(); NULL when out of memory. */
char *metrics_render(struct metrics *m, const struct metrics_gauges *g);

/* The sum of the request counters of one series with this status (0 = any status): for tests
 * and the CLI. route and method compared by content. */
unsigned long long metrics_count(struct metrics *m, const char *method, const char *route,
                                 int status);

#endif
