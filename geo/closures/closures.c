/* geo/closures/closures.c -- closure values: copying, freeing, the checks that need no database. */
#include "closures/closures.h"

#include <stdlib.h>
#include <string.h>

void closure_clear(struct closure *c)
{
    if (!c)
        return;
    free(c->ways);
    free(c->wkt);
    free(c->geojson);
    free(c->reason);
    free(c->source);
    memset(c, 0, sizeof *c);
}

static int dup_text(char **dst, const char *src)
{
    *dst = NULL;
    return src && !(*dst = strdup(src)) ? -1 : 0;
}

enum kkc_code closure_list_push(struct closure_list *l, const struct closure *c,
                                struct kkc_err *err)
{
    struct closure *d;
    if (l->len == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct closure *p = realloc(l->items, cap * sizeof *p);
        if (!p)
            return kkc_err_set(err, KKC_ENOMEM, "out of memory (closures)");
        l->items = p, l->cap = cap;
    }
    d = &l->items[l->len];
    *d = *c;
    d->ways = NULL, d->wkt = d->geojson = d->reason = d->source = NULL;
    if (c->nways && !(d->ways = malloc(c->nways * sizeof *d->ways))) {
        closure_clear(d);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (closures)");
    }
    if (c->nways)
        memcpy(d->ways, c->ways, c->nways * sizeof *d->ways);
    if (dup_text(&d->wkt, c->wkt) || dup_text(&d->geojson, c->geojson) ||
        dup_text(&d->reason, c->reason) ||
        dup_text(&d->source, c->source)) {
        closure_clear(d);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (closures)");
    }
    l->len++;
    return KKC_OK;
}

void closure_list_free(struct closure_list *l)
{
    for (size_t i = 0; l && i < l->len; i++)
        closure_clear(&l->items[i]);
    if (l) {
        free(l->items);
        memset(l, 0, sizeof *l);
    }
}

int closure_active(const struct closure *c, int64_t now)
{
    return now >= c->valid_from && (c->valid_until == 0 || now < c->valid_until);
}

enum kkc_code closure_check(const struct closure *c, struct kkc_err *err)
{
    if (!c->reason || !*c->reason || strlen(c->reason) > CLOSURE_TEXT_MAX)
        return kkc_err_set(err, KKC_EINVAL, "reason must be a non-empty text of at most %d bytes",
                           CLOSURE_TEXT_MAX);
    if (c->source && strlen(c->source) > CLOSURE_TEXT_MAX)
        return kkc_err_set(err, KKC_EINVAL, "source is longer than %d bytes", CLOSURE_TEXT_MAX);
    if (!(c->factor == 0 || (c->factor > 1 && c->factor <= CLOSURE_FACTOR_MAX)))
        return kkc_err_set(err, KKC_EINVAL,
                           "factor must be 0 (closed) or a slow-down in (1, %g]",
                           CLOSURE_FACTOR_MAX);
    if (c->dir != CLOSURE_BOTH && c->dir != CLOSURE_FORWARD && c->dir != CLOSURE_BACKWARD)
        return kkc_err_set(err, KKC_EINVAL, "direction must be both, forward or backward");
    if (c->nways == 0 && (!c->wkt || !*c->wkt) && (!c->geojson || !*c->geojson))
        return kkc_err_set(err, KKC_EINVAL, "a closure needs way ids or a geometry");
    if (c->nways > CLOSURE_WAYS_MAX)
        return kkc_err_set(err, KKC_ETOOBIG, "at most %d way ids in one closure",
                           CLOSURE_WAYS_MAX);
    for (size_t i = 0; i < c->nways; i++)
        if (c->ways[i] <= 0)
            return kkc_err_set(err, KKC_EINVAL, "way ids must be positive integers");
    if ((c->wkt && strlen(c->wkt) > CLOSURE_WKT_MAX) ||
        (c->geojson && strlen(c->geojson) > CLOSURE_WKT_MAX))
        return kkc_err_set(err, KKC_ETOOBIG, "the geometry is longer than %d bytes",
                           CLOSURE_WKT_MAX);
    if (c->valid_from < 0 || c->valid_until < 0)
        return kkc_err_set(err, KKC_EINVAL, "valid_from and valid_until must not be negative");
    if (c->valid_until != 0 && c->valid_until <= c->valid_from)
        return kkc_err_set(err, KKC_EINVAL, "valid_until must be after valid_from");
    return KKC_OK;
}
