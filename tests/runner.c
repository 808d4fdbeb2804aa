/* tests/runner.c -- runs every Check suite; the list is generated from tests/test_*.c.
 * CK_RUN_SUITE=name / CK_RUN_CASE=name narrow the run (Check's own variables). */
#include <check.h>
#include <stdlib.h>

#define SUITE(f) Suite *f(void);
#include "suites.inc"
#undef SUITE

int main(void)
{
    /* The suites' oracles are node-based searches (plain Dijkstra, SQL): they equal the
     * turn-aware graph with every turn free (turn.h). Suites about turn costs pass their own
     * costs (graph_options.turns), which this does not touch. */
    setenv("KKC_TURN_COSTS", "off", 0);
    SRunner *sr = srunner_create(NULL);
#define SUITE(f) srunner_add_suite(sr, f());
#include "suites.inc"
#undef SUITE
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
