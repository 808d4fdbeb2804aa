/* tests/runner.c -- runs every Check suite; the list is generated from tests/test_*.c.
 * CK_RUN_SUITE=name / CK_RUN_CASE=name narrow the run (Check's own variables). */
#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define SUITE(f) Suite *f(void);
#include "suites.inc"
#undef SUITE

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    if (remove(path))
        perror(path);
    return 0;
}

int main(void)
{
    /* The suites' oracles are node-based searches (plain Dijkstra, SQL): they equal the
     * turn-aware graph with every turn free (turn.h). Suites about turn costs pass their own
     * costs (graph_options.turns), which this does not touch. */
    setenv("KKC_TURN_COSTS", "off", 0);
    /* Every test's temporary files under one directory (tu_tmpdir), removed at the end: the
     * tests' forked children cannot all clean up after themselves (a failed check ends one). */
    const char *base = getenv("TMPDIR");
    char root[4096];
    snprintf(root, sizeof root, "%s/kkc-tests-XXXXXX", base && *base ? base : "/tmp");
    int own = mkdtemp(root) != NULL;
    if (own) /* traversable: the PostgreSQL tests run their cluster as user postgres in it */
        chmod(root, 0711);
    if (own)
        setenv("KKC_TEST_TMP", root, 1);
    SRunner *sr = srunner_create(NULL);
#define SUITE(f) srunner_add_suite(sr, f());
#include "suites.inc"
#undef SUITE
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (own && getenv("KKC_KEEP_TEST_TMP") == NULL)
        nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    else if (own)
        fprintf(stderr, "test files kept in %s\n", root);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
