/* geo/road/import/profile.c -- the built-in car speed table and the parser of profile files (see profile.h). */
#include "road/import/profile.h"

#include <errno.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The one speed table of the project (km/h); profile.h documents it. */
static const struct profile_class builtin[] = {
    {"motorway", 90},      {"motorway_link", 45}, {"trunk", 85},        {"trunk_link", 40},
    {"primary", 65},       {"primary_link", 30},  {"secondary", 55},    {"secondary_link", 25},
    {"tertiary", 40},      {"tertiary_link", 20}, {"unclassified", 25}, {"residential", 25},
    {"living_street", 10}, {"service", 15},        {"ferry", 5},         {"shuttle_train", 10},
};

/* The other figures, by name (profile.h documents them). */
static const struct figure {
    const char *name;
    size_t off;
    double builtin, lo, hi;
} figures[] = {
    {"maxspeed_factor", offsetof(struct profile, maxspeed_factor), 0.8, 1e-9, 2},
    {"turn_penalty", offsetof(struct profile, turn_penalty_s), 7.5, 0, 1e5},
    {"turn_bias", offsetof(struct profile, turn_bias), 1.075, 0.5, 2},
    {"u_turn_penalty", offsetof(struct profile, u_turn_penalty_s), 20, 0, 1e5},
    {"traffic_signal_penalty", offsetof(struct profile, signal_penalty_s), 2, 0, 1e5},
    {"vehicle_height", offsetof(struct profile, vehicle_height_m), 2.0, 0, 1e5},
    {"vehicle_width", offsetof(struct profile, vehicle_width_m), 1.9, 0, 1e5},
    {"vehicle_length", offsetof(struct profile, vehicle_length_m), 4.8, 0, 1e5},
    {"vehicle_weight", offsetof(struct profile, vehicle_weight_kg), 2000, 0, 1e5},
};
#define NFIGURES (sizeof figures / sizeof figures[0])

void profile_default(struct profile *p)
{
    size_t n = sizeof builtin / sizeof builtin[0];
    memset(p, 0, sizeof *p);
    memcpy(p->cls, builtin, sizeof builtin);
    p->n = n;
    for (size_t i = 0; i < NFIGURES; i++)
        *(double *)((char *)p + figures[i].off) = figures[i].builtin;
}

int profile_find(const struct profile *p, const char *highway)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->cls[i].kmh > 0 && strcmp(p->cls[i].name, highway) == 0)
            return (int)i;
    return -1;
}

/* Parse a whole-token plain decimal number ("30", "0.8") in [lo, hi] into *v. Returns 1 on
 * success, 0 otherwise. */
static int parse_number(const char *s, double lo, double hi, double *v)
{
    char *end = NULL;
    double d;

    if (!*s || strspn(s, "0123456789.") != strlen(s))
        return 0;
    errno = 0;
    d = strtod(s, &end);
    if (errno || end == s || *end != '\0' || !isfinite(d) || d < lo || d > hi)
        return 0;
    *v = d;
    return 1;
}

/* Set class name to kmh in p, adding it when new. Returns KKC_OK, KKC_EINVAL (name too long)
 * or KKC_ETOOBIG (table full). */
static enum kkc_code profile_set(struct profile *p, const char *name, double kmh)
{
    if (strlen(name) >= PROFILE_NAME_MAX)
        return KKC_EINVAL;
    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->cls[i].name, name) == 0) {
            p->cls[i].kmh = kmh;
            return KKC_OK;
        }
    }
    if (p->n == PROFILE_MAX_CLASSES)
        return KKC_ETOOBIG;
    snprintf(p->cls[p->n].name, PROFILE_NAME_MAX, "%s", name);
    p->cls[p->n++].kmh = kmh;
    return KKC_OK;
}

/* Apply one line (comment already cut off) to p. Returns KKC_OK for a setting or a blank line,
 * else an error code with err filled (line number lineno). */
static enum kkc_code profile_line(struct profile *p, char *line, const char *path, long lineno,
                                  struct kkc_err *err)
{
    char *save = NULL;
    char *key = strtok_r(line, " \t\r\n", &save);
    char *val = key ? strtok_r(NULL, " \t\r\n", &save) : NULL;
    double v;

    if (!key)
        return KKC_OK;
    if (!val || strtok_r(NULL, " \t\r\n", &save))
        return kkc_err_set(err, KKC_EINVAL, "%s:%ld: expected `class speed_kmh`", path, lineno);
    for (size_t i = 0; i < NFIGURES; i++) {
        const struct figure *f = &figures[i];
        if (strcmp(key, f->name) != 0)
            continue;
        if (!parse_number(val, f->lo, f->hi, &v))
            return kkc_err_set(err, KKC_EINVAL, "%s:%ld: %s `%s` is out of range (profile.h)",
                               path, lineno, f->name, val);
        *(double *)((char *)p + f->off) = v;
        return KKC_OK;
    }
    if (!parse_number(val, 0, PROFILE_MAX_KMH, &v))
        return kkc_err_set(err, KKC_EINVAL, "%s:%ld: speed `%s` is not a number in 0..%g", path,
                           lineno, val, PROFILE_MAX_KMH);
    enum kkc_code rc = profile_set(p, key, v);
    if (rc == KKC_EINVAL)
        return kkc_err_set(err, rc, "%s:%ld: class name longer than %d bytes", path, lineno,
                           PROFILE_NAME_MAX - 1);
    if (rc)
        return kkc_err_set(err, rc, "%s:%ld: more than %d classes", path, lineno,
                           PROFILE_MAX_CLASSES);
    return KKC_OK;
}

enum kkc_code profile_load(const char *path, struct profile *p, struct kkc_err *err)
{
    char line[PROFILE_LINE_MAX];
    long lineno = 0;
    enum kkc_code rc = KKC_OK;
    FILE *f = fopen(path, "r");

    profile_default(p);
    if (!f)
        return kkc_err_set(err, KKC_ENOTFOUND, "profile %s: %s", path, strerror(errno));
    while (!rc && fgets(line, sizeof line, f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            rc = kkc_err_set(err, KKC_EINVAL, "%s:%ld: line longer than %d bytes", path, lineno,
                             PROFILE_LINE_MAX - 2);
            break;
        }
        line[strcspn(line, "#")] = '\0';
        rc = profile_line(p, line, path, lineno, err);
    }
    if (!rc && ferror(f))
        rc = kkc_err_set(err, KKC_EIO, "profile %s: read error", path);
    fclose(f);
    if (rc)
        profile_default(p);
    return rc;
}
