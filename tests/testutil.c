/* tests/testutil.c -- helpers shared by the Check suites. */
#include "testutil.h"

#include "base/store.h"

#include <math.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

double tu_seg_dist(double x, double y, double ax, double ay, double bx, double by)
{
    double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy, t = 0;
    if (l2 > 0)
        t = fmin(fmax(((x - ax) * dx + (y - ay) * dy) / l2, 0), 1);
    return hypot(x - ax - t * dx, y - ay - t * dy);
}

TCase *tu_tcase(Suite *s, const char *name, double timeout_s)
{
    TCase *tc = tcase_create(name);
    if (timeout_s > 0)
        tcase_set_timeout(tc, timeout_s);
    suite_add_tcase(s, tc);
    return tc;
}

const char *tu_data_src(void)
{
    return env_or("DATA_SRC", "../shared/data");
}

const char *tu_db(void)
{
    return env_or("KKC_DB", "data/kkc.sqlite");
}

const char *tu_kkc_bin(void)
{
    return env_or("KKC_BIN", "build/kkc");
}

char *tu_tmpdir(void)
{
    const char *root = getenv("KKC_TEST_TMP"); /* the runner's, removed when it ends */
    char *p = NULL;
    if (asprintf(&p, "%s/kkc-test-XXXXXX", root && *root ? root : "/tmp") < 0)
        return NULL;
    if (!mkdtemp(p)) {
        free(p);
        return NULL;
    }
    return p;
}

char *tu_tmpfile(const char *name)
{
    char *dir = tu_tmpdir();
    char *p = NULL;
    if (dir && asprintf(&p, "%s/%s", dir, name) < 0)
        p = NULL;
    free(dir);
    return p;
}

double tu_rand(unsigned long long *state)
{
    unsigned long long x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return (double)((x * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

double tu_sql_num(struct store *st, const char *sql, long long v)
{
    sqlite3_stmt *s = NULL;
    double r = NAN;
    if (store_prepare(st, sql, &s, NULL) != KKC_OK)
        return NAN;
    sqlite3_bind_int64(s, 1, v);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
        r = sqlite3_column_double(s, 0);
    sqlite3_finalize(s);
    return r;
}
