/* tests/service/test_world.c -- the database connections a world owns (service/world.c).
 *
 * A world hands out the connections it opened at load; past those it opens more only while
 * its file is still the one it was loaded from. After another file is renamed over the path
 * (what a failed reload leaves behind), the connections handed out still read the old data:
 * the oracle is the row count of a separate connection to a copy taken before the rename. */
#include "base/store.h"
#include "testutil.h"
#include "world.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    char buf[65536];
    size_t n;
    ck_assert_ptr_nonnull(in);
    ck_assert_ptr_nonnull(out);
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
    fclose(in);
    ck_assert_int_eq(fclose(out), 0);
}

START_TEST(test_world_stores)
{
    char *db = tu_tmpfile("world.sqlite"), *copy = tu_tmpfile("copy.sqlite");
    char *junk = tu_tmpfile("junk.sqlite");
    struct kkc_err err = {0};
    struct world *w = NULL;
    struct store *a, *b, *c, *oracle = NULL;
    FILE *f;
    long want;

    copy_file(tu_db(), db);
    copy_file(tu_db(), copy);
    ck_assert_int_eq(store_open(copy, STORE_READONLY, &oracle, &err), KKC_OK);
    want = store_count_rows(oracle, "municipalities");
    ck_assert_int_gt(want, 0);
    world_set_connections(1);
    ck_assert_msg(world_load(db, &w, &err) == KKC_OK, "%s", err.msg);
    a = world_store_take(w, &err); /* the one opened at load */
    b = world_store_take(w, &err); /* a new one: db is still the file w was loaded from */
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_ne(a, b);
    f = fopen(junk, "wb");
    ck_assert_ptr_nonnull(f);
    fputs("not a database", f);
    fclose(f);
    ck_assert_int_eq(rename(junk, db), 0);
    c = world_store_take(w, &err);
    ck_assert_ptr_null(c); /* never a connection to the file renamed over */
    ck_assert_int_eq(err.code, KKC_EIO);
    ck_assert_int_eq(store_count_rows(a, "municipalities"), want);
    ck_assert_int_eq(store_count_rows(b, "municipalities"), want);
    world_set_connections(2);
    struct world_holder h;
    world_holder_init(&h, w);
    world_holder_done(&h); /* frees w and closes a and b */
    store_close(oracle);
    unlink(db);
    unlink(copy);
    free(db);
    free(copy);
    free(junk);
}
END_TEST

/* A SIGHUP reload (world_reload) installs the new world without its labels and the labeller
 * builds them behind: the world that settles is another load (its own gen), of the same data
 * version, with every label set the first load had. */
START_TEST(test_world_reload)
{
    char *db = tu_tmpfile("world.sqlite"), version[64] = "", want[64];
    struct kkc_err err = {0};
    struct world *w = NULL;
    copy_file(tu_db(), db);
    ck_assert_msg(world_load(db, &w, &err) == KKC_OK, "%s", err.msg);
    ck_assert_int_eq(w->labels_stale, 0);
    unsigned long gen0 = w->gen;
    int had[8];
    for (int m = 0; m < 8; m++)
        had[m] = w->labels[m] != NULL;
    memcpy(want, w->version, sizeof want);
    struct world_holder h;
    world_holder_init(&h, w); /* takes w: the reload frees it */
    ck_assert_msg(world_reload(&h, db, version, &err) == KKC_OK, "%s", err.msg);
    ck_assert_str_eq(version, want);
    world_holder_settle(&h);
    struct world *cur = world_get(&h);
    ck_assert_uint_ne(cur->gen, gen0);
    ck_assert_int_eq(cur->labels_stale, 0);
    ck_assert_str_eq(cur->version, want);
    for (int m = 0; m < 8; m++)
        ck_assert_int_eq(cur->labels[m] != NULL, had[m]);
    world_put(&h, cur);
    world_holder_done(&h);
    unlink(db);
    free(db);
}
END_TEST

Suite *world_suite(void); /* for the runner */

Suite *world_suite(void)
{
    Suite *s = suite_create("world");
    TCase *tc = tu_tcase(s, "stores", 120);
    tcase_add_test(tc, test_world_stores);
    tcase_add_test(tc, test_world_reload);
    return s;
}
