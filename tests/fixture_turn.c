/* tests/fixture_turn.c -- a turn-expanded graph of a PACE topology with seeded costs
 * (fixture_turn.h). */
#include "fixture_turn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* splitmix64 of (seed, i): a fixed pseudo-random 64-bit value per index. */
static uint64_t mix(unsigned long long seed, uint64_t i)
{
    uint64_t z = (uint64_t)seed * 0x9E3779B97F4A7C15ULL + (i + 1) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform in lo..hi from (seed, i). */
static uint64_t uniform(unsigned long long seed, uint64_t i, uint64_t lo, uint64_t hi)
{
    return lo + (uint64_t)((double)(mix(seed, i) >> 11) / 9007199254740992.0 * (double)(hi - lo + 1));
}

static int read_edges(FILE *f, uint64_t n, uint64_t m, uint32_t *e)
{
    char line[128];
    unsigned long long u, v;
    uint64_t k = 0;
    while (k < m && fgets(line, sizeof line, f)) {
        if (line[0] == 'c' || sscanf(line, "%llu %llu", &u, &v) != 2)
            continue;
        if (u < 1 || v < 1 || u > n || v > n)
            return -1;
        e[2 * k] = (uint32_t)(u - 1), e[2 * k + 1] = (uint32_t)(v - 1), k++;
    }
    return k == m ? 0 : -1;
}

int ft_read_gr(const char *path, uint32_t *n_out, uint64_t **first_out, uint32_t **head_out)
{
    char cmd[4200], line[128];
    unsigned long long n = 0, m = 0;
    snprintf(cmd, sizeof cmd, "xz -dcf '%s'", path);
    FILE *f = popen(cmd, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f) && line[0] == 'c')
        ;
    uint32_t *e = NULL;
    int bad = sscanf(line, "p tw %llu %llu", &n, &m) != 2 || n >= UINT32_MAX ||
              !(e = malloc((2 * m + 1) * sizeof *e)) || read_edges(f, n, m, e);
    pclose(f);
    uint64_t *first = bad ? NULL : calloc(n + 2, sizeof *first);
    uint32_t *head = bad ? NULL : malloc((2 * m + 1) * sizeof *head);
    if (!first || !head)
        return free(e), free(first), free(head), -1;
    for (uint64_t i = 0; i < 2 * m; i++)
        first[e[i] + 1]++;
    for (uint64_t x = 0; x < n; x++)
        first[x + 1] += first[x];
    uint64_t *at = malloc((n + 1) * sizeof *at);
    if (!at)
        return free(e), free(first), free(head), -1;
    memcpy(at, first, (n + 1) * sizeof *at);
    for (uint64_t i = 0; i < m; i++)
        head[at[e[2 * i]]++] = e[2 * i + 1], head[at[e[2 * i + 1]]++] = e[2 * i];
    free(at), free(e);
    *n_out = (uint32_t)n, *first_out = first, *head_out = head;
    return 0;
}

/* Every out-arc of v heads back to u: a u-turn there is the only way on. */
static int dead_end(const uint64_t *first, const uint32_t *head, uint32_t v, uint32_t u)
{
    for (uint64_t b = first[v]; b < first[v + 1]; b++)
        if (head[b] != u)
            return 0;
    return 1;
}

/* The turns out of routing node a = (u -> v) into t's arrays from position k (or only counted
 * when t->head is NULL); returns the new k. */
static uint64_t turns_of(const uint64_t *first, const uint32_t *head, uint32_t u, uint64_t a,
                         unsigned long long seed, struct ft_turns *t, uint64_t k)
{
    uint32_t v = head[a];
    int end = dead_end(first, head, v, u);
    for (uint64_t b = first[v]; b < first[v + 1]; b++) {
        int back = head[b] == u;
        if (back && !end)
            continue; /* no u-turn but at a dead end */
        if (!back && mix(seed, a * 64 + (b - first[v])) % 50 == 0) {
            t->forbidden += !t->head; /* a restriction: about 2 % of the turns */
            continue;
        }
        if (t->head)
            t->head[k] = (uint32_t)b, t->uturn[k] = (uint8_t)back;
        else
            t->uturns += back;
        k++;
    }
    return k;
}

int ft_expand(uint32_t n, const uint64_t *first, const uint32_t *head, unsigned long long topo_seed,
              unsigned long long cost_seed, struct ft_turns *t)
{
    uint64_t na = first[n], k = 0;
    memset(t, 0, sizeof *t);
    if (na >= UINT32_MAX)
        return -1;
    t->n = (uint32_t)na, t->junctions = n;
    t->first = malloc((na + 1) * sizeof *t->first);
    t->ends = malloc(2 * (na + 1) * sizeof *t->ends);
    if (!t->first || !t->ends)
        return ft_free(t), -1;
    for (uint32_t u = 0; u < n; u++)
        for (uint64_t a = first[u]; a < first[u + 1]; a++)
            t->ends[a] = u, t->ends[na + a] = head[a];
    for (int pass = 0; pass < 2; pass++) { /* count, then fill */
        k = 0;
        for (uint32_t u = 0; u < n; u++)
            for (uint64_t a = first[u]; a < first[u + 1]; a++) {
                t->first[a] = k;
                k = turns_of(first, head, u, a, topo_seed, t, k);
            }
        t->first[na] = k;
        if (pass == 0) {
            t->head = malloc((k + 1) * sizeof *t->head);
            t->uturn = malloc(k + 1);
            t->w = malloc((k + 1) * sizeof *t->w);
            if (!t->head || !t->uturn || !t->w)
                return ft_free(t), -1;
        }
    }
    ft_weigh(t, cost_seed, t->w);
    return 0;
}

void ft_weigh(const struct ft_turns *t, unsigned long long seed, uint64_t *w)
{
    for (uint64_t k = 0; k < t->first[t->n]; k++) {
        uint64_t seg = uniform(seed, t->head[k], 1, 100000);
        uint64_t turn = uniform(seed ^ 0x5eedULL, k, 0, 5000);
        w[k] = seg + turn + (t->uturn[k] ? 30000 : 0);
    }
}

void ft_free(struct ft_turns *t)
{
    free(t->first), free(t->head), free(t->uturn), free(t->w), free(t->ends);
    memset(t, 0, sizeof *t);
}
