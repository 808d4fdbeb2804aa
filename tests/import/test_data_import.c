/* tests/import/test_data_import.c -- reference and user data import (geo/import/data_import.c) and the atomic
 * `kkc import` command.
 *
 * Oracles: the counts and known faults documented in ../shared/data/SOURCES.md, the eight
 * municipality codes of obce.csv that obce-population-2011.csv lacks (found with a Python join of
 * the two files), and hand-made fixtures in tests/data/centres/ whose every bad row is listed
 * below with its line and the reason it must be rejected for. */
#include "import/data_import.h"
#include "centres/centres.h"
#include "coverage/response.h"
#include "base/store.h"
#include "testutil.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define FIXTURES "tests/data/centres/"

/* ---------------------------------------------------------------- report collector --------- */

struct report {
    char file[128];
    long row;
    char reason[512];
};

struct reports {
    struct report *r;
    size_t n, cap;
};

static void collect(void *ud, const char *file, long row, const char *reason)
{
    struct reports *rs = ud;
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? 2 * rs->cap : 64;
        rs->r = realloc(rs->r, rs->cap * sizeof *rs->r);
        ck_assert_ptr_nonnull(rs->r);
    }
    ck_assert_ptr_nonnull(file);
    ck_assert_ptr_nonnull(reason);
    snprintf(rs->r[rs->n].file, sizeof rs->r[rs->n].file, "%s", file);
    snprintf(rs->r[rs->n].reason, sizeof rs->r[rs->n].reason, "%s", reason);
    rs->r[rs->n++].row = row;
}

/* How many reports about file:row (row -1 = any) contain every one of the NULL-ended words. */
static size_t count_reports(const struct reports *rs, const char *file, long row, ...)
{
    size_t hits = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const struct report *r = &rs->r[i];
        va_list ap;
        const char *w;
        int all = strcmp(r->file, file) == 0 && (row < 0 || r->row == row);
        va_start(ap, row);
        while (all && (w = va_arg(ap, const char *)))
            all = strstr(r->reason, w) != NULL;
        va_end(ap);
        hits += all;
    }
    return hits;
}

static void dump_reports(const struct reports *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        fprintf(stderr, "  %s:%ld: %s\n", rs->r[i].file, rs->r[i].row, rs->r[i].reason);
}

/* ---------------------------------------------------------------- store helpers ------------ */

struct tmpstore {
    char *path;
    struct store *st;
};

static void tmpstore_open(struct tmpstore *t)
{
    struct kkc_err err = {0};
    t->path = tu_tmpfile("kkc.sqlite");
    ck_assert_ptr_nonnull(t->path);
    ck_assert_msg(store_open(t->path, STORE_CREATE, &t->st, &err) == KKC_OK, "%s", err.msg);
}

/* Close and delete the database and its directory. */
static void tmpstore_drop(struct tmpstore *t)
{
    store_close(t->st);
    unlink(t->path);
    *strrchr(t->path, '/') = '\0';
    rmdir(t->path);
    free(t->path);
}

/* The single integer answer of sql. */
static long sql_long(struct store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    long v;
    ck_assert_msg(store_prepare(st, sql, &s, NULL) == KKC_OK, "%s", sql);
    ck_assert_msg(sqlite3_step(s) == SQLITE_ROW, "%s", sql);
    v = (long)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* count(*) of the reference import's tables, from SOURCES.md: the query and its count. */
static const struct {
    const char *sql;
    long want;
} reference_counts[] = {
    {"SELECT count(*) FROM centres", 74},
    {"SELECT count(*) FROM centres WHERE kind = 'police'", 36},
    {"SELECT count(*) FROM centres WHERE kind = 'fire'", 22},
    {"SELECT count(*) FROM centres WHERE kind = 'ambulance'", 16},
    {"SELECT count(*) FROM centres WHERE source = 'khk'", 74},
    {"SELECT count(*) FROM centres WHERE name IS NULL OR name = '' OR geom IS NULL", 0},
    {"SELECT count(*) FROM municipalities", 6259},
    {"SELECT count(*) FROM regions WHERE level = 'country'", 1},
    {"SELECT count(*) FROM regions WHERE level = 'kraj'", 14},
    {"SELECT count(*) FROM regions WHERE level = 'okres'", 77},
    {"SELECT count(*) FROM regions WHERE level = 'orp'", 206},
    {"SELECT count(*) FROM regions WHERE level = 'border'", 1},
    {"SELECT count(*) FROM regions WHERE geom IS NULL OR ST_IsValid(geom) = 0", 0},
    /* every centre of the pilot region lies in the republic's outline */
    {"SELECT count(*) FROM centres c, regions r WHERE r.level = 'country'"
     " AND ST_Within(c.geom, r.geom)",
     74},
};

/* The ids of the centres table, ordered and joined by ','. */
static void centre_ids(struct store *st, char *out, size_t cap)
{
    sqlite3_stmt *s = NULL;
    out[0] = '\0';
    ck_assert_int_eq(store_prepare(st, "SELECT id FROM centres ORDER BY id", &s, NULL), KKC_OK);
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (*out)
            strncat(out, ",", cap - strlen(out) - 1);
        strncat(out, (const char *)sqlite3_column_text(s, 0), cap - strlen(out) - 1);
    }
    sqlite3_finalize(s);
}

/* ---------------------------------------------------------------- reference data ----------- */

/* The municipalities of obce.csv without a row in obce-population-2011.csv. */
static const char *const no_population[] = {"500101", "500127", "500135", "500062",
                                            "500151", "500160", "500071", "500194"};
#define N_NO_POP (sizeof no_population / sizeof no_population[0])

START_TEST(reference_import)
{
    struct tmpstore t;
    struct reports rs = {0};
    struct data_import_opts o = {.data_src = tu_data_src(), .report = collect, .report_ud = &rs};
    struct data_import_stats stats;
    struct kkc_err err = {0};
    char sql[256];

    tmpstore_open(&t);
    ck_assert_int_eq(store_exec(t.st, "BEGIN", &err), KKC_OK);
    ck_assert_msg(data_import(t.st, &o, &stats, &err) == KKC_OK, "%s", err.msg);
    ck_assert_int_eq(store_exec(t.st, "COMMIT", &err), KKC_OK);

    /* counts from SOURCES.md */
    ck_assert_int_eq(stats.centres, 74);
    ck_assert_int_eq(stats.municipalities, 6259);
    ck_assert_int_eq(stats.regions, 1 + 14 + 77 + 206 + 1);
    for (size_t i = 0; i < sizeof reference_counts / sizeof reference_counts[0]; i++) {
        long got = sql_long(t.st, reference_counts[i].sql);
        ck_assert_msg(got == reference_counts[i].want, "%s: %ld, expected %ld",
                      reference_counts[i].sql, got, reference_counts[i].want);
    }

    /* known fault 1: Teplice nad Metují's station sits near Pardubice -- reported, kept as is */
    ck_assert_msg(count_reports(&rs, "izs-bases-khk.geojson", -1, "Teplice nad Metují",
                                "from its municipality", (char *)NULL) == 1,
                  "no far-from-municipality report for Teplice nad Metují");
    ck_assert_int_eq(sql_long(t.st, "SELECT count(*) FROM centres WHERE name LIKE "
                                    "'%Teplice nad Metuj%' AND abs(X(geom) - 15.7790) < 1e-9 "
                                    "AND abs(Y(geom) - 50.0402) < 1e-9"),
                     1);
    /* known fault 2: Smiřice carries Hradec Králové (code 569810) */
    ck_assert_msg(
        count_reports(&rs, "izs-bases-khk.geojson", -1, "Smiřice", "569810", (char *)NULL) >= 1,
        "no report on Smiřice carrying Hradec Králové");
    /* municipalities without a 2011 population: reported one by one, stored with NULL */
    ck_assert_int_eq(count_reports(&rs, "obce.csv", -1, "no 2011 population", (char *)NULL),
                     N_NO_POP);
    for (size_t i = 0; i < N_NO_POP; i++) {
        ck_assert_msg(
            count_reports(&rs, "obce.csv", -1, no_population[i], "population", (char *)NULL) == 1,
            "municipality %s not reported", no_population[i]);
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM municipalities WHERE code = '%s' AND population IS NULL",
                 no_population[i]);
        ck_assert_int_eq(sql_long(t.st, sql), 1);
    }
    ck_assert_int_eq(sql_long(t.st, "SELECT count(*) FROM municipalities WHERE population IS "
                                    "NULL"),
                     N_NO_POP);
    /* the census total of SOURCES.md: every code of the population file is in obce.csv */
    ck_assert_int_eq(sql_long(t.st, "SELECT sum(population) FROM municipalities"), 10436560);
    /* every report is also in import_report, with a file and a reason */
    ck_assert_int_eq(sql_long(t.st, "SELECT count(*) FROM import_report"), (long)rs.n);
    for (size_t i = 0; i < rs.n; i++) {
        ck_assert_msg(rs.r[i].file[0] && rs.r[i].reason[0] && rs.r[i].row >= 0, "report %zu", i);
    }
    ck_assert_int_eq(stats.warnings + stats.rejected, (long)rs.n);

    /* user centres checked against the imported municipalities and outline */
    struct reports ru = {0};
    struct data_import_opts ou = {.data_src = tu_data_src(), .report = collect, .report_ud = &ru};
    ck_assert_msg(data_import_centres(t.st, FIXTURES "checks.csv", "user", &ou, &stats, &err) ==
                      KKC_OK,
                  "%s", err.msg);
    ck_assert_int_eq(stats.centres, 4);
    ck_assert_int_eq(stats.rejected, 0);
    ck_assert_uint_eq(count_reports(&ru, "checks.csv", 2, "km from its municipality", (char *)NULL),
                      1);
    ck_assert_uint_eq(count_reports(&ru, "checks.csv", 3, "outside the republic", (char *)NULL), 1);
    ck_assert_uint_eq(count_reports(&ru, "checks.csv", 5, (char *)NULL), 0);
    ck_assert_int_eq(sql_long(t.st, "SELECT count(*) FROM centres WHERE source = 'user'"), 4);
    /* last, being the one that depends on the store rather than on this run's counters; the
     * temporary database goes first so that a failure leaves nothing behind */
    size_t unknown = count_reports(&ru, "checks.csv", 4, "999999", (char *)NULL), nru = ru.n;
    if (unknown != 1)
        dump_reports(&ru);
    free(rs.r);
    free(ru.r);
    tmpstore_drop(&t);
    ck_assert_msg(unknown == 1,
                  "data_import_centres into a store holding 6259 municipalities did not report "
                  "the unknown municipality code 999999 of checks.csv:4");
    ck_assert_uint_eq(nru, 3);
}
END_TEST

/* ---------------------------------------------------------------- user files --------------- */

struct bad_row {
    long row;
    const char *word; /* a word the reason must contain */
};

/* Import one user file without reference data and check every row's fate. */
static void user_file(const char *name, const struct bad_row *bad, size_t nbad,
                      const char *want_ids)
{
    struct tmpstore t;
    struct reports rs = {0};
    char path[256], ids[512];
    struct data_import_opts o = {.centres_path = path, .report = collect, .report_ud = &rs};
    struct data_import_stats stats;
    struct kkc_err err = {0};
    size_t nok = 0;

    snprintf(path, sizeof path, FIXTURES "%s", name);
    tmpstore_open(&t);
    ck_assert_msg(data_import(t.st, &o, &stats, &err) == KKC_OK, "%s: %s", name, err.msg);
    for (size_t i = 0; i < nbad; i++) {
        size_t n = count_reports(&rs, name, bad[i].row, bad[i].word, (char *)NULL);
        if (n != 1)
            dump_reports(&rs);
        ck_assert_msg(n == 1, "%s:%ld: expected one report containing '%s', got %zu", name,
                      bad[i].row, bad[i].word, n);
    }
    /* nothing else is rejected (phone or place remarks on good rows would be warnings) */
    ck_assert_int_eq(stats.rejected, (long)nbad);
    for (size_t i = 0; i < rs.n; i++) {
        int listed = 0;
        for (size_t j = 0; j < nbad; j++)
            listed |= rs.r[i].row == bad[j].row;
        if (!listed)
            nok++;
    }
    if (nok)
        dump_reports(&rs);
    ck_assert_msg(nok == 0, "%s: %zu reports on rows that are fine", name, nok);
    centre_ids(t.st, ids, sizeof ids);
    ck_assert_str_eq(ids, want_ids);
    ck_assert_int_eq(stats.centres, sql_long(t.st, "SELECT count(*) FROM centres"));
    ck_assert_int_eq(sql_long(t.st, "SELECT count(*) FROM centres WHERE source <> 'user'"), 0);
    free(rs.r);
    tmpstore_drop(&t);
}

START_TEST(user_csv)
{
    static const struct bad_row bad[] = {
        {4, "coordinates"},  {5, "kind"},         {6, "duplicate"},    {7, "name"},
        {8, "coordinates"},  {9, "coordinates"},  {11, "coordinates"}, {12, "id"},
        {13, "coordinates"}, {14, "coordinates"}, {16, "coordinates"},
    };
    user_file("bad.csv", bad, sizeof bad / sizeof bad[0], "U1,U12,U2,U8");
}
END_TEST

START_TEST(user_csv_values)
{
    struct tmpstore t;
    struct data_import_opts o = {.centres_path = FIXTURES "bad.csv"};
    struct data_import_stats stats;
    struct kkc_err err = {0};
    tmpstore_open(&t);
    ck_assert_int_eq(data_import(t.st, &o, &stats, &err), KKC_OK);
    /* the first U1 wins over the duplicate; quoted fields come back unquoted */
    ck_assert_int_eq(sql_long(t.st, "SELECT count(*) FROM centres WHERE id = 'U1' AND kind = "
                                    "'police' AND name = 'Good police' AND X(geom) = 15.83 AND "
                                    "Y(geom) = 50.21 AND municipality_code = '569810' AND "
                                    "address = 'Ulrichovo nám. 1' AND phone = '+420 974 521 111'"),
                     1);
    ck_assert_int_eq(sql_long(t.st, "SELECT count(*) FROM centres WHERE id = 'U8' AND name = "
                                    "'Quoted, name \"with\" quotes' AND kind = 'ambulance'"),
                     1);
    ck_assert_int_eq(sql_long(t.st, "SELECT count(*) FROM centres WHERE id = 'U2' AND address "
                                    "IS NULL AND phone IS NULL"),
                     1);
    tmpstore_drop(&t);
}
END_TEST

/* The optional turnout columns, worked by hand: turnout_s whole seconds 0..3600, turnout_min
 * minutes (1.5 -> 90 s), seconds win over minutes, empty is the kind's default (NULL), 0 an
 * explicit 0 (stored 0, response adds 0 -- not the fire default 120); 3601, 12.5 s, text and
 * 61 min are rejected rows naming the turnout. */
START_TEST(user_csv_turnout)
{
    static const struct bad_row bad[] = {
        {6, "turnout"}, {7, "turnout"}, {8, "turnout"}, {11, "turnout"}, {12, "turnout"}};
    static const struct {
        const char *id;
        long turnout; /* -1: NULL */
    } want[] = {{"T1", 90}, {"T2", 90}, {"T3", -1}, {"T4", 0}, {"T8", 3600}, {"T9", 30}};
    struct tmpstore t;
    struct data_import_opts o = {.centres_path = FIXTURES "turnout.csv"};
    struct data_import_stats stats;
    struct kkc_err err = {0};
    struct centres *cs = NULL;
    char sql[160];

    user_file("turnout.csv", bad, sizeof bad / sizeof bad[0], "T1,T2,T3,T4,T8,T9");
    tmpstore_open(&t);
    ck_assert_int_eq(data_import(t.st, &o, &stats, &err), KKC_OK);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        snprintf(sql, sizeof sql, "SELECT coalesce(turnout_s, -1) FROM centres WHERE id = '%s'",
                 want[i].id);
        ck_assert_msg(sql_long(t.st, sql) == want[i].turnout, "%s: turnout %ld, expected %ld",
                      want[i].id, sql_long(t.st, sql), want[i].turnout);
    }
    /* loaded back, the response time adds the own value or the kind's default (police 60 s) */
    ck_assert_int_eq(centres_load(t.st, &cs, &err), KKC_OK);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        long at = centres_find(cs, want[i].id);
        ck_assert_int_ge(at, 0);
        ck_assert_int_eq(response_turnout_s(centres_get(cs, (size_t)at)),
                         want[i].turnout < 0 ? 60 : want[i].turnout);
    }
    centres_destroy(cs);
    tmpstore_drop(&t);
}
END_TEST

/* The same columns as GeoJSON properties, numbers or text: 90 s, 2 min -> 120 s, "45" -> 45 s,
 * 0 -> 0 (explicit), none -> NULL; 12.5 s is a rejected row (feature 5). */
START_TEST(user_geojson_turnout)
{
    static const struct bad_row bad[] = {{5, "turnout"}};
    struct tmpstore t;
    struct data_import_opts o = {.centres_path = FIXTURES "turnout.geojson"};
    struct data_import_stats stats;
    struct kkc_err err = {0};

    user_file("turnout.geojson", bad, sizeof bad / sizeof bad[0], "H1,H2,H3,H4,H6");
    tmpstore_open(&t);
    ck_assert_int_eq(data_import(t.st, &o, &stats, &err), KKC_OK);
    ck_assert_int_eq(sql_long(t.st, "SELECT group_concat(id || ':' || coalesce(turnout_s, '-')) "
                                    "= 'H1:90,H2:120,H3:45,H4:0,H6:-' FROM (SELECT * FROM centres "
                                    "ORDER BY id)"),
                     1);
    tmpstore_drop(&t);
}
END_TEST

START_TEST(user_geojson)
{
    static const struct bad_row bad[] = {
        {2, "coordinates"},  {3, "kind"},         {4, "duplicate"},   {5, "name"},
        {6, "coordinates"},  {8, "coordinates"},  {9, "coordinates"}, {10, "id"},
        {11, "coordinates"}, {13, "coordinates"},
    };
    user_file("bad.geojson", bad, sizeof bad / sizeof bad[0], "G1,G10,G6");
}
END_TEST

/* Files that cannot be used at all are fatal, not row reports, with the codes of geo/base/err.h:
 * a file that does not exist is KKC_ENOTFOUND, a file's bad content KKC_EINVAL. */
static const struct {
    const char *path;
    enum kkc_code rc;
} fatal_cases[] = {
    {"/nonexistent/centres.csv", KKC_ENOTFOUND},  {"/nonexistent/centres.geojson", KKC_ENOTFOUND},
    {FIXTURES "broken.geojson", KKC_EINVAL},      /* truncated JSON */
    {"tests/data/sjtsk_control.txt", KKC_EINVAL}, /* not JSON */
    {FIXTURES "notfc.geojson", KKC_EINVAL},       /* JSON, not a FeatureCollection */
};

START_TEST(fatal_files)
{
    struct tmpstore t;
    struct data_import_opts o = {.centres_path = fatal_cases[_i].path};
    struct data_import_stats stats;
    struct kkc_err err = {0};
    tmpstore_open(&t);
    enum kkc_code rc = data_import(t.st, &o, &stats, &err);
    ck_assert_msg(rc != KKC_OK, "%s imported", fatal_cases[_i].path);
    ck_assert_msg(err.msg[0], "%s: no message", fatal_cases[_i].path);
    ck_assert_int_eq(sql_long(t.st, "SELECT count(*) FROM centres"), 0);
    tmpstore_drop(&t);
    ck_assert_msg(rc == fatal_cases[_i].rc, "%s: rc %d (%s), expected %d (%s); message: %s",
                  fatal_cases[_i].path, rc, kkc_code_name(rc), fatal_cases[_i].rc,
                  kkc_code_name(fatal_cases[_i].rc), err.msg);
}
END_TEST

/* A CSV without the required columns is fatal too. */
START_TEST(csv_missing_columns)
{
    struct tmpstore t;
    char *path = tu_tmpfile("nolat.csv");
    FILE *f = fopen(path, "w");
    struct data_import_opts o = {.centres_path = path};
    struct data_import_stats stats;
    struct kkc_err err = {0};
    fputs("id,name,kind,lon\nX1,Name,police,15\n", f);
    fclose(f);
    tmpstore_open(&t);
    ck_assert_int_eq(data_import(t.st, &o, &stats, &err), KKC_EINVAL);
    ck_assert_int_eq(sql_long(t.st, "SELECT count(*) FROM centres"), 0);
    tmpstore_drop(&t);
    unlink(path);
    *strrchr(path, '/') = '\0';
    rmdir(path);
    free(path);
}
END_TEST

START_TEST(name_key)
{
    static const char *const cases[][2] = {
        {"Hradec Králové", "hradec kralove"},
        {"ŽĎÁR NAD SÁZAVOU", "zdar nad sazavou"},
        {"Smiřice", "smirice"},
        {"Ústí nad Orlicí", "usti nad orlici"},
        {"Česká Třebová", "ceska trebova"},
        {"", ""},
    };
    char out[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        data_name_key(cases[i][0], out, sizeof out);
        ck_assert_str_eq(out, cases[i][1]);
    }
    data_name_key("Hradec Králové", out, 7); /* at most cap bytes with the NUL */
    ck_assert_str_eq(out, "hradec");
}
END_TEST

/* ---------------------------------------------------------------- kkc import (CLI) --------- */

/* Run kkc with args (NULL-ended), stdout and stderr to log; returns the exit status or -1. */
static int run_kkc(const char *log, const char *const *args)
{
    const char *argv[16] = {tu_kkc_bin()};
    size_t n = 1;
    pid_t pid;
    int status;
    while (args[n - 1] && n < 15) {
        argv[n] = args[n - 1];
        n++;
    }
    argv[n] = NULL;
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Whole contents of a file; caller frees. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* The names in dir other than . and .., joined by ','. */
static void dir_list(const char *dir, char *out, size_t cap)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    out[0] = '\0';
    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            if (*out)
                strncat(out, ",", cap - strlen(out) - 1);
            strncat(out, e->d_name, cap - strlen(out) - 1);
        }
    closedir(d);
}

struct snapshot {
    struct stat sb;
    char *bytes;
    size_t len;
};

static void snap(const char *path, struct snapshot *s)
{
    ck_assert_int_eq(stat(path, &s->sb), 0);
    s->bytes = slurp(path, &s->len);
}

static void assert_unchanged(const char *path, const struct snapshot *s, const char *what)
{
    struct stat sb;
    size_t len;
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_msg(sb.st_ino == s->sb.st_ino && sb.st_size == s->sb.st_size &&
                      sb.st_mtim.tv_sec == s->sb.st_mtim.tv_sec &&
                      sb.st_mtim.tv_nsec == s->sb.st_mtim.tv_nsec,
                  "%s: the database file was touched", what);
    char *now = slurp(path, &len);
    ck_assert_msg(len == s->len && memcmp(now, s->bytes, len) == 0, "%s: contents changed", what);
    free(now);
}

START_TEST(cli_import_atomic)
{
    char *dir = tu_tmpdir(), *logdir = tu_tmpdir(), out[512], log[512], list[1024];
    struct snapshot before;
    struct tmpstore chk;
    struct kkc_err err = {0};
    char *text;
    size_t len;

    ck_assert(dir && logdir);
    snprintf(out, sizeof out, "%s/kkc.sqlite", dir);
    snprintf(log, sizeof log, "%s/log", logdir);

    /* a valid database to protect, with the user rows reported as file:row: reason */
    {
        const char *a[] = {"import", "--no-data", "--centres", FIXTURES "bad.csv",
                           "--out",  out,         NULL};
        ck_assert_int_eq(run_kkc(log, a), 0);
        text = slurp(log, &len);
        ck_assert_msg(strstr(text, "bad.csv:4: ") && strstr(text, "bad.csv:6: ") &&
                          strstr(text, "bad.csv:16: "),
                      "reports not printed as file:row: reason:\n%s", text);
        free(text);
    }
    dir_list(dir, list, sizeof list);
    ck_assert_str_eq(list, "kkc.sqlite");
    snap(out, &before);

    static const char *const broken[][8] = {
        {"import", "--no-data", "--centres", "/nonexistent/centres.geojson", NULL},
        {"import", "--no-data", "--centres", "/nonexistent/centres.csv", NULL},
        {"import", "--no-data", "--centres", FIXTURES "broken.geojson", NULL},
        {"import", "--no-data", "--centres", "tests/data/sjtsk_control.txt", NULL},
        /* fails late: after boundaries and municipalities went into the temporary database */
        {"import", "--centres", FIXTURES "broken.geojson", NULL},
    };
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        const char *a[12];
        size_t n = 0;
        while (broken[i][n]) {
            a[n] = broken[i][n];
            n++;
        }
        if (strcmp(a[1], "--no-data") != 0) {
            a[n++] = "--data";
            a[n++] = tu_data_src();
        }
        a[n++] = "--out";
        a[n++] = out;
        a[n] = NULL;
        int rc = run_kkc(log, a);
        text = slurp(log, &len);
        ck_assert_msg(rc != 0, "case %zu: exit 0 for a broken centres file\n%s", i, text);
        ck_assert_msg(rc != 127, "case %zu: could not run %s", i, tu_kkc_bin());
        free(text);
        assert_unchanged(out, &before, a[n - 3]);
        dir_list(dir, list, sizeof list);
        ck_assert_msg(strcmp(list, "kkc.sqlite") == 0, "case %zu: left behind: %s", i, list);
    }

    /* and a good import does replace it, leaving nothing else */
    {
        const char *a[] = {"import", "--no-data", "--centres", FIXTURES "good.csv",
                           "--out",  out,         NULL};
        ck_assert_int_eq(run_kkc(log, a), 0);
    }
    dir_list(dir, list, sizeof list);
    ck_assert_str_eq(list, "kkc.sqlite");
    chk.path = out;
    ck_assert_int_eq(store_open(out, STORE_READONLY, &chk.st, &err), KKC_OK);
    {
        char ids[256];
        centre_ids(chk.st, ids, sizeof ids);
        ck_assert_str_eq(ids, "A1,A2,A3");
    }
    store_close(chk.st);

    free(before.bytes);
    unlink(out);
    unlink(log);
    rmdir(dir);
    rmdir(logdir);
    free(dir);
    free(logdir);
}
END_TEST

Suite *data_import_suite(void); /* for the runner */

Suite *data_import_suite(void)
{
    Suite *s = suite_create("data_import");
    TCase *tc = tu_tcase(s, "reference", 180);
    tcase_add_test(tc, reference_import);

    tc = tu_tcase(s, "user", 120);
    tcase_add_test(tc, user_csv);
    tcase_add_test(tc, user_csv_values);
    tcase_add_test(tc, user_csv_turnout);
    tcase_add_test(tc, user_geojson_turnout);
    tcase_add_test(tc, user_geojson);
    tcase_add_loop_test(tc, fatal_files, 0, sizeof fatal_cases / sizeof fatal_cases[0]);
    tcase_add_test(tc, csv_missing_columns);
    tcase_add_test(tc, name_key);

    tc = tu_tcase(s, "cli", 240);
    tcase_add_test(tc, cli_import_atomic);
    return s;
}
