/* tests/tools/synth_base.h -- a coverage base with synthetic municipalities on the roads, shared
 * by tests/coverage/test_response.c and tests/tools/bench_response.c (the default data has no
 * census population in the road network's area). Static, as bench_util.h: the bench is one .c
 * file built on its own by scripts/bench. */
#ifndef KKC_SYNTH_BASE_H
#define KKC_SYNTH_BASE_H

#include "coverage/coverage_base.h"
#include "road/graph.h"
#include "road/snap.h"

#include <stdlib.h>
#include <string.h>

/* xorshift64* in [0, 1) (tests/testutil.c's tu_rand, for the tools built without it). */
static inline double synth_rand(unsigned long long *s)
{
    *s ^= *s >> 12, *s ^= *s << 25, *s ^= *s >> 27;
    return (double)((*s * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* Where the random points fall: from lo to lo + span of the road box's width and height. */
struct synth_box {
    double lo, span;
};

/* A random point of real's road box, inside box, that snaps to g's roads within 300 m: its
 * lon, lat and snap. Draws until one does. */
static inline void synth_point(const struct coverage_base *real, const struct graph *g,
                               struct synth_box box, unsigned long long *s, double *lon,
                               double *lat, struct snap *at)
{
    const double *bb = real->road_bbox;
    for (;;) {
        double x = bb[0] + (bb[2] - bb[0]) * (box.lo + box.span * synth_rand(s));
        double y = bb[1] + (bb[3] - bb[1]) * (box.lo + box.span * synth_rand(s));
        if (snap_point(g, x, y, 300, at, NULL) == KKC_OK) {
            *lon = x, *lat = y;
            return;
        }
    }
}

/* real (shallow copy) with n municipalities in place of its own, all in the network region. */
struct synth_base {
    struct coverage_base base;
    struct coverage_region *regions; /* real's, the network region's counts changed */
    struct coverage_muni *munis;
};

/* n municipalities with a population of 100..1000 at synth_point()s (drawn from *s), named
 * names[i] ("synthetic" when names is NULL). 0, or -1 (out of memory, no network region);
 * free with synth_base_free() either way. */
static inline int synth_base_make(struct synth_base *sb, const struct coverage_base *real,
                                  const struct graph *g, struct synth_box box,
                                  unsigned long long *s, size_t n, char *const *names)
{
    long net = real->network;
    sb->regions = NULL, sb->munis = NULL;
    if (net < 0 || !(sb->regions = malloc(real->nregion * sizeof *sb->regions)) ||
        !(sb->munis = calloc(n, sizeof *sb->munis)))
        return -1;
    memcpy(sb->regions, real->region, real->nregion * sizeof *sb->regions);
    sb->regions[net].munis = n, sb->regions[net].has_population = 1;
    for (size_t i = 0; i < n; i++) {
        struct coverage_muni *m = &sb->munis[i];
        m->code = m->name = names ? names[i] : (char *)"synthetic";
        m->population = 100 + (long)(900 * synth_rand(s));
        synth_point(real, g, box, s, &m->lon, &m->lat, &m->at);
        m->snapped = 1;
        for (int l = 0; l < COVERAGE_LEVELS; l++)
            m->region[l] = -1;
        m->region[COVERAGE_NETWORK] = net;
    }
    sb->base = *real;
    sb->base.nmuni = n, sb->base.muni = sb->munis, sb->base.region = sb->regions;
    return 0;
}

static inline void synth_base_free(struct synth_base *sb)
{
    free(sb->regions);
    free(sb->munis);
}

#endif
