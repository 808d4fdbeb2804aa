/* tests/service/test_metrics.c -- the metrics registry (service/metrics.c) and GET /metrics.
 *
 * The registry on its own: counts from many threads at once add up exactly, histogram buckets
 * are cumulative and end in the count, every line of the exposition parses as the Prometheus
 * text format (a small parser written here, not the renderer's code). Over HTTP: the counters
 * of a real daemon move by exactly the requests made, under the route pattern (never the raw
 * path), and the gauges agree with the world that is served. */
#include "centres/centres.h"
#include "road/graph.h"
#include "http.h"
#include "metrics.h"
#include "httputil.h"
#include "testutil.h"
#include "world.h"

#include <check.h>
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- a parser of the text format --------------------------------------------------------- */

/* One sample line "name{k="v",...} value": name and the labels text into the buffers, the
 * value into *v. 1 when the line is well formed. */
static int parse_sample(const char *line, char *name, size_t nsize, char *labels, size_t lsize,
                        double *v)
{
    const char *p = line, *q;
    char *end;
    size_t n;
    if (!isalpha((unsigned char)*p) && *p != '_' && *p != ':')
        return 0;
    while (isalnum((unsigned char)*p) || *p == '_' || *p == ':')
        p++;
    n = (size_t)(p - line);
    if (n >= nsize)
        return 0;
    memcpy(name, line, n);
    name[n] = '\0';
    labels[0] = '\0';
    if (*p == '{') {
        q = p + 1;
        while (*q && *q != '}') { /* k="v" pairs, v with \\ \" \n escapes */
            const char *k = q;
            while (isalnum((unsigned char)*q) || *q == '_')
                q++;
            if (q == k || q[0] != '=' || q[1] != '"')
                return 0;
            for (q += 2; *q && *q != '"'; q++)
                if (*q == '\\' && (!q[1] || !strchr("\\\"n", *++q)))
                    return 0;
            if (*q++ != '"')
                return 0;
            if (*q == ',')
                q++;
        }
        if (*q != '}' || (size_t)(q - p) >= lsize)
            return 0;
        memcpy(labels, p, (size_t)(q - p + 1));
        labels[q - p + 1] = '\0';
        p = q + 1;
    }
    if (*p++ != ' ')
        return 0;
    if (strcmp(p, "+Inf") == 0) {
        *v = INFINITY;
        return 1;
    }
    *v = strtod(p, &end);
    return end != p && *end == '\0';
}

/* " family " for a sample name: the name itself when typed, else the name less a histogram
 * suffix (_bucket, _sum, _count). */
static void family_of(const char *name, const char *typed, char *fam, size_t size)
{
    static const char *const suffixes[] = {"_bucket", "_sum", "_count"};
    size_t ln = strlen(name);
    snprintf(fam, size, " %s ", name);
    for (size_t i = 0; i < 3 && !strstr(typed, fam); i++) {
        size_t ls = strlen(suffixes[i]);
        if (ln > ls && strcmp(name + ln - ls, suffixes[i]) == 0)
            snprintf(fam, size, " %.*s ", (int)(ln - ls), name);
    }
}

/* Every line of text is a HELP, a TYPE (counter, gauge or histogram) or a sample; and each
 * sample's family had its TYPE before it. Returns the number of samples; fails the test on the
 * first bad line. */
static int check_exposition(const char *text)
{
    char *copy = strdup(text), *save = NULL, name[128], labels[512], typed[8192] = " ";
    int samples = 0;
    double v;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "# HELP ", 7) == 0)
            continue;
        if (strncmp(line, "# TYPE ", 7) == 0) {
            char fam[128], type[32];
            ck_assert_int_eq(sscanf(line + 7, "%127s %31s", fam, type), 2);
            ck_assert_msg(strcmp(type, "counter") == 0 || strcmp(type, "gauge") == 0 ||
                              strcmp(type, "histogram") == 0,
                          "type %s", type);
            strncat(typed, fam, sizeof typed - strlen(typed) - 2);
            strcat(typed, " ");
            continue;
        }
        ck_assert_msg(parse_sample(line, name, sizeof name, labels, sizeof labels, &v),
                      "not a sample line: '%s'", line);
        char fam[160];
        family_of(name, typed, fam, sizeof fam);
        ck_assert_msg(strstr(typed, fam) != NULL, "%s has no TYPE before it", name);
        samples++;
    }
    free(copy);
    return samples;
}

/* The value of the sample "name{labels}" (labels exactly as rendered, "" for none), or NAN. */
static double sample(const char *text, const char *name, const char *labels)
{
    char key[600];
    const char *p;
    snprintf(key, sizeof key, "%s%s ", name, labels);
    for (p = text; (p = strstr(p, key)); p++)
        if (p == text || p[-1] == '\n')
            return strtod(p + strlen(key), NULL);
    return NAN;
}

/* ---- the registry alone ------------------------------------------------------------------ */

struct hammer {
    struct metrics *m;
    int id;
};

static void *hammer_run(void *arg)
{
    struct hammer *h = arg;
    static const char *const routes[] = {"/v1/health", "/v1/nearest", "/v1/centres/{id}"};
    for (int i = 0; i < 20000; i++)
        metrics_record(h->m, i % 2 ? "GET" : "POST", routes[(i + h->id) % 3], i % 5 ? 200 : 404,
                       (double)(i % 100) / 1000.0, 10);
    return NULL;
}

START_TEST(test_threads_add_up)
{
    struct metrics *m = NULL;
    pthread_t t[4];
    struct hammer h[4];
    unsigned long long total = 0;
    char *text;
    ck_assert_int_eq(metrics_create(&m, NULL), KKC_OK);
    for (int i = 0; i < 4; i++) {
        h[i] = (struct hammer){m, i};
        ck_assert_int_eq(pthread_create(&t[i], NULL, hammer_run, &h[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    static const char *const routes[] = {"/v1/health", "/v1/nearest", "/v1/centres/{id}"};
    for (int r = 0; r < 3; r++)
        for (int meth = 0; meth < 2; meth++)
            total += metrics_count(m, meth ? "GET" : "POST", routes[r], 0);
    ck_assert_uint_eq(total, 4 * 20000);
    ck_assert_uint_eq(metrics_count(m, "GET", "/v1/health", 404) +
                          metrics_count(m, "POST", "/v1/health", 404) +
                          metrics_count(m, "GET", "/v1/nearest", 404) +
                          metrics_count(m, "POST", "/v1/nearest", 404) +
                          metrics_count(m, "GET", "/v1/centres/{id}", 404) +
                          metrics_count(m, "POST", "/v1/centres/{id}", 404),
                      4 * 20000 / 5);
    text = metrics_render(m, &(struct metrics_gauges){.data_version = "v\"1\\"});
    ck_assert_ptr_nonnull(text);
    ck_assert_int_gt(check_exposition(text), 50);
    /* six series, each a cumulative histogram ending at its count */
    double sum_count = 0;
    for (int r = 0; r < 3; r++)
        for (int meth = 0; meth < 2; meth++) {
            char labels[128];
            snprintf(labels, sizeof labels, "{method=\"%s\",route=\"%s\"", meth ? "GET" : "POST",
                     routes[r]);
            char inf[160], lo[160];
            snprintf(inf, sizeof inf, "%s,le=\"+Inf\"}", labels);
            snprintf(lo, sizeof lo, "%s,le=\"0.01\"}", labels);
            double n_inf = sample(text, "kkc_http_request_duration_seconds_bucket", inf);
            double n_lo = sample(text, "kkc_http_request_duration_seconds_bucket", lo);
            strcat(labels, "}");
            double n = sample(text, "kkc_http_request_duration_seconds_count", labels);
            ck_assert_double_eq(n_inf, n);
            ck_assert(n_lo <= n_inf);
            sum_count += n;
        }
    ck_assert_double_eq(sum_count, 4 * 20000);
    ck_assert_double_eq(sample(text, "kkc_data_info", "{data_version=\"v\\\"1\\\\\"}"), 1);
    free(text);
    metrics_destroy(m);
}
END_TEST

/* Bucket bounds are inclusive upper bounds; a full table counts new series as "other". */
START_TEST(test_buckets_and_overflow)
{
    struct metrics *m = NULL;
    char *text, routes[METRICS_SERIES_MAX + 10][16];
    ck_assert_int_eq(metrics_create(&m, NULL), KKC_OK);
    metrics_record(m, "GET", "/a", 200, 0.001, 0);  /* le 0.001 */
    metrics_record(m, "GET", "/a", 200, 0.0011, 0); /* le 0.0025 */
    metrics_record(m, "GET", "/a", 599, 100, 0);    /* +Inf, status other */
    metrics_record(m, "BREW", "/a", 418, 0, 0);     /* method other */
    text = metrics_render(m, &(struct metrics_gauges){0});
    check_exposition(text);
    ck_assert_double_eq(sample(text, "kkc_http_request_duration_seconds_bucket",
                               "{method=\"GET\",route=\"/a\",le=\"0.001\"}"),
                        1);
    ck_assert_double_eq(sample(text, "kkc_http_request_duration_seconds_bucket",
                               "{method=\"GET\",route=\"/a\",le=\"0.0025\"}"),
                        2);
    ck_assert_double_eq(sample(text, "kkc_http_request_duration_seconds_bucket",
                               "{method=\"GET\",route=\"/a\",le=\"60\"}"),
                        2);
    ck_assert_double_eq(
        sample(text, "kkc_http_requests_total", "{method=\"GET\",route=\"/a\",status=\"other\"}"),
        1);
    ck_assert_double_eq(
        sample(text, "kkc_http_requests_total", "{method=\"other\",route=\"/a\",status=\"other\"}"),
        1);
    free(text);
    for (int i = 0; i < METRICS_SERIES_MAX + 10; i++) {
        snprintf(routes[i], sizeof routes[i], "/r%d", i);
        metrics_record(m, "GET", routes[i], 200, 0, 0);
    }
    ck_assert_uint_eq(metrics_count(m, "other", "other", 200), 10 + 3);
    metrics_destroy(m);
    metrics_record(NULL, "GET", "/", 200, 0, 0); /* no registry: nothing happens */
}
END_TEST

/* ---- over HTTP --------------------------------------------------------------------------- */

/* METHOD path with an optional body; the status returned, the body into *out when not NULL. */
static long request(const char *method, const char *path, const char *body, char **out)
{
    struct hu_req rq = {.method = method, .target = path, .body = body,
                        .body_len = body ? strlen(body) : 0, .dot_segments = 1};
    struct hu_resp r;
    ck_assert_msg(hu_perform(NULL, hu_fx_port, &rq, &r) == 0, "%s %s failed", method, path);
    long status = r.status;
    if (out)
        *out = r.body, r.body = NULL;
    hu_resp_free(&r);
    return status;
}

static double counter(const char *text, const char *method, const char *route, int status)
{
    char labels[256];
    double v;
    snprintf(labels, sizeof labels, "{method=\"%s\",route=\"%s\",status=\"%d\"}", method, route,
             status);
    v = sample(text, "kkc_http_requests_total", labels);
    return isnan(v) ? 0 : v;
}

START_TEST(test_counters_move)
{
    char *before = NULL, *after = NULL;
    ck_assert_int_eq(request("GET", "/metrics", NULL, &before), 200);
    check_exposition(before);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(request("GET", "/v1/health", NULL, NULL), 200);
    ck_assert_int_eq(request("GET", "/v1/centres/NO-SUCH-1", NULL, NULL), 404);
    ck_assert_int_eq(request("GET", "/v1/centres/NO-SUCH-2", NULL, NULL), 404);
    ck_assert_int_eq(request("GET", "/v1/no/such/path", NULL, NULL), 404);
    ck_assert_int_eq(request("POST", "/v1/nearest?k=1", "id,lon,lat\na,8.69,49.41\n", NULL), 200);
    ck_assert_int_eq(request("DELETE", "/v1/health", NULL, NULL), 405);
    /* A request is counted when the server has finished it, which may be just after the client
     * has read the last byte: scrape until the last one shows (at most 2 s). */
    for (int i = 0; i < 100; i++) {
        free(after);
        ck_assert_int_eq(request("GET", "/metrics", NULL, &after), 200);
        if (counter(after, "DELETE", "/v1/health", 405) == 1 &&
            counter(after, "POST", "/v1/nearest", 200) -
                    counter(before, "POST", "/v1/nearest", 200) ==
                1)
            break;
        usleep(20000);
    }
    check_exposition(after);

    ck_assert_double_eq(
        counter(after, "GET", "/v1/health", 200) - counter(before, "GET", "/v1/health", 200), 3);
    ck_assert_double_eq(counter(after, "GET", "/v1/centres/{id}", 404) -
                            counter(before, "GET", "/v1/centres/{id}", 404),
                        2);
    ck_assert_double_eq(counter(after, "GET", "other", 404) - counter(before, "GET", "other", 404),
                        1);
    ck_assert_double_eq(counter(after, "POST", "/v1/nearest", 200) -
                            counter(before, "POST", "/v1/nearest", 200),
                        1);
    ck_assert_double_eq(counter(after, "DELETE", "/v1/health", 405), 1);
    ck_assert_double_ge(counter(after, "GET", "/metrics", 200), 1); /* the earlier scrapes */
    ck_assert_ptr_null(strstr(after, "NO-SUCH")); /* raw paths never become labels */
    /* the streamed batch's bytes are counted too */
    ck_assert_double_gt(
        sample(after, "kkc_http_response_bytes_total", "{method=\"POST\",route=\"/v1/nearest\"}"),
        100);
    free(before);
    free(after);
}
END_TEST

START_TEST(test_gauges)
{
    char *text = NULL;
    struct world *w = world_get(&hu_fx_world);
    double centres = 0;
    char labels[128];
    ck_assert_int_eq(request("GET", "/metrics", NULL, &text), 200);
    for (int k = 0; k < KIND_COUNT; k++)
        for (int c = 0; c < 2; c++) {
            snprintf(labels, sizeof labels, "{kind=\"%s\",status=\"%s\"}",
                     centres_kind_name((enum centre_kind)k), c ? "closed" : "active");
            centres += sample(text, "kkc_centres", labels);
        }
    ck_assert_double_eq(centres, (double)centres_count(w->centres));
    ck_assert_double_eq(sample(text, "kkc_road_graph_nodes", ""),
                        (double)graph_node_count(w->graph));
    ck_assert_double_eq(sample(text, "kkc_road_graph_edges", ""),
                        (double)graph_edge_count(w->graph));
    ck_assert_double_eq(sample(text, "kkc_data_loaded_timestamp_seconds", ""),
                        (double)w->loaded_at);
    snprintf(labels, sizeof labels, "{data_version=\"%s\"}", w->version);
    ck_assert_double_eq(sample(text, "kkc_data_info", labels), 1);
    ck_assert_double_ge(sample(text, "kkc_uptime_seconds", ""), 0);
    ck_assert_double_lt(sample(text, "kkc_uptime_seconds", ""), 600);
    free(text);
    world_put(&hu_fx_world, w);
}
END_TEST

Suite *metrics_suite(void); /* for the runner */

Suite *metrics_suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tu_tcase(s, "registry", 0);
    tcase_add_test(tc, test_threads_add_up);
    tcase_add_test(tc, test_buckets_and_overflow);
    tc = hu_fx_tcase(s, "http", 120);
    tcase_add_test(tc, test_counters_move);
    tcase_add_test(tc, test_gauges);
    return s;
}
