/* service/cli.c -- the `kkc` subcommands import and serve (queries: cli_query.c and cli_*.c).
 *
 * Commands that answer queries go through api_dispatch(), so the command line prints exactly
 * what the HTTP API answers (--json) or a table made from it. */
#include "cli.h"
#include "cli_call.h"
#include "routes.h"
#include "tctx.h"

#include "api.h"
#include "import/data_import.h"
#include "http.h"
#include "replica.h"
#include "road/import/osm_import.h"
#include "road/graph.h"
#include "road/road_ch.h"
#include "base/store.h"
#include "closures/closures.h"
#include "world.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_DB "data/kkc.sqlite"

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

/* Strict integer option; exits with a message on junk. */
static long opt_long(const char *name, const char *s, long min, long max)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < min || v > max) {
        fprintf(stderr, "kkc: %s must be an integer in [%ld, %ld], not '%s'\n", name, min, max, s);
        exit(2);
    }
    return v;
}

/* ---------------------------------------------------------------- import ------------------- */

static void print_report(void *ud, const char *file, long row, const char *reason)
{
    (void)ud;
    fprintf(stderr, "%s:%ld: %s\n", file, row, reason);
}

/* OSM reports: printed, and kept in the import_report table like the reference data's. */
static void osm_report(void *ud, const char *file, long row, const char *reason)
{
    print_report(NULL, file, row, reason);
    store_report_row(ud, file, row, reason);
}

/* The replaced database may have left a write-ahead log (admin writes run in WAL mode): SQLite
 * would apply its frames to the new file under the same name, so remove the old -wal and -shm.
 * Processes that still hold the old file keep their open handles to them. */
static void drop_stale_wal(const char *db)
{
    char path[4096];
    snprintf(path, sizeof path, "%s-wal", db);
    unlink(path);
    snprintf(path, sizeof path, "%s-shm", db);
    unlink(path);
}

/* Remove OUT.tmp.PID files (and OUT.tmp.PID.cch*) left by imports that were killed (PID no
 * longer running). */
static void drop_dead_temps(const char *out)
{
    char *dir = strdup(out), *slash, prefix[1024];
    const char *base;
    DIR *d;
    struct dirent *e;
    if (!dir)
        return;
    slash = strrchr(dir, '/');
    base = slash ? slash + 1 : out;
    if (slash)
        *slash = '\0';
    snprintf(prefix, sizeof prefix, "%s.tmp.", base);
    d = opendir(slash ? (*dir ? dir : "/") : ".");
    while (d && (e = readdir(d))) {
        char *end, path[4096];
        long pid;
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        pid = strtol(e->d_name + strlen(prefix), &end, 10);
        /* OUT.tmp.PID, and the hierarchy's OUT.tmp.PID.cch* written beside it */
        if (pid > 0 && (*end == '\0' || strncmp(end, ".cch", 4) == 0) &&
            kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
            snprintf(path, sizeof path, "%s/%s", slash ? (*dir ? dir : "") : ".", e->d_name);
            unlink(path);
        }
    }
    if (d)
        closedir(d);
    free(dir);
}

struct import_args {
    const char *data, *centres, *osm, *profile, *out;
    int centres_from_osm, no_data, no_hierarchy;
};

static const char import_help[] =
    "usage: kkc import [--data DIR | --no-data] [--centres FILE] [--osm FILE [--centres-from-osm]]\n"
    "                  [--profile FILE] [--no-hierarchy] [--out FILE]\n\n"
    "Build the SpatiaLite database. Reference data (boundaries, municipalities, the KHK IZS bases)\n"
    "comes from DIR (default $DATA_SRC or ../shared/data); --centres replaces the centre list with\n"
    "your own GeoJSON or CSV (header id,name,kind,lon,lat[,address,municipality,\n"
    "municipality_code,phone,email,www,hours,turnout_s,turnout_min]; kind is police, fire or\n"
    "ambulance; turnout_s is whole seconds 0..3600, empty: the kind's default). --osm adds a road\n"
    "network from an .osm.pbf, .osm or .osm.bz2 extract; --centres-from-osm also adds its\n"
    "amenity=police, amenity=fire_station and emergency=ambulance_station features.\n"
    "Rejected and suspicious rows are printed as file:row: reason. With a road network the import\n"
    "also builds its routing hierarchy and writes it beside the database (OUT.cch, OUT.cch.metric),\n"
    "so that `kkc serve` maps it at start; --no-hierarchy leaves that to the first serve. The\n"
    "database is written to a temporary file and renamed over --out (default data/kkc.sqlite),\n"
    "the hierarchy's files after it, only when the import succeeds.\n";

/* Run every import step into st. */
static enum kkc_code import_into(struct store *st, const struct import_args *a,
                                 struct kkc_err *err)
{
    struct data_import_opts dopt = {.data_src = a->no_data ? NULL : a->data,
                                    .centres_path = a->centres,
                                    .report = print_report};
    struct data_import_stats ds;
    struct osm_import_opts oopt = {.path = a->osm, .centres_from_osm = a->centres_from_osm,
                                   .profile_path = a->profile, .report = osm_report,
                                   .report_ud = st};
    struct osm_import_stats os = {0};
    char version[64];
    time_t now = time(NULL);
    enum kkc_code rc = store_exec(st, "BEGIN", err);

    if (!rc)
        rc = data_import(st, &dopt, &ds, err);
    if (!rc) {
        printf("reference data: %ld centres, %ld municipalities, %ld regions; %ld rows rejected, "
               "%ld warnings\n",
               ds.centres, ds.municipalities, ds.regions, ds.rejected, ds.warnings);
    }
    if (!rc && a->osm) {
        rc = osm_import(st, &oopt, &os, err);
        if (!rc)
            printf("road network: %ld nodes, %ld edges (%.0f km) from %ld ways; %ld OSM centres; "
                   "%ld reports; %.1f s\n",
                   os.road_nodes, os.road_edges, os.length_km, os.ways_kept, os.centres_added,
                   os.reports, os.elapsed_s);
        if (!rc && (os.ways_emergency_only || os.emergency_passages))
            printf("emergency access: %ld ways for emergency vehicles only, %ld barrier "
                   "passages (closed to cars)\n",
                   os.ways_emergency_only, os.emergency_passages);
    }
    if (!rc)
        rc = cli_import_search(st, a->osm, osm_report, err);
    strftime(version, sizeof version, "%Y%m%dT%H%M%SZ", gmtime(&now));
    if (!rc)
        rc = store_meta_set(st, "data_version", version, err);
    if (!rc)
        rc = store_meta_set(st, "data_src", a->no_data ? "" : a->data, err);
    if (!rc)
        rc = store_meta_set(st, "osm", a->osm ? a->osm : "", err);
    if (!rc)
        rc = store_exec(st, "COMMIT", err);
    return rc;
}

/* The hierarchy's files for the database being written at tmp (*cache = TMP.cch and
 * TMP.cch.metric), unless --no-hierarchy or there is no road network (*cache stays NULL). */
static enum kkc_code import_hierarchy(struct store *st, const struct import_args *a,
                                      const char *tmp, char **cache, struct kkc_err *err)
{
    struct road_ch_prepare_stats hs;
    enum kkc_code rc;
    if (a->no_hierarchy || !a->osm)
        return KKC_OK;
    if (asprintf(cache, "%s.cch", tmp) < 0) {
        *cache = NULL;
        return kkc_err_set(err, KKC_ENOMEM, "out of memory");
    }
    rc = road_ch_prepare(st, *cache, &hs, err);
    if (rc == KKC_ENOTFOUND) { /* no road edges: nothing to route on */
        road_ch_files_move(*cache, NULL, NULL);
        free(*cache);
        *cache = NULL;
        return KKC_OK;
    }
    if (!rc)
        printf("road hierarchy: %u routing nodes, %llu arcs; order and contraction %.1f s, "
               "customization %.1f s\n",
               hs.nodes, (unsigned long long)hs.arcs, hs.build_s, hs.custom_s);
    return rc;
}

/* Rename the database tmp over out, then the hierarchy's files beside it (a failure there only
 * leaves them to the first serve); on failure (rc) remove tmp and the hierarchy's files. */
static enum kkc_code import_commit(enum kkc_code rc, const char *tmp, const char *cache,
                                   const char *out, struct kkc_err *err)
{
    struct kkc_err e = {0};
    char *final = NULL;
    if (!rc && rename(tmp, out) != 0)
        rc = kkc_err_set(err, KKC_EIO, "rename %s to %s: %s", tmp, out, strerror(errno));
    if (!rc)
        drop_stale_wal(out);
    if (!rc && cache &&
        (asprintf(&final, "%s.cch", out) < 0 || road_ch_files_move(cache, final, &e))) {
        fprintf(stderr, "kkc import: %s; kkc serve will build the hierarchy\n",
                e.msg[0] ? e.msg : "out of memory");
        road_ch_files_move(cache, NULL, NULL);
    }
    if (rc) {
        unlink(tmp);
        if (cache)
            road_ch_files_move(cache, NULL, NULL);
    }
    free(final);
    return rc;
}

int cli_import(int argc, char **argv)
{
    static const struct option longs[] = {
        {"data", required_argument, 0, 'd'},      {"no-data", no_argument, 0, 'N'},
        {"centres", required_argument, 0, 'c'},   {"osm", required_argument, 0, 'o'},
        {"centres-from-osm", no_argument, 0, 'C'}, {"profile", required_argument, 0, 'p'},
        {"out", required_argument, 0, 'O'},       {"help", no_argument, 0, 'h'},
        {"no-hierarchy", no_argument, 0, 'H'},    {0, 0, 0, 0}};
    struct import_args a = {.data = env_or("DATA_SRC", "../shared/data"),
                            .out = env_or("KKC_DB", DEFAULT_DB)};
    struct kkc_err err = {0};
    struct store *st = NULL;
    char *tmp = NULL, *cache = NULL;
    int c;
    enum kkc_code rc;

    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (c) {
        case 'd': a.data = optarg; break;
        case 'N': a.no_data = 1; break;
        case 'c': a.centres = optarg; break;
        case 'o':
            if (a.osm) {
                fprintf(stderr, "kkc import: give --osm once (one road network per database)\n");
                return 2;
            }
            a.osm = optarg;
            break;
        case 'C': a.centres_from_osm = 1; break;
        case 'p': a.profile = optarg; break;
        case 'O': a.out = optarg; break;
        case 'H': a.no_hierarchy = 1; break;
        case 'h': fputs(import_help, stdout); return 0;
        default: fputs(import_help, stderr); return 2;
        }
    }
    if (optind != argc || (a.centres_from_osm && !a.osm)) {
        fputs(import_help, stderr);
        return 2;
    }
    if (asprintf(&tmp, "%s.tmp.%ld", a.out, (long)getpid()) < 0)
        return 1;
    drop_dead_temps(a.out);
    unlink(tmp);
    rc = store_open(tmp, STORE_CREATE, &st, &err);
    if (!rc)
        rc = import_into(st, &a, &err);
    if (!rc && access(a.out, F_OK) == 0) /* road closures survive a re-import */
        rc = closures_carry_over(st, a.out, osm_report, st, &err);
    if (!rc)
        rc = import_hierarchy(st, &a, tmp, &cache, &err);
    store_close(st);
    rc = import_commit(rc, tmp, cache, a.out, &err);
    if (rc) {
        fprintf(stderr, "kkc import: %s\nkkc import: failed; %s is unchanged\n", err.msg, a.out);
    } else {
        printf("wrote %s\n", a.out);
    }
    free(tmp), free(cache);
    return rc ? 1 : 0;
}

/* ---------------------------------------------------------------- serve -------------------- */

static const char serve_help[] =
    "usage: kkc serve [--db FILE] [--host ADDR] [--port N] [--threads N] [--max-connections N]\n"
    "                 [--timeout S] [--max-body BYTES] [--access-log FILE|-|none] [--web-dir DIR]\n"
    "                 [--leaflet-dir DIR] [--openapi FILE] [--port-file FILE] [--heavy-queue N]\n"
    "                 [--admin-token-file FILE] [--body-deadline S] [--heavy-threads N]\n"
    "                 [--state postgresql://...]\n\n"
    "Serve the JSON HTTP API (and the web map at /) from the database. Every option can also be\n"
    "set in the environment; an option given on the command line wins.\n"
    "  --db FILE               KKC_DB               database (data/kkc.sqlite)\n"
    "  --host ADDR             KKC_HOST             IPv4/IPv6 address to bind (127.0.0.1)\n"
    "  --port N                KKC_PORT             port (8080; 0 = any free port)\n"
    "  --threads N             KKC_THREADS          worker threads (the number of cores)\n"
    "  --max-connections N     KKC_MAX_CONNECTIONS  open connections at once (1024)\n"
    "  --timeout S             KKC_TIMEOUT          idle connection timeout (s, 10), also the\n"
    "                                               deadline for a request's headers\n"
    "  --body-deadline S       KKC_BODY_DEADLINE    deadline for a whole request, body included,\n"
    "                                               however it trickles (120)\n"
    "  --heavy-threads N       KKC_HEAVY_THREADS    threads for the expensive requests (workers/2)\n"
    "  --heavy-queue N         KKC_HEAVY_QUEUE      such requests waiting at most; more: 429 (32)\n"
    "  --max-body BYTES        KKC_MAX_BODY         request body limit (1048576; POST /v1/nearest\n"
    "                                               batches may be up to 64 MiB)\n"
    "  --access-log FILE       KKC_ACCESS_LOG       one line per request; - = stderr (-), none\n"
    "  --web-dir DIR           KKC_WEB_DIR          the web map's files (service/web)\n"
    "  --leaflet-dir DIR       KKC_LEAFLET_DIR      Leaflet (/usr/share/javascript/leaflet)\n"
    "  --openapi FILE          KKC_OPENAPI          served at /v1/openapi.json (openapi.json\n"
    "                                               beside the web directory)\n"
    "  --port-file FILE        KKC_PORT_FILE        write the bound port there once listening\n"
    "  --admin-token-file FILE KKC_ADMIN_TOKEN_FILE enables the admin writes (below)\n"
    "  --state URL             KKC_STATE            shared live state in PostgreSQL (replicas;\n"
    "                                               default: none, the state is in --db)\n\n"
    "Signals: SIGHUP reloads the database without downtime (a failed reload keeps the old data), and so\n"
    "does the start or end of a road closure;\n"
    "SIGTERM or SIGINT stop after the requests in flight. With an admin token file (one line, at\n"
    "least 16 characters) POST /v1/centres, PUT and DELETE /v1/centres/{id} accept\n"
    "`Authorization: Bearer TOKEN`; without it there are no write routes. GET /metrics answers\n"
    "Prometheus metrics; GET /v1/openapi.json describes the API.\n";

/* Wait for signals: HUP reloads, TERM/INT return. */
static void serve_loop(const char *db, struct world_holder *worlds)
{
    sigset_t set;
    int sig;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    for (;;) {
        /* Wake up every second: when a road closure of the current world (an admin write may
         * have swapped it meanwhile) has started or ended, apply the closures again. */
        struct timespec ts = {1, 0};
        sig = sigtimedwait(&set, NULL, &ts);
        if (sig < 0 && errno != EAGAIN && errno != EINTR)
            return;
        if (sig < 0) {
            struct world *cur = world_get(worlds);
            long long next = cur ? cur->closures.next_change : 0;
            world_put(worlds, cur);
            if (!next || (long long)time(NULL) < next)
                continue;
            struct kkc_err err = {0}; /* the closures only: derive, as a closure write does */
            pthread_mutex_lock(&worlds->write_mu);
            if (world_apply_change(worlds, WORLD_CHANGE_CLOSURES, &err) != KKC_OK)
                fprintf(stderr, "kkc serve: closures not re-applied: %s\n", err.msg);
            pthread_mutex_unlock(&worlds->write_mu);
            continue;
        }
        if (sig != SIGHUP)
            return;
        struct kkc_err err = {0};
        char version[64];
        if (world_reload(worlds, db, version, &err) == KKC_OK) {
            fprintf(stderr, "kkc serve: reloaded %s (data version %s)\n", db, version);
        } else {
            fprintf(stderr, "kkc serve: reload failed, keeping the old data: %s\n", err.msg);
        }
    }
}

struct serve_args {
    const char *db, *host, *log, *web, *leaflet, *openapi, *port_file, *token_file, *state;
    char *openapi_doc; /* the file's content, malloc'd */
    char token[256];
    struct http_opts http;
};

/* Read the admin token into a->token; 0 on success. The rule: the file's first line, without
 * the blanks around it, 16 to 255 printable characters and no blank or control character
 * inside; anything else is refused with a message (never cut silently). */
static int read_token(struct serve_args *a)
{
    FILE *f = fopen(a->token_file, "r");
    char line[1024], *p;
    size_t n;
    if (!f || !fgets(line, sizeof line, f)) {
        fprintf(stderr, "kkc serve: cannot read the admin token file %s\n", a->token_file);
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    for (p = line; *p == ' ' || *p == '\t'; p++)
        ;
    for (n = strlen(p); n && (p[n - 1] == ' ' || p[n - 1] == '\t'); n--)
        p[n - 1] = '\0';
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] <= ' ' || p[i] == 0x7f) {
            fprintf(stderr, "kkc serve: the admin token in %s has a blank or control character "
                            "at position %zu; a token is one word\n", a->token_file, i + 1);
            return -1;
        }
    if (n < 16 || n >= sizeof a->token) {
        fprintf(stderr, "kkc serve: the admin token must be 16 to %zu characters (it has %zu%s)\n",
                sizeof a->token - 1, n, n >= sizeof line - 2 ? " or more" : "");
        return -1;
    }
    memcpy(a->token, p, n + 1);
    a->http.admin_token = a->token;
    return 0;
}

/* The defaults, from the environment where set. */
static void serve_env(struct serve_args *a)
{
    const char *v;
    a->db = env_or("KKC_DB", DEFAULT_DB);
    a->host = env_or("KKC_HOST", "127.0.0.1");
    a->http.port = (int)opt_long("KKC_PORT", env_or("KKC_PORT", "8080"), 0, 65535);
    if ((v = env_or("KKC_THREADS", NULL)))
        a->http.threads = (int)opt_long("KKC_THREADS", v, 1, 256);
    if ((v = env_or("KKC_MAX_CONNECTIONS", NULL)))
        a->http.max_connections = (int)opt_long("KKC_MAX_CONNECTIONS", v, 1, 100000);
    if ((v = env_or("KKC_TIMEOUT", NULL)))
        a->http.timeout_s = (int)opt_long("KKC_TIMEOUT", v, 1, 3600);
    if ((v = env_or("KKC_BODY_DEADLINE", NULL)))
        a->http.body_deadline_s = (int)opt_long("KKC_BODY_DEADLINE", v, 1, 86400);
    if ((v = env_or("KKC_HEAVY_THREADS", NULL)))
        a->http.heavy_threads = (int)opt_long("KKC_HEAVY_THREADS", v, 1, 256);
    if ((v = env_or("KKC_HEAVY_QUEUE", NULL)))
        a->http.heavy_queue = (int)opt_long("KKC_HEAVY_QUEUE", v, 1, 100000);
    if ((v = env_or("KKC_MAX_BODY", NULL)))
        a->http.max_body = (size_t)opt_long("KKC_MAX_BODY", v, 1024, 1L << 30);
    a->log = env_or("KKC_ACCESS_LOG", "-");
    a->web = env_or("KKC_WEB_DIR", "service/web");
    a->leaflet = env_or("KKC_LEAFLET_DIR", "/usr/share/javascript/leaflet");
    a->openapi = env_or("KKC_OPENAPI", NULL);
    a->port_file = env_or("KKC_PORT_FILE", NULL);
    a->token_file = env_or("KKC_ADMIN_TOKEN_FILE", NULL);
    a->state = env_or("KKC_STATE", NULL);
}

static int serve_parse(int argc, char **argv, struct serve_args *a)
{
    static const struct option longs[] = {
        {"db", required_argument, 0, 'd'},         {"host", required_argument, 0, 'H'},
        {"port", required_argument, 0, 'p'},       {"threads", required_argument, 0, 't'},
        {"max-connections", required_argument, 0, 'm'},
        {"timeout", required_argument, 0, 'T'},    {"access-log", required_argument, 0, 'l'},
        {"web-dir", required_argument, 0, 'w'},    {"port-file", required_argument, 0, 'P'},
        {"admin-token-file", required_argument, 0, 'A'},
        {"max-body", required_argument, 0, 'B'},   {"leaflet-dir", required_argument, 0, 'L'},
        {"openapi", required_argument, 0, 'O'},   {"body-deadline", required_argument, 0, 'D'},
        {"heavy-threads", required_argument, 0, 'x'}, {"heavy-queue", required_argument, 0, 'q'},
        {"state", required_argument, 0, 'S'},      {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int c;
    serve_env(a);
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (c) {
        case 'd': a->db = optarg; break;
        case 'H': a->host = optarg; break;
        case 'p': a->http.port = (int)opt_long("--port", optarg, 0, 65535); break;
        case 't': a->http.threads = (int)opt_long("--threads", optarg, 1, 256); break;
        case 'm': a->http.max_connections = (int)opt_long("--max-connections", optarg, 1, 100000);
            break;
        case 'T': a->http.timeout_s = (int)opt_long("--timeout", optarg, 1, 3600); break;
        case 'B': a->http.max_body = (size_t)opt_long("--max-body", optarg, 1024, 1L << 30);
            break;
        case 'D': a->http.body_deadline_s = (int)opt_long("--body-deadline", optarg, 1, 86400);
            break;
        case 'x': a->http.heavy_threads = (int)opt_long("--heavy-threads", optarg, 1, 256); break;
        case 'q': a->http.heavy_queue = (int)opt_long("--heavy-queue", optarg, 1, 100000); break;
        case 'l': a->log = optarg; break;
        case 'w': a->web = optarg; break;
        case 'L': a->leaflet = optarg; break;
        case 'O': a->openapi = optarg; break;
        case 'P': a->port_file = optarg; break;
        case 'A': a->token_file = optarg; break;
        case 'S': a->state = optarg; break;
        case 'h': fputs(serve_help, stdout); exit(0);
        default: fputs(serve_help, stderr); return 2;
        }
    }
    int workers = a->http.threads > 0 ? a->http.threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    world_set_connections(1 + workers + (a->http.heavy_threads > 0 ? a->http.heavy_threads
                                                                   : (workers + 1) / 2));
    return optind == argc ? 0 : 2;
}

/* Read the OpenAPI description: --openapi, else openapi.json beside the web directory (a
 * missing default only warns: /v1/openapi.json then answers 404). 0 on success. */
static int read_openapi(struct serve_args *a)
{
    char *dir = strdup(a->web), *path = NULL;
    const char *p = a->openapi;
    json_t *doc;
    json_error_t je;
    if (!p && dir && asprintf(&path, "%s/openapi.json", dirname(dir)) > 0)
        p = path;
    doc = p ? json_load_file(p, 0, &je) : NULL;
    if (doc)
        a->openapi_doc = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    else if (p)
        fprintf(stderr, "kkc serve: %s %s (%s)%s\n",
                a->openapi ? "cannot read the OpenAPI description" : "no OpenAPI description at",
                p, je.text, a->openapi ? "" : "; /v1/openapi.json will answer 404");
    json_decref(doc);
    free(dir);
    free(path);
    return a->openapi && !a->openapi_doc ? -1 : 0;
}

/* Block SIGHUP, SIGTERM and SIGINT (serve_loop() waits for them) and ignore SIGPIPE. */
static void block_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* The port the server listens on into path (--port-file; NULL: none). */
static void write_port_file(const char *path, int port)
{
    FILE *pf = path ? fopen(path, "w") : NULL;
    if (pf) {
        fprintf(pf, "%d\n", port);
        fclose(pf);
    }
}

/* The shared state mirrored into the file first (--state: caught up), then the world. */
static int serve_load(struct serve_args *a, struct world **out)
{
    struct kkc_err err = {0};
    struct world *w;
    if ((a->state && *a->state && replica_open(a->state, a->db, &a->http.replica, &err)) ||
        world_load_deferred(a->db, out, &err)) {
        fprintf(stderr, "kkc serve: %s\n", err.msg);
        replica_close(a->http.replica);
        return -1;
    }
    w = *out;
    if (w->graph && w->graph->ch)
        fprintf(stderr, "kkc serve: road hierarchy %s in %.1f s, costs %s in %.1f s%s%s\n",
                w->graph->ch->from_cache ? "mapped from cache" : "built", w->graph->ch->build_s,
                w->graph->ch->metric_from_cache == 1   ? "mapped from cache"
                : w->graph->ch->metric_from_cache == 2 ? "updated from cache"
                                                       : "customized",
                w->graph->ch->custom_s, w->graph->ch->cache_note[0] ? "; cache: " : "",
                w->graph->ch->cache_note);
    return 0;
}

int cli_serve(int argc, char **argv)
{
    struct serve_args a = {0};
    struct kkc_err err = {0};
    struct world *w = NULL;
    struct world_holder worlds;
    struct http_server *srv = NULL;
    FILE *log = NULL;

    if (serve_parse(argc, argv, &a))
        return 2;
    if (a.token_file && read_token(&a))
        return 1;
    if (read_openapi(&a))
        return 1;
    if (strcmp(a.log, "-") == 0)
        log = stderr;
    else if (strcmp(a.log, "none") != 0 && !(log = fopen(a.log, "a"))) {
        fprintf(stderr, "kkc serve: cannot open access log %s: %s\n", a.log, strerror(errno));
        return 1;
    }
    if (serve_load(&a, &w)) {
        free(a.openapi_doc);
        return 1;
    }
    world_holder_init(&worlds, w);
    block_signals(); /* before MHD starts its threads, so only sigwait sees them */
    world_labels_later(&worlds); /* serving meanwhile: nearest by time answers by search */
    a.http.host = a.host;
    a.http.access_log = log;
    a.http.web_dir = a.web;
    a.http.leaflet_dir = a.leaflet;
    a.http.openapi = a.openapi_doc;
    if (http_start(&a.http, &worlds, &srv, &err) ||
        (a.http.replica && replica_start(a.http.replica, &worlds, &err))) {
        fprintf(stderr, "kkc serve: %s\n", err.msg);
        http_stop(srv);
        replica_close(a.http.replica);
        world_holder_done(&worlds);
        free(a.openapi_doc);
        return 1;
    }
    if (log)
        setvbuf(log, NULL, _IOLBF, 0);
    fprintf(stderr, "kkc serve: http://%s:%d/ (%s, data version %s)\n", a.host, http_port(srv),
            a.db, w->version);
    write_port_file(a.port_file, http_port(srv));
    serve_loop(a.db, &worlds);
    fprintf(stderr, "kkc serve: stopping\n");
    http_stop(srv);
    replica_close(a.http.replica); /* before the worlds it swaps */
    world_holder_done(&worlds);
    if (log && log != stderr)
        fclose(log);
    free(a.openapi_doc);
    return 0;
}

void cli_put_col(const char *s, int width)
{
    int n = 0;
    s = s ? s : "";
    for (; *s && n < width; n++) {
        putchar(*s++);
        while ((*s & 0xC0) == 0x80)
            putchar(*s++);
    }
    for (; n < width; n++)
        putchar(' ');
}
