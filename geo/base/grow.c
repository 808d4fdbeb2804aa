/* geo/base/grow.c -- growing an array by doubling. See grow.h. */
#include "base/grow.h"

#include <stdint.h>
#include <stdlib.h>

void *kkc_grow(void *v, size_t *cap, size_t need, size_t elem, size_t first)
{
    size_t c = *cap ? *cap : (first ? first : 1);
    if (need <= *cap)
        return v;
    while (c < need) {
        if (c > SIZE_MAX / 2 / elem)
            return NULL;
        c *= 2;
    }
    void *nv = realloc(v, c * elem);
    if (nv)
        *cap = c;
    return nv;
}
