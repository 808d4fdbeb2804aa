/* geo/coverage/standards.c -- parsing the standards file. See standards.h. */
#include "coverage/standards.h"

#include "base/csv.h"
#include "coverage/response.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char kkc_standards_csv[];

struct standards {
    size_t n;
    struct standard item[STANDARDS_MAX];
};

static const char *const columns[] = {"id",      "kind",           "minutes",        "nth",
                                      "turnout", "description_cs", "description_en", "source"};
enum { NCOL = sizeof columns / sizeof columns[0] };

void standards_destroy(struct standards *s)
{
    for (size_t i = 0; s && i < s->n; i++) {
        struct standard *t = &s->item[i];
        free(t->id), free(t->description_cs), free(t->description_en), free(t->source);
    }
    free(s);
}

/* The turnout rule of text t into d; 0 when t is not one. */
static int parse_turnout(const char *t, struct standard *d)
{
    char *end;
    long v;
    if (strcmp(t, "none") == 0)
        return d->turnout = STANDARD_TURNOUT_NONE, 1;
    if (strcmp(t, "centre") == 0)
        return d->turnout = STANDARD_TURNOUT_CENTRE, 1;
    v = strtol(t, &end, 10);
    if (end == t || *end || v < 0 || v > RESPONSE_TURNOUT_MAX_S)
        return 0;
    d->turnout = STANDARD_TURNOUT_FIXED, d->turnout_s = (int)v;
    return 1;
}

/* One row (fields by column) into d; a message into why when it is bad. */
static int parse_row(struct standards *s, char **v, struct standard *d, const char **why)
{
    char *end;
    int kind = centres_kind_parse(v[1]);
    *why = NULL;
    for (int i = 0; i < NCOL && !*why; i++)
        if (!*v[i])
            *why = columns[i];
    if (*why)
        return 0;
    d->minutes = strtod(v[2], &end);
    if (kind < 0)
        return *why = "kind (police, fire, ambulance)", 0;
    if (*end || !(d->minutes > 0 && d->minutes <= 120))
        return *why = "minutes (0..120]", 0;
    d->nth = (int)strtol(v[3], &end, 10);
    if (*end || d->nth < 1 || d->nth > RESPONSE_NTH_MAX)
        return *why = "nth (1..5)", 0;
    if (!parse_turnout(v[4], d))
        return *why = "turnout (none, centre or seconds 0..3600)", 0;
    if (standards_find(s, v[0]))
        return *why = "id (a duplicate)", 0;
    d->kind = (enum centre_kind)kind;
    d->id = strdup(v[0]), d->description_cs = strdup(v[5]);
    d->description_en = strdup(v[6]), d->source = strdup(v[7]);
    return 1;
}

/* Read the records of c into s. */
static enum kkc_code read_rows(struct csv *c, const char *name, struct standards *s,
                               struct kkc_err *err)
{
    char *f[CSV_MAX_FIELDS], *v[NCOL];
    int col[NCOL], nf, r;
    if (csv_next(c, f, &nf, err) != 1)
        return kkc_err_set(err, KKC_EINVAL, "%s: no header", name);
    for (int i = 0; i < NCOL; i++)
        if ((col[i] = csv_column(f, nf, columns[i])) < 0)
            return kkc_err_set(err, KKC_EINVAL, "%s: the header lacks %s", name, columns[i]);
    while ((r = csv_next(c, f, &nf, err)) != 0) {
        const char *why;
        struct standard d = {0};
        if (r < 0)
            return kkc_err_set(err, KKC_EINVAL, "%s:%ld: %s", name, csv_line(c), err->msg);
        for (int i = 0; i < NCOL; i++)
            v[i] = col[i] < nf ? f[col[i]] : "";
        if (s->n == STANDARDS_MAX)
            return kkc_err_set(err, KKC_EINVAL, "%s: more than %d standards", name, STANDARDS_MAX);
        if (!parse_row(s, v, &d, &why))
            return kkc_err_set(err, KKC_EINVAL, "%s:%ld: bad or missing %s", name, csv_line(c),
                               why);
        s->item[s->n++] = d;
        if (!d.id || !d.description_cs || !d.description_en || !d.source)
            return kkc_err_set(err, KKC_ENOMEM, "out of memory (standards)");
    }
    return KKC_OK;
}

/* Parse an open stream. */
static enum kkc_code parse_stream(FILE *f, const char *name, struct standards **out,
                                  struct kkc_err *err)
{
    struct csv *c = NULL;
    struct standards *s = calloc(1, sizeof *s);
    enum kkc_code rc =
        s ? csv_from_stream(f, &c, err) : kkc_err_set(err, KKC_ENOMEM, "out of memory (standards)");
    if (!rc)
        rc = read_rows(c, name, s, err);
    csv_close(c);
    if (rc)
        standards_destroy(s), s = NULL;
    *out = s;
    return rc;
}

enum kkc_code standards_parse(const char *text, const char *name, struct standards **out,
                              struct kkc_err *err)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    enum kkc_code rc;
    *out = NULL;
    if (!f)
        return kkc_err_set(err, KKC_ENOMEM, "cannot read %s", name);
    rc = parse_stream(f, name, out, err);
    fclose(f);
    return rc;
}

enum kkc_code standards_load(const char *path, struct standards **out, struct kkc_err *err)
{
    FILE *f = fopen(path, "r");
    enum kkc_code rc;
    *out = NULL;
    if (!f)
        return kkc_err_set(err, KKC_EINVAL, "cannot open %s", path);
    rc = parse_stream(f, path, out, err);
    fclose(f);
    return rc;
}

enum kkc_code standards_builtin(struct standards **out, struct kkc_err *err)
{
    return standards_parse(kkc_standards_csv, "data/standards.csv", out, err);
}

size_t standards_count(const struct standards *s)
{
    return s ? s->n : 0;
}

const struct standard *standards_get(const struct standards *s, size_t i)
{
    return s && i < s->n ? &s->item[i] : NULL;
}

const struct standard *standards_find(const struct standards *s, const char *id)
{
    for (size_t i = 0; id && s && i < s->n; i++)
        if (s->item[i].id && strcmp(s->item[i].id, id) == 0)
            return &s->item[i];
    return NULL;
}

void standards_ids(const struct standards *s, char *buf, size_t cap)
{
    size_t len = 0;
    if (cap)
        buf[0] = '\0';
    for (size_t i = 0; s && i < s->n && len < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", s->item[i].id);
}
