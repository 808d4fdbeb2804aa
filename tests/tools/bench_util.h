/* tests/tools/bench_util.h -- what the timing tools share (each tool is one .c file built on its
 * own by scripts/bench, so these are static inline). */
#ifndef KKC_BENCH_UTIL_H
#define KKC_BENCH_UTIL_H

#include <time.h>

/* Monotonic time in milliseconds. */
static inline double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* qsort comparison of doubles, ascending. */
static inline int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#endif
