/* tests/state/test_state.c -- the PostgreSQL state backend (geo/state/) against oracles it did
 * not produce: SQL run here on PostgreSQL (libpq) and on the SpatiaLite files, the embedded
 * backend (centres_write) on a copy of the same file, and hand values.
 *
 * A throw-away PostgreSQL cluster (Debian's postgresql-15: initdb + pg_ctl) in a temporary
 * directory, on 127.0.0.1 and a free port, started once for the suite and stopped after it.
 * Each test uses its own database in it, and copies of KKC_DB as the servers' files. */
#include "base/store.h"
#include "centres/centres_write.h"
#include "closures/closures.h"
#include "state/state.h"
#include "testutil.h"

#include <check.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PGBIN "/usr/lib/postgresql/15/bin"

static char *pg_dir;
static int pg_port;
static int pg_ok;

static int free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* The user PostgreSQL runs as: postgres when we are root (it refuses root). */
static const char *as_user(void)
{
    return getuid() == 0 ? "runuser -u postgres -- " : "";
}

static void pg_start(void)
{
    char *cmd = NULL;
    pg_dir = tu_tmpdir();
    pg_port = free_port();
    if (!pg_dir || !pg_port || access(PGBIN "/initdb", X_OK) != 0)
        return;
    if (asprintf(&cmd, "chmod 777 %s && %s" PGBIN "/initdb -D %s/pg -U postgres -A trust "
                 "--no-sync >/dev/null 2>&1 && %s" PGBIN "/pg_ctl -D %s/pg -l %s/pg.log -w -t 60 "
                 "-o '-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off' start >/dev/null",
                 pg_dir, as_user(), pg_dir, as_user(), pg_dir, pg_dir, pg_port, pg_dir) > 0)
        pg_ok = system(cmd) == 0;
    free(cmd);
}

static void pg_stop(void)
{
    char *cmd = NULL;
    if (pg_ok && asprintf(&cmd, "%s" PGBIN "/pg_ctl -D %s/pg -m immediate -w stop >/dev/null "
                          "2>&1; rm -rf %s", as_user(), pg_dir, pg_dir) > 0 && system(cmd) != 0)
        fprintf(stderr, "test_state: stopping the cluster in %s failed\n", pg_dir);
    free(cmd);
    free(pg_dir);
}

/* A new database NAME in the cluster; its URL into url. */
static void new_db(const char *name, char *url, size_t cap)
{
    char conninfo[128], sql[128];
    ck_assert_msg(pg_ok, "no PostgreSQL cluster (postgresql-15 from scripts/setup --test)");
    snprintf(conninfo, sizeof conninfo, "host=127.0.0.1 port=%d user=postgres dbname=postgres",
             pg_port);
    PGconn *c = PQconnectdb(conninfo);
    ck_assert_int_eq(PQstatus(c), CONNECTION_OK);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    PGresult *r = PQexec(c, sql);
    ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s", PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    snprintf(url, cap, "postgresql://postgres@127.0.0.1:%d/%s", pg_port, name);
}

/* One text value of sql on the database at url (malloc'd; NULL for SQL NULL or no row). */
static char *pg_value(const char *url, const char *sql)
{
    PGconn *c = PQconnectdb(url);
    PGresult *r = PQexec(c, sql);
    char *v = NULL;
    ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(c));
    if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
        v = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    PQfinish(c);
    return v;
}

/* One text value of sql on the SpatiaLite file (malloc'd; NULL for NULL or no row). */
static char *lite_value(const char *path, const char *sql)
{
    struct store *st = NULL;
    sqlite3_stmt *s = NULL;
    char *v = NULL;
    ck_assert_int_eq(store_open(path, STORE_READONLY, &st, NULL), KKC_OK);
    ck_assert_int_eq(store_prepare(st, sql, &s, NULL), KKC_OK);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        v = strdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    store_close(st);
    return v;
}

/* A copy of KKC_DB (the servers' static data) at a new path; caller frees. */
static char *db_copy(void)
{
    char *path = tu_tmpfile("kkc.sqlite"), *cmd = NULL;
    ck_assert_ptr_nonnull(path);
    ck_assert_int_gt(asprintf(&cmd, "cp '%s' '%s'", tu_db(), path), 0);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    return path;
}

/* Remove a db_copy() and its directory; frees path. */
static void db_drop(char *path)
{
    char *cmd = NULL;
    if (asprintf(&cmd, "rm -rf \"$(dirname '%s')\"", path) > 0 && system(cmd) != 0)
        fprintf(stderr, "test_state: cannot remove %s\n", path);
    free(cmd);
    free(path);
}

static void data_version_of(const char *path, char *buf, size_t cap)
{
    char *v = lite_value(path, "SELECT value FROM meta WHERE key = 'data_version'");
    ck_assert_ptr_nonnull(v);
    snprintf(buf, cap, "%s", v);
    free(v);
}

static void assert_str(char *got, const char *want)
{
    ck_assert_msg(got && strcmp(got, want) == 0, "'%s', expected '%s'", got ? got : "NULL", want);
    free(got);
}

/* A state over url for the file at path, opened (must reach) and its mirror synced. */
static struct kkc_state *open_synced(const char *url, const char *path, struct store **st)
{
    struct kkc_state *s = NULL;
    struct kkc_err err = {0};
    char version[64];
    int changed;
    data_version_of(path, version, sizeof version);
    ck_assert_msg(state_open(url, version, 1, &s, &err) == KKC_OK, "%s", err.msg);
    ck_assert_int_eq(store_open(path, STORE_READWRITE, st, &err), KKC_OK);
    ck_assert_msg(state_sync(s, *st, &changed, &err) == KKC_OK, "%s", err.msg);
    return s;
}

START_TEST(schema_and_data_version)
{
    char url[160];
    struct kkc_state *s = NULL;
    struct kkc_err err = {0};
    new_db("t_schema", url, sizeof url);
    ck_assert_int_eq(state_open(url, "v-one", 1, &s, &err), KKC_OK);
    state_close(s);
    assert_str(pg_value(url, "SELECT data_version || ' ' || version FROM kkc_state_meta"),
               "v-one 0");
    /* a second server on other static data is refused, naming both versions */
    ck_assert_int_eq(state_open(url, "v-two", 1, &s, &err), KKC_ECONFLICT);
    ck_assert_ptr_nonnull(strstr(err.msg, "v-one"));
    ck_assert_ptr_nonnull(strstr(err.msg, "v-two"));
    /* the same data again: accepted, the schema created once */
    ck_assert_int_eq(state_open(url, "v-one", 1, &s, &err), KKC_OK);
    state_close(s);
    assert_str(pg_value(url, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'kkc\\_%'"), "5");
}
END_TEST

START_TEST(unreachable)
{
    struct kkc_state *s = NULL;
    struct kkc_err err = {0};
    struct state_status ss;
    char url[128];
    snprintf(url, sizeof url, "postgresql://postgres@127.0.0.1:%d/postgres", free_port());
    ck_assert_int_eq(state_open(url, "v", 1, &s, &err), KKC_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "cannot be reached"));
    ck_assert_int_eq(state_open("postgresql://h/db?bogus=1", "v", 0, &s, &err), KKC_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "not a PostgreSQL connection string"));
    ck_assert_int_eq(state_open(url, "v", 0, &s, &err), KKC_OK); /* a server starts anyway */
    state_status(s, &ss);
    ck_assert_int_eq(ss.reachable, 0);
    ck_assert_int_eq(ss.shared_version, -1);
    struct centre_rec c = {.id = "X1", .name = "x", .kind = "police", .lon = 15, .lat = 50};
    ck_assert_int_eq(state_centres_write(s, NULL, CENTRES_CREATE, &c, 0, &err), KKC_EIO);
    state_close(s);
}
END_TEST

/* A centre closed through one server: the row, the version and the audit in PostgreSQL; the
 * other server's file mirrors the row exactly as the embedded backend writes it. */
START_TEST(centre_write_mirrored)
{
    char url[160], *a = db_copy(), *b = db_copy(), *e = db_copy();
    struct store *sa = NULL, *sb = NULL, *se = NULL;
    struct kkc_err err = {0};
    struct centre_rec old, c;
    char upd[64];
    int changed;
    new_db("t_centres", url, sizeof url);
    struct kkc_state *s1 = open_synced(url, a, &sa), *s2 = open_synced(url, b, &sb);
    char *id = lite_value(a, "SELECT id FROM centres ORDER BY id LIMIT 1");
    ck_assert_int_eq(centres_row(sa, id, &old, upd, sizeof upd), 1);
    c = old;
    c.status = "closed";
    ck_assert_msg(state_centres_write(s1, sa, CENTRES_UPDATE, &c, 0, &err) == KKC_OK, "%s",
                  err.msg);
    assert_str(pg_value(url, "SELECT version FROM kkc_state_meta"), "1");
    assert_str(pg_value(url, "SELECT status || ' ' || version FROM kkc_centres"), "closed 1");
    assert_str(pg_value(url, "SELECT action || ' ' || (before::json->>'status') || ' ' || "
                             "(after::json->>'status') FROM kkc_audit"), "update active closed");
    ck_assert_msg(state_sync(s2, sb, &changed, &err) == KKC_OK, "%s", err.msg);
    ck_assert_int_eq(changed, 1);
    ck_assert_int_eq(state_sync(s2, sb, &changed, &err), KKC_OK);
    ck_assert_int_eq(changed, 0); /* nothing new the second time */
    /* the embedded backend on a third copy: the same row, coordinates and all */
    ck_assert_int_eq(store_open(e, STORE_READWRITE, &se, &err), KKC_OK);
    ck_assert_int_eq(centres_write(se, CENTRES_UPDATE, &c, 0, &err), KKC_OK);
    static const char row[] = "SELECT id || name || kind || status || coalesce(address, '') || "
                              "source || X(geom) || ' ' || Y(geom) FROM centres WHERE status = "
                              "'closed'";
    char *want = lite_value(e, row);
    ck_assert_ptr_nonnull(want);
    assert_str(lite_value(b, row), want);
    assert_str(lite_value(a, row), want);
    assert_str(lite_value(b, "SELECT value FROM meta WHERE key = 'state_version'"), "1");
    free(want);
    want = lite_value(e, "SELECT count(*) FROM audit WHERE action = 'update'");
    assert_str(lite_value(b, "SELECT count(*) FROM audit WHERE action = 'update'"), want);
    free(want);
    /* the same validation as the embedded backend: the same code and message */
    struct kkc_err e1 = {0}, e2 = {0};
    c.kind = "boat";
    ck_assert_int_eq(state_centres_write(s1, sa, CENTRES_UPDATE, &c, 0, &e1), KKC_EINVAL);
    ck_assert_int_eq(centres_write(se, CENTRES_UPDATE, &c, 0, &e2), KKC_EINVAL);
    ck_assert_str_eq(e1.msg, e2.msg);
    c = old;
    c.id = "NO-SUCH-CENTRE";
    ck_assert_int_eq(state_centres_write(s1, sa, CENTRES_UPDATE, &c, 0, &e1), KKC_ENOTFOUND);
    ck_assert_int_eq(centres_write(se, CENTRES_UPDATE, &c, 0, &e2), KKC_ENOTFOUND);
    ck_assert_str_eq(e1.msg, e2.msg);
    assert_str(pg_value(url, "SELECT version FROM kkc_state_meta"), "1"); /* refused: no version */
    centres_rec_free(&old);
    free(id);
    store_close(sa), store_close(sb), store_close(se);
    state_close(s1), state_close(s2);
    db_drop(a), db_drop(b), db_drop(e);
}
END_TEST

static void bridge(struct closure *c, int64_t way, const char *reason)
{
    static int64_t ways[2];
    memset(c, 0, sizeof *c);
    ways[way == 24271761 ? 0 : 1] = way;
    c->ways = &ways[way == 24271761 ? 0 : 1];
    c->nways = 1;
    c->reason = (char *)reason;
    c->valid_from = 1700000000;
}

#define CLOSURE_ROWS                                                                             \
    "SELECT group_concat(id || '|' || factor || '|' || direction || '|' || ways || '|' || "     \
    "reason || '|' || source || '|' || valid_from || '|' || valid_until || '|' || created, ';') " \
    "FROM (SELECT * FROM closures ORDER BY id)"
#define CHANGE_ROWS                                                                              \
    "SELECT group_concat(version || '|' || action || '|' || closure_id || '|' || ways, ';') "     \
    "FROM (SELECT * FROM closure_changes ORDER BY version)"

/* Closures written through two servers: versions, the change log, both mirrors the same. */
START_TEST(closures_shared)
{
    char url[160], *a = db_copy(), *b = db_copy();
    struct store *sa = NULL, *sb = NULL;
    struct kkc_err err = {0};
    struct closure cs[2];
    int64_t version = 0;
    int changed;
    new_db("t_closures", url, sizeof url);
    struct kkc_state *s1 = open_synced(url, a, &sa), *s2 = open_synced(url, b, &sb);
    bridge(&cs[0], 24271761, "most");
    bridge(&cs[1], 24808949, "most 2");
    ck_assert_msg(state_closures_write(s1, sa, CLOSURES_ADD, cs, 2, 1700000100, &version,
                                       &err) == KKC_OK, "%s", err.msg);
    ck_assert_int_eq(version, 2); /* one version per closure */
    ck_assert_int_gt(cs[0].id, 0);
    ck_assert_int_eq(cs[1].id, cs[0].id + 1);
    assert_str(pg_value(url, "SELECT string_agg(version || action, ',' ORDER BY version) FROM "
                             "kkc_closure_changes"), "1add,2add");
    ck_assert_int_eq(state_sync(s2, sb, &changed, &err), KKC_OK);
    char *rows = lite_value(a, CLOSURE_ROWS);
    ck_assert_ptr_nonnull(rows);
    assert_str(lite_value(b, CLOSURE_ROWS), rows);
    free(rows);
    /* removed through the other server */
    struct closure rm = {.id = cs[0].id};
    ck_assert_int_eq(state_closures_write(s2, sb, CLOSURES_REMOVE, &rm, 1, 1700000200, &version,
                                          &err), KKC_OK);
    ck_assert_int_eq(version, 3);
    ck_assert_int_eq(state_sync(s1, sa, &changed, &err), KKC_OK);
    assert_str(lite_value(a, "SELECT count(*) FROM closures"), "1");
    rows = lite_value(b, CHANGE_ROWS);
    ck_assert_ptr_nonnull(strstr(rows, "3|remove|"));
    assert_str(lite_value(a, CHANGE_ROWS), rows);
    free(rows);
    rm.id = 999999;
    ck_assert_int_eq(state_closures_write(s1, sa, CLOSURES_REMOVE, &rm, 1, 1700000300, &version,
                                          &err), KKC_ENOTFOUND);
    assert_str(pg_value(url, "SELECT version FROM kkc_state_meta"), "3");
    store_close(sa), store_close(sb);
    state_close(s1), state_close(s2);
    db_drop(a), db_drop(b);
}
END_TEST

/* The refusals of the embedded store, messages and all, and nothing written; the mirror of
 * one shared state refused by another. */
START_TEST(closures_refused)
{
    char url[160], other[160], *a = db_copy(), *e = db_copy(), version_s[64];
    struct store *sa = NULL, *se = NULL;
    struct kkc_err err = {0}, e2 = {0};
    struct closure bad[2];
    struct kkc_state *s3 = NULL;
    int64_t version = 0, nowhere = 1;
    int changed;
    new_db("t_refused", url, sizeof url);
    struct kkc_state *s1 = open_synced(url, a, &sa);
    ck_assert_int_eq(store_open(e, STORE_READWRITE, &se, &err), KKC_OK);
    bridge(&bad[0], 24271761, "ok");
    bridge(&bad[1], 24808949, "ok");
    bad[1].ways = &nowhere;
    ck_assert_int_eq(state_closures_write(s1, sa, CLOSURES_ADD, bad, 2, 1700000400, &version,
                                          &err), KKC_EINVAL);
    ck_assert_int_eq(closures_write(se, CLOSURES_ADD, bad, 2, 1700000400, &version, &e2),
                     KKC_EINVAL);
    ck_assert_str_eq(err.msg, e2.msg);
    ck_assert_ptr_nonnull(strstr(err.msg, "closure 2 of 2"));
    assert_str(pg_value(url, "SELECT version FROM kkc_state_meta"), "0");
    /* the mirror of this state is refused by another one */
    new_db("t_other", other, sizeof other);
    data_version_of(a, version_s, sizeof version_s);
    ck_assert_int_eq(state_open(other, version_s, 1, &s3, &err), KKC_OK);
    ck_assert_int_eq(state_sync(s3, sa, &changed, &err), KKC_ECONFLICT);
    ck_assert_ptr_nonnull(strstr(err.msg, "mirrors another shared state"));
    state_close(s3);
    store_close(sa), store_close(se);
    state_close(s1);
    db_drop(a), db_drop(e);
}
END_TEST

Suite *state_suite(void); /* for the runner */

Suite *state_suite(void)
{
    Suite *s = suite_create("state");
    TCase *tc = tu_tcase(s, "postgresql", 120);
    tcase_add_unchecked_fixture(tc, pg_start, pg_stop);
    tcase_add_test(tc, schema_and_data_version);
    tcase_add_test(tc, unreachable);
    tcase_add_test(tc, centre_write_mirrored);
    tcase_add_test(tc, closures_shared);
    tcase_add_test(tc, closures_refused);
    return s;
}
