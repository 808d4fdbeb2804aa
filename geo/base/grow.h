/* geo/base/grow.h -- growing an array by doubling, the one copy of that loop. */
#ifndef KKC_GROW_H
#define KKC_GROW_H

#include <stddef.h>

/* Make room for `need` elements of `elem` bytes in v, whose capacity is *cap (0: none yet; the
 * first allocation holds `first`, then the capacity doubles until need fits). Returns the array,
 * moved or not, with *cap updated; NULL when out of memory, v and *cap then unchanged. */
void *kkc_grow(void *v, size_t *cap, size_t need, size_t elem, size_t first);

#endif
