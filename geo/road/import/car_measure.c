/* geo/road/import/car_measure.c -- the value parsers of the car profile: tags, maxspeed, sizes,
 * weights, durations (rules in car.h). */
#include "road/import/car.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *car_tag(const readosm_tag *t, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (t[i].key && t[i].value && strcmp(t[i].key, key) == 0)
            return t[i].value;
    return NULL;
}

int car_in(const char *v, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(v, *list) == 0)
            return 1;
    return 0;
}

/* Default limits of country zones ("CZ:urban"); country "" matches any country. 0 = no limit. */
static const struct zone {
    const char *country, *zone;
    double kmh;
} zones[] = {
    {"GB", "urban", 48.28},    {"", "urban", 50},        {"DE", "rural", 100},
    {"AT", "rural", 100},      {"FR", "rural", 80},      {"GB", "rural", 96.56},
    {"", "rural", 90},         {"DE", "motorway", 0},    {"CZ", "motorway", 0},    {"CZ", "trunk", 0},
    {"", "trunk", 110},    {"GB", "motorway", 112.65},
    {"PL", "motorway", 140},   {"", "motorway", 130},    {"DE", "living_street", 7},
    {"", "living_street", 20}, {"", "bicycle_road", 30},
};

/* A number with an optional unit ("50", "50 km/h", "30 mph", "5 knots") in km/h into *kmh.
 * Returns 1, or -1 when malformed or outside 1..PROFILE_MAX_KMH. */
static int maxspeed_number(const char *v, double *kmh)
{
    char *end = NULL;
    double d, f;

    if (!isdigit((unsigned char)v[0]))
        return -1;
    d = strtod(v, &end);
    if (strspn(v, "0123456789.") != (size_t)(end - v)) /* no hex, exponent, inf */
        return -1;
    while (*end == ' ')
        end++;
    if (!*end || !strcmp(end, "km/h") || !strcmp(end, "kmh") || !strcmp(end, "kph"))
        f = 1;
    else if (!strcmp(end, "mph"))
        f = 1.609344;
    else if (!strcmp(end, "knots"))
        f = 1.852;
    else
        return -1;
    d *= f;
    if (!(d >= 1 && d <= PROFILE_MAX_KMH))
        return -1;
    *kmh = d;
    return 1;
}

/* A country zone value "CC:zone" (zone after the colon in z). Returns 1 with *kmh, 0 for a zone
 * without a limit, -1 for an unknown zone. */
static int maxspeed_zone(const char *cc, const char *z, double *kmh)
{
    if (strncmp(z, "zone", 4) == 0)
        return maxspeed_number(z[4] == ':' ? z + 5 : z + 4, kmh);
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        if (strcmp(zones[i].zone, z) != 0)
            continue;
        if (zones[i].country[0] && strncmp(zones[i].country, cc, 2) != 0)
            continue;
        *kmh = zones[i].kmh;
        return zones[i].kmh > 0;
    }
    return -1;
}

/* Parse a maxspeed value into km/h. Returns 1 with *kmh set, 0 for values that give no usable
 * limit (signals, variable, DE:motorway), -1 when the value is not understood. */
int car_maxspeed(const char *v, double *kmh)
{
    static const char *const nolimit[] = {"signals", "variable", "unposted", NULL};
    if (car_in(v, nolimit))
        return 0;
    if (strcmp(v, "none") == 0) { /* car.lua's maxspeed_table["none"] */
        *kmh = 140;
        return 1;
    }
    if (strcmp(v, "walk") == 0) {
        *kmh = 7;
        return 1;
    }
    if (isupper((unsigned char)v[0]) && isupper((unsigned char)v[1]) && v[2] == ':')
        return maxspeed_zone(v, v + 3, kmh);
    return maxspeed_number(v, kmh);
}

/* The leading number of v ("2.5", "2,5 m", "3.5t"), after car.lua's Measure: 1 with *d, else 0. */
static int lead_number(const char *v, double *d)
{
    char buf[32];
    size_t n = 0;
    while (*v && !isdigit((unsigned char)*v))
        v++;
    while (n + 1 < sizeof buf && (isdigit((unsigned char)*v) || *v == '.' || *v == ','))
        buf[n++] = *v == ',' ? '.' : *v, v++;
    buf[n] = '\0';
    if (!n)
        return 0;
    *d = strtod(buf, NULL);
    return isfinite(*d);
}

int car_metres(const char *v, double *m)
{
    static const char *const dflt[] = {"default", "none", "no-sign", "unsigned", NULL};
    const char *ft = strchr(v, '\'');
    double d, in = 0;

    if (car_in(v, dflt)) {
        *m = 4.5;
        return 1;
    }
    if (!lead_number(v, &d))
        return 0;
    if (ft) { /* 6'6" */
        lead_number(ft + 1, &in);
        d = (d * 12 + in) * 0.0254;
    }
    *m = d;
    return 1;
}

int car_kilograms(const char *v, double *kg)
{
    double d;
    if (!lead_number(v, &d))
        return 0;
    *kg = strstr(v, "lbs") ? d * 0.45359237 : strstr(v, "kg") ? d : d * 1000;
    return 1;
}

/* Parse a whole-token unsigned integer at *s, advancing it. Returns -1 when none. */
static long take_int(const char **s)
{
    char *end = NULL;
    long v;
    if (!isdigit((unsigned char)**s))
        return -1;
    v = strtol(*s, &end, 10);
    *s = end;
    return v > 100000 ? -1 : v;
}

/* ISO 8601 "PT1H30M", "PT45M", "PT90S" (also with a day part "P1DT2H"). */
static int iso_duration(const char *v, double *s)
{
    double t = 0;
    int any = 0, intime = 0;
    for (v++; *v; any = 1) {
        if (*v == 'T' && !intime) {
            intime = 1, v++;
            continue;
        }
        long n = take_int(&v);
        double f = *v == 'D' && !intime ? 86400 : !intime ? -1 : *v == 'H' ? 3600 : *v == 'M' ? 60
                 : *v == 'S' ? 1 : -1;
        if (n < 0 || f < 0)
            return 0;
        t += (double)n * f, v++;
    }
    *s = t;
    return any;
}

int car_duration(const char *v, double *s)
{
    long part[3];
    int k = 0;

    if (v[0] == 'P')
        return iso_duration(v, s);
    for (;;) {
        long n = take_int(&v);
        if (n < 0 || k == 3)
            return 0;
        part[k++] = n;
        if (!*v)
            break;
        if (*v++ != ':')
            return 0;
    }
    *s = k == 1 ? part[0] * 60.0 : k == 2 ? part[0] * 3600.0 + part[1] * 60.0
                                          : part[0] * 3600.0 + part[1] * 60.0 + part[2];
    return *s > 0;
}
