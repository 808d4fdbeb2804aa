/* geo/road/service_profile.c -- service vehicle profiles. See service_profile.h. */
#include "road/service_profile.h"

#include "base/csv.h"
#include "road/road_ch.h"
#include "road/tnet.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const class_names[SERVICE_CLASSES] = {
    "motorway",     "trunk",       "primary", "secondary",     "tertiary",
    "unclassified", "residential", "service", "living_street", "other"};

static const struct service_profile builtin[PROFILE_COUNT] = {
    {"car", {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0}, 0},
    {"police", {1.10, 1.10, 1.15, 1.15, 1.15, 1.10, 1.05, 1.0, 1.0, 1.0}, 1},
    {"fire", {0.85, 0.85, 0.95, 0.95, 0.95, 0.90, 0.90, 0.80, 0.80, 0.70}, 1},
    {"ambulance", {1.05, 1.05, 1.10, 1.10, 1.10, 1.05, 1.0, 1.0, 1.0, 0.90}, 1},
};

void service_profile_table(struct service_profile *table)
{
    memcpy(table, builtin, sizeof builtin);
}

int service_profile_find(const char *name)
{
    for (int i = 0; name && i < PROFILE_COUNT; i++)
        if (strcmp(name, builtin[i].name) == 0)
            return i;
    return -1;
}

const char *service_profile_names(void)
{
    return "car, police, fire, ambulance";
}

enum service_profile_id service_profile_of_kind(enum centre_kind k)
{
    return k == KIND_POLICE ? PROFILE_POLICE : k == KIND_FIRE ? PROFILE_FIRE : PROFILE_AMBULANCE;
}

static int class_find(const char *s)
{
    for (int i = 0; i < SERVICE_CLASSES; i++)
        if (strcmp(s, class_names[i]) == 0)
            return i;
    return -1;
}

/* Apply one row to table; 0 when it is bad. */
static int apply_row(char **f, int nf, struct service_profile *table)
{
    char *end;
    int p = nf == 3 ? service_profile_find(f[0]) : -1, c = nf == 3 ? class_find(f[1]) : -1;
    double v = nf == 3 ? strtod(f[2], &end) : 0;
    if (p < 0 || c < 0 || *end || !(v > 0 && v <= 3))
        return 0;
    table[p].factor[c] = v;
    return 1;
}

enum kkc_code service_profile_parse(const char *text, struct service_profile *table,
                                    struct kkc_err *err)
{
    FILE *fp = fmemopen((void *)text, strlen(text), "r");
    struct csv *c = NULL;
    char *f[CSV_MAX_FIELDS];
    int nf, r;
    enum kkc_code rc = fp ? csv_from_stream(fp, &c, err)
                          : kkc_err_set(err, KKC_ENOMEM, "cannot read the profile file");
    if (!rc && csv_next(c, f, &nf, err) != 1)
        rc = kkc_err_set(err, KKC_EINVAL, "profile file: no header");
    while (!rc && (r = csv_next(c, f, &nf, err)) != 0)
        if (r < 0 || !apply_row(f, nf, table))
            rc = kkc_err_set(err, KKC_EINVAL,
                             "profile file line %ld: want profile (%s),class,factor in (0, 3]",
                             csv_line(c), service_profile_names());
    csv_close(c);
    if (fp)
        fclose(fp);
    return rc;
}

/* cost with its time part divided by factor. */
static graph_cost scaled(graph_cost c, double factor)
{
    double ms = llround(graph_cost_ms(c) / factor);
    return graph_cost_make(ms < 4e9 ? (uint32_t)ms : 4000000000u, graph_cost_dm(c));
}

/* Arcs a[0..n) with costs scaled by their edge's class factor. */
static struct graph_arc *scaled_arcs(const struct graph *g, const struct graph_arc *a, size_t n,
                                     const double *factor)
{
    struct graph_arc *out = malloc((n + 1) * sizeof *out);
    for (size_t i = 0; out && i < n; i++) {
        out[i] = a[i];
        out[i].cost = scaled(a[i].cost, factor[g->edge_class[a[i].edge >> 1] & GRAPH_CLASS_MASK]);
    }
    return out;
}

/* The edge flags of the profile: for an emergency vehicle its own directions (GRAPH_EMERGENCY_*
 * as GRAPH_FORWARD / GRAPH_BACKWARD) and none of the car's access rules (GRAPH_RESTRICTED: no
 * penalty onto destination or private roads; GRAPH_NO_START), the rest (GRAPH_SNAPPABLE: the
 * car's) kept. */
static uint8_t *profile_flags(const struct graph *g, const struct service_profile *p)
{
    uint8_t *f = malloc((size_t)g->edge_count + 1);
    for (uint32_t e = 0; f && e < g->edge_count; e++) {
        uint8_t x = g->edge_flags[e];
        if (p->emergency)
            x = (uint8_t)((x & ~(GRAPH_FORWARD | GRAPH_BACKWARD | GRAPH_RESTRICTED |
                                 GRAPH_NO_START)) |
                          (x & GRAPH_EMERGENCY_FORWARD ? GRAPH_FORWARD : 0) |
                          (x & GRAPH_EMERGENCY_BACKWARD ? GRAPH_BACKWARD : 0));
        f[e] = x;
    }
    return f;
}

enum kkc_code service_profile_graph(const struct graph *g, const struct service_profile *p,
                                    struct graph **out, struct kkc_err *err)
{
    struct graph *v = malloc(sizeof *v);
    size_t narcs = g->out_first[g->node_count];
    *out = NULL;
    for (int c = 0; c < SERVICE_CLASSES; c++)
        if (!(p->factor[c] > 0 && p->factor[c] <= 3))
            return free(v),
                   kkc_err_set(err, KKC_EINVAL, "profile %s: factor out of range", p->name);
    if (!v)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (profile graph)");
    *v = *g;
    v->lm_count = 0, v->lm_node = NULL, v->lm_dist = NULL;
    v->ch = NULL; /* the hierarchy holds the base costs: the view is searched directly */
    v->out = scaled_arcs(g, g->out, narcs, p->factor);
    v->in = scaled_arcs(g, g->in, g->in_first[g->node_count], p->factor);
    v->edge_cost = malloc(((size_t)g->edge_count + 1) * sizeof *v->edge_cost);
    v->edge_flags = profile_flags(g, p);
    for (uint32_t e = 0; v->edge_cost && e < g->edge_count; e++)
        v->edge_cost[e] = scaled(g->edge_cost[e], p->factor[g->edge_class[e] & GRAPH_CLASS_MASK]);
    if (!v->out || !v->in || !v->edge_cost || !v->edge_flags) {
        service_profile_graph_destroy(v);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (profile graph)");
    }
    *out = v;
    return KKC_OK;
}

void service_profile_graph_destroy(struct graph *v)
{
    if (!v)
        return;
    if (v->ch) { /* its own metric on the borrowed topology */
        cch_metric_destroy(v->ch->m);
        free(v->ch);
    }
    free(v->out), free(v->in), free(v->edge_cost), free(v->edge_flags);
    free(v);
}

enum kkc_code service_profile_hierarchy(struct graph *v, const struct graph *base,
                                        struct kkc_err *err)
{
    if (!base->ch || !v->turn || v->turn != base->turn)
        return kkc_err_set(err, KKC_EINVAL, "profile hierarchy: the car's graph has none");
    uint64_t m = v->turn->first_out[v->turn->n];
    struct road_ch *ch = calloc(1, sizeof *ch);
    cch_cost *w = malloc(((size_t)m + 1) * sizeof *w);
    enum kkc_code rc =
        ch && w ? KKC_OK : kkc_err_set(err, KKC_ENOMEM, "out of memory (profile hierarchy)");
    for (uint64_t a = 0; !rc && a < m; a++)
        w[a] = tnet_arc_cost(v, a);
    if (!rc) {
        ch->c = base->ch->c;
        rc = cch_metric_create(ch->c, NULL, w, &ch->m, err);
    }
    free(w);
    if (rc) {
        free(ch);
        return rc;
    }
    if (v->ch) {
        cch_metric_destroy(v->ch->m);
        free(v->ch);
    }
    v->ch = ch;
    return KKC_OK;
}
