/* service/api_profile.c -- profile= on the coverage endpoints. See api_profile.h. */
#include "api_profile.h"

#include "centres/centres.h"
#include "params.h"
#include "road/service_profile.h"
#include "world.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
    pthread_once_t once;
    struct service_profile table[PROFILE_COUNT];
    struct kkc_err err;
    int bad;
} g = {.once = PTHREAD_ONCE_INIT};

/* The built-in table, overridden by the file of KKC_SERVICE_PROFILES when set. */
static void load_once(void)
{
    const char *path = getenv("KKC_SERVICE_PROFILES");
    FILE *f = path && *path ? fopen(path, "r") : NULL;
    char buf[16384];
    size_t n;
    service_profile_table(g.table);
    if (!path || !*path)
        return;
    if (!f) {
        g.bad = 1, kkc_err_set(&g.err, KKC_EINVAL, "cannot open %s", path);
        return;
    }
    n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    g.bad = service_profile_parse(buf, g.table, &g.err) != KKC_OK;
}

enum kkc_code api_profile_param(const struct api_req *r, unsigned kind_mask, int *profile,
                                struct kkc_err *err)
{
    const char *s = params_str(r->q, "profile");
    *profile = PROFILE_CAR;
    if (!s || strcmp(s, "car") == 0)
        return KKC_OK;
    if (strcmp(s, "auto") == 0) {
        for (int k = 0; k < KIND_COUNT; k++)
            if (kind_mask == 1u << k)
                *profile = (int)service_profile_of_kind((enum centre_kind)k);
        return KKC_OK;
    }
    if ((*profile = service_profile_find(s)) < 0)
        return kkc_err_set(err, KKC_EINVAL, "unknown profile '%.40s' (known: %s, auto)", s,
                           service_profile_names());
    return KKC_OK;
}

enum kkc_code api_profile_graph(const struct api_req *r, int profile, const struct graph *base,
                                const struct graph **gr, struct graph **owned,
                                struct kkc_err *err)
{
    *gr = base, *owned = NULL;
    if (profile == PROFILE_CAR || !base)
        return KKC_OK;
    pthread_once(&g.once, load_once);
    if (g.bad) {
        *err = g.err;
        return err->code;
    }
    if (base == r->w->graph) /* the world's own, with its hierarchy customized once */
        return world_profile_graph(r->w, profile, &g.table[profile], gr, err);
    enum kkc_code rc = service_profile_graph(base, &g.table[profile], owned, err);
    *gr = *owned;
    return rc;
}
