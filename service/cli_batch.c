/* service/cli_batch.c -- `kkc nearest --batch FILE`: a batch of incidents answered in process by
 * the same handler as POST /v1/nearest, read as a stream and printed as it comes (the JSON
 * document as is with --json, else a table of the results and the summary). */
#include "cli.h"
#include "routes.h"
#include "tctx.h"
#include "cli_call.h"

#include "api.h"
#include "api_batch.h"
#include "strbuf.h"
#include "world.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (64 * 1024)

/* Read the whole file (at most API_BATCH_BODY_MAX bytes) into b; 0 or -1 with a message. */
static int read_file(const char *path, struct strbuf *b)
{
    FILE *f = fopen(path, "rb");
    char buf[CHUNK];
    size_t n;
    if (!f) {
        fprintf(stderr, "kkc: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    while ((n = fread(buf, 1, sizeof buf, f)) > 0 && !strbuf_append(b, buf, n))
        ;
    fclose(f);
    if (b->failed) {
        fprintf(stderr, "kkc: %s is larger than a batch may be (%u bytes) or memory ran out\n",
                path, API_BATCH_BODY_MAX);
        return -1;
    }
    return 0;
}

/* The Content-Type for a file name: by extension, NULL (sniffed) when it says nothing. */
static const char *type_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot && strcmp(dot, ".csv") == 0)
        return "text/csv";
    if (dot && (strcmp(dot, ".geojson") == 0 || strcmp(dot, ".json") == 0))
        return "application/geo+json";
    return NULL;
}

static void print_stats(const char *what, json_t *st, double scale, const char *unit)
{
    if (!json_is_object(st))
        return;
    printf("%s: median %.1f %s, p90 %.1f %s, max %.1f %s\n", what,
           json_number_value(json_object_get(st, "median")) / scale, unit,
           json_number_value(json_object_get(st, "p90")) / scale, unit,
           json_number_value(json_object_get(st, "max")) / scale, unit);
}

static void print_summary(json_t *s)
{
    json_t *it;
    size_t i;
    printf("\n%lld incidents: %lld answered, %lld failed (by %s, k %lld)\n",
           (long long)json_integer_value(json_object_get(s, "incidents")),
           (long long)json_integer_value(json_object_get(s, "answered")),
           (long long)json_integer_value(json_object_get(s, "failed")),
           json_string_value(json_object_get(s, "by")),
           (long long)json_integer_value(json_object_get(s, "k")));
    print_stats("distance to the first centre", json_object_get(s, "distance_m"), 1, "m");
    print_stats("drive time from the first centre", json_object_get(s, "duration_s"), 60, "min");
    printf("load (incidents for which a centre is the first):\n");
    json_array_foreach(json_object_get(s, "load"), i, it)
    {
        json_t *c = json_object_get(it, "centre");
        printf("  %7lld %6.1f%%  %-16s %-9s  %s\n",
               (long long)json_integer_value(json_object_get(it, "incidents")),
               100 * json_number_value(json_object_get(it, "share")),
               json_string_value(json_object_get(c, "id")),
               json_string_value(json_object_get(c, "kind")),
               json_string_value(json_object_get(c, "name")));
    }
}

/* One NDJSON line: a row (its results, or its error) or the summary. */
static void print_line(const char *line, size_t len)
{
    json_t *v = json_loadb(line, len, 0, NULL), *it, *err = json_object_get(v, "error");
    const char *id = json_string_value(json_object_get(v, "id"));
    char idbuf[32];
    size_t i;
    if (!id) {
        snprintf(idbuf, sizeof idbuf, "#%lld",
                 (long long)json_integer_value(json_object_get(v, "row")));
        id = idbuf;
    }
    if (json_object_get(v, "summary"))
        print_summary(json_object_get(v, "summary"));
    else if (err)
        printf("%-16s error %s: %s\n", id, json_string_value(json_object_get(err, "code")),
               json_string_value(json_object_get(err, "message")));
    else
        json_array_foreach(json_object_get(v, "results"), i, it)
        {
            json_t *c = json_object_get(it, "centre"), *dur = json_object_get(it, "duration_s");
            char drive[32] = "-";
            if (dur)
                snprintf(drive, sizeof drive, "%.1f min", json_number_value(dur) / 60);
            printf("%-16s %-4lld %-16s %-9s %8.0f m %9s  %s\n", i ? "" : id,
                   (long long)json_integer_value(json_object_get(it, "rank")),
                   json_string_value(json_object_get(c, "id")),
                   json_string_value(json_object_get(c, "kind")),
                   json_number_value(json_object_get(it, "distance_m")), drive,
                   json_string_value(json_object_get(c, "name")));
        }
    json_decref(v);
}

/* Read the stream to its end: as is (json), or line by line into the table. 0 or -1. */
static int drain(struct api_res *res, int json)
{
    struct strbuf pending;
    char buf[CHUNK];
    long n;
    int rc = 0;
    strbuf_init(&pending, 64u << 20);
    if (!json)
        printf("%-16s %-4s %-16s %-9s %10s %9s  %s\n", "id", "rank", "centre", "kind", "distance",
               "drive", "name");
    while ((n = res->stream.read(res->stream.cls, buf, sizeof buf)) > 0) {
        char *nl;
        if (json) {
            fwrite(buf, 1, (size_t)n, stdout);
            continue;
        }
        if (strbuf_append(&pending, buf, (size_t)n)) {
            rc = -1;
            break;
        }
        while ((nl = memchr(pending.data, '\n', pending.len))) {
            print_line(pending.data, (size_t)(nl - pending.data));
            strbuf_consume(&pending, (size_t)(nl - pending.data) + 1);
        }
    }
    if (n < 0)
        rc = -1;
    strbuf_free(&pending);
    return rc;
}

int cli_batch(const char *db, const char *file, struct params *q, int json)
{
    struct strbuf body;
    struct cli_world cw;
    struct api_res res = {0};
    struct api_req r = {.method = "POST", .path = "/v1/nearest", .q = q};
    int rc = 1;

    strbuf_init(&body, API_BATCH_BODY_MAX);
    if (!json)
        params_add(q, "format", "ndjson");
    if (read_file(file, &body))
        goto out;
    if (cli_world_open(db, &cw))
        goto out;
    r.body = body.data ? body.data : "";
    r.body_len = body.len;
    r.content_type = type_of(file);
    cli_world_dispatch(&cw, &r, &res);
    if (res.stream.read) {
        rc = drain(&res, json) ? 1 : 0;
        if (rc)
            fprintf(stderr, "kkc: the batch was cut short (out of memory)\n");
        res.stream.free(res.stream.cls);
    } else {
        int failed = 0;
        json_decref(cli_answer(&res, &failed));
        free(res.body);
    }
    cli_world_close(&cw);
out:
    strbuf_free(&body);
    return rc;
}
