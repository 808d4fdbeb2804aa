/* tests/runner.c -- runs every Check suite; the list is generated from tests/test_*.c.
 * CK_RUN_SUITE=name / CK_RUN_CASE=name narrow the run (Check's own variables). */
#include <check.h>
#include <stdlib.h>

#define SUITE(f) Suite *f(void);
#include "suites.inc"
#undef SUITE

int main(void)
{
    SRunner *sr = srunner_create(NULL);
#define SUITE(f) srunner_add_suite(sr, f());
#include "suites.inc"
#undef SUITE
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
