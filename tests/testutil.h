/* tests/testutil.h -- helpers shared by the Check suites. */
#ifndef KKC_TESTUTIL_H
#define KKC_TESTUTIL_H

#include <check.h>
#include <stddef.h>

/* DATA_SRC from the environment (the Makefile sets it), default "../shared/data". */
const char *tu_data_src(void);
/* The built default database (KKC_DB, default data/kkc.sqlite). */
const char *tu_db(void);
/* The kkc binary under test (KKC_BIN, default build/kkc). */
const char *tu_kkc_bin(void);
/* A new empty temporary directory; the caller frees the string. It is made under $KKC_TEST_TMP
 * when set (tests/runner.c sets it and removes the whole tree when the run ends), else /tmp. */
char *tu_tmpdir(void);
/* A fresh path "DIR/NAME" in a new temporary directory; caller frees. */
char *tu_tmpfile(const char *name);
/* Deterministic pseudo-random numbers (xorshift64*), state kept by the caller. */
double tu_rand(unsigned long long *state);

/* Distance from x,y to the segment (ax,ay)-(bx,by) in the plane. */
double tu_seg_dist(double x, double y, double ax, double ay, double bx, double by);

/* A test case named name, already added to suite s (the tests added to it afterwards run with the
 * suite), with a timeout of timeout_s seconds; 0 keeps Check's default (CK_DEFAULT_TIMEOUT). */
TCase *tu_tcase(Suite *s, const char *name, double timeout_s);

struct store;
/* One number from SQL on st with one integer parameter (?1 = v): NAN for NULL, no row or a query
 * that does not prepare (so that a comparison with it fails). */
double tu_sql_num(struct store *st, const char *sql, long long v);

#endif
