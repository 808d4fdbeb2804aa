/* geo/road/cch_cache.c -- a CCH hierarchy in a file, mapped back with one mmap. See cch_cache.h. */
#include "road/cch_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define CCH_MAGIC "KKCCCH02" /* 2: the cut-based order on turn graphs (cch_order.h) */
#define NARRAYS 12

struct header {
    char magic[8];
    char key[64];
    uint64_t n, arc_count, input_arcs, input_hash;
    uint64_t off[NARRAYS], len[NARRAYS]; /* byte offset and length of each array */
};

/* FNV-1a over the input's offsets and heads: another topology gives another hash. */
static uint64_t input_hash(const struct cch_input *in)
{
    uint64_t h = 1469598103934665603ull;
    for (uint32_t v = 0; v <= in->n; v++)
        h = (h ^ in->first_out[v]) * 1099511628211ull;
    for (uint64_t a = 0; a < in->first_out[in->n]; a++)
        h = (h ^ in->head[a]) * 1099511628211ull;
    return h;
}

/* The arrays of c in file order, with their lengths in bytes. */
static void arrays(struct cch *c, void **p[NARRAYS], uint64_t len[NARRAYS])
{
    uint64_t n = c->n, m = c->arc_count, mi = c->input_arcs;
    p[0] = (void **)&c->rank, len[0] = n * 4;
    p[1] = (void **)&c->order, len[1] = n * 4;
    p[2] = (void **)&c->parent, len[2] = n * 4;
    p[3] = (void **)&c->up_first, len[3] = (n + 1) * 8;
    p[4] = (void **)&c->up_head, len[4] = m * 4;
    p[5] = (void **)&c->down_first, len[5] = (n + 1) * 8;
    p[6] = (void **)&c->down_tail, len[6] = m * 4;
    p[7] = (void **)&c->down_arc, len[7] = m * 4;
    p[8] = (void **)&c->in_first, len[8] = (m + 1) * 8;
    p[9] = (void **)&c->in_arc, len[9] = c->in_first[m] * 4;
    p[10] = (void **)&c->arc_tail, len[10] = m * 4;
    p[11] = (void **)&c->arc_of_in, len[11] = mi * 4;
}

static int write_all(FILE *f, const void *p, uint64_t len)
{
    static const char zero[8];
    return fwrite(p, 1, len, f) != len || fwrite(zero, 1, (8 - len % 8) % 8, f) != (8 - len % 8) % 8;
}

/* PATH.tmp.PID: files are written aside, then renamed over PATH. -1 when it does not fit. */
static int tmp_name(char *tmp, size_t size, const char *path)
{
    return snprintf(tmp, size, "%s.tmp.%ld", path, (long)getpid()) >= (int)size ? -1 : 0;
}

/* Close f (written to tmp; bad: a write failed) and rename tmp over path, or remove it. */
static enum kkc_code finish_write(FILE *f, int bad, const char *tmp, const char *path,
                                  struct kkc_err *err)
{
    if (f && fclose(f))
        bad = 1;
    if (bad || rename(tmp, path)) {
        int e = errno;
        unlink(tmp);
        return kkc_err_set(err, KKC_EIO, "cannot write %s: %s", path, strerror(e));
    }
    return KKC_OK;
}

enum kkc_code cch_cache_save(const struct cch *c, const struct cch_input *in, const char *key,
                             const char *path, struct kkc_err *err)
{
    struct header h = {0};
    struct cch copy = *c;
    void **p[NARRAYS];
    char tmp[4096];
    if (tmp_name(tmp, sizeof tmp, path))
        return kkc_err_set(err, KKC_EIO, "cache path too long");
    memcpy(h.magic, CCH_MAGIC, 8);
    snprintf(h.key, sizeof h.key, "%s", key);
    h.n = c->n, h.arc_count = c->arc_count, h.input_arcs = c->input_arcs;
    h.input_hash = input_hash(in);
    arrays(&copy, p, h.len);
    uint64_t at = sizeof h;
    for (int i = 0; i < NARRAYS; i++)
        h.off[i] = at, at += (h.len[i] + 7) / 8 * 8;
    FILE *f = fopen(tmp, "wb");
    int bad = !f || write_all(f, &h, sizeof h);
    for (int i = 0; !bad && i < NARRAYS; i++)
        bad = write_all(f, *p[i], h.len[i]);
    return finish_write(f, bad, tmp, path, err);
}

/* The mapped file's header against the input; 0 when it is this input's hierarchy. */
static int header_ok(const struct header *h, size_t size, const struct cch_input *in,
                     const char *key)
{
    if (memcmp(h->magic, CCH_MAGIC, 8) || strncmp(h->key, key, sizeof h->key) ||
        h->n != in->n || h->input_arcs != in->first_out[in->n] || h->input_hash != input_hash(in))
        return -1;
    for (int i = 0; i < NARRAYS; i++)
        if (h->off[i] % 8 || h->off[i] > size || h->len[i] > size - h->off[i])
            return -2;
    return h->len[8] == (h->arc_count + 1) * 8 ? 0 : -2;
}

enum kkc_code cch_cache_load(const struct cch_input *in, const char *key, const char *path,
                             struct cch **out, struct kkc_err *err)
{
    struct stat sb;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kkc_err_set(err, errno == ENOENT ? KKC_ENOTFOUND : KKC_EIO, "%s: %s", path,
                           strerror(errno));
    if (fstat(fd, &sb) || (size_t)sb.st_size < sizeof(struct header)) {
        close(fd);
        return kkc_err_set(err, KKC_ENOTFOUND, "%s: too short", path);
    }
    void *map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return kkc_err_set(err, KKC_EIO, "%s: mmap: %s", path, strerror(errno));
    const struct header *h = map;
    int ok = header_ok(h, (size_t)sb.st_size, in, key);
    struct cch *c = ok ? NULL : calloc(1, sizeof *c);
    if (!c) {
        munmap(map, (size_t)sb.st_size);
        return ok ? kkc_err_set(err, ok == -1 ? KKC_ENOTFOUND : KKC_EINVAL, "%s: %s", path,
                                ok == -1 ? "stale (another data version or graph)" : "corrupt")
                  : kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH cache)");
    }
    c->n = (uint32_t)h->n, c->arc_count = h->arc_count, c->input_arcs = h->input_arcs;
    c->mapping = map, c->mapping_len = (size_t)sb.st_size;
    void **p[NARRAYS];
    uint64_t len[NARRAYS];
    c->in_first = (uint64_t *)((char *)map + h->off[8]); /* arrays() reads in_first[m] */
    arrays(c, p, len);
    for (int i = 0; i < NARRAYS; i++)
        *p[i] = (char *)map + h->off[i];
    arrays(c, p, len);
    for (int i = 0; i < NARRAYS; i++)
        if (len[i] != h->len[i]) {
            cch_destroy(c);
            return kkc_err_set(err, KKC_EINVAL, "%s: corrupt (array %d)", path, i);
        }
    *out = c;
    return KKC_OK;
}

/* ---- the customized metric ----------------------------------------------------------------- */

#define METRIC_MAGIC "KKCCCHM3" /* 2: the weights follow the costs; 3: the middles (cch.h) too */

struct metric_header {
    char magic[8];
    char key[64];
    uint64_t arc_count, input_arcs, weight_hash, topo_hash;
};

static uint64_t weight_hash(const cch_cost *w, uint64_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (uint64_t i = 0; i < n; i++)
        h = (h ^ w[i]) * 1099511628211ull;
    return h;
}

/* The hierarchy's arcs: costs belong to one arc numbering. */
static uint64_t topo_hash(const struct cch *c)
{
    uint64_t h = 1469598103934665603ull;
    for (uint64_t a = 0; a < c->arc_count; a++)
        h = (h ^ c->up_head[a]) * 1099511628211ull;
    for (uint32_t v = 0; v <= c->n; v++)
        h = (h ^ c->up_first[v]) * 1099511628211ull;
    return h;
}

enum kkc_code cch_metric_save(const struct cch_metric *m, const char *key, const char *path,
                              struct kkc_err *err)
{
    struct metric_header h = {0};
    char tmp[4096];
    if (tmp_name(tmp, sizeof tmp, path))
        return kkc_err_set(err, KKC_EIO, "cache path too long");
    memcpy(h.magic, METRIC_MAGIC, 8);
    snprintf(h.key, sizeof h.key, "%s", key);
    h.arc_count = m->c->arc_count, h.input_arcs = m->c->input_arcs;
    h.weight_hash = weight_hash(m->weight, m->c->input_arcs);
    h.topo_hash = topo_hash(m->c);
    FILE *f = fopen(tmp, "wb");
    int bad = !f || write_all(f, &h, sizeof h) || write_all(f, m->up, h.arc_count * 8) ||
              write_all(f, m->down, h.arc_count * 8) || write_all(f, m->mid, h.arc_count * 8) ||
              write_all(f, m->weight, h.input_arcs * 8);
    return finish_write(f, bad, tmp, path, err);
}

/* The metric header h against hierarchy c, key and (when not NULL) the weights. */
static int metric_header_ok(const struct metric_header *h, const struct cch *c,
                            const cch_cost *weight, const char *key)
{
    return !memcmp(h->magic, METRIC_MAGIC, 8) && !strncmp(h->key, key, sizeof h->key) &&
           h->arc_count == c->arc_count && h->input_arcs == c->input_arcs &&
           (!weight || h->weight_hash == weight_hash(weight, c->input_arcs)) &&
           h->topo_hash == topo_hash(c);
}

/* Read the metric file at path for c under key into a new metric, its weights those of the
 * file; with `weight` (not NULL) only when the file's weights hash to the same. */
static enum kkc_code metric_read(const struct cch *c, const cch_cost *weight, const char *key,
                                 const char *path, struct cch_metric **out, struct kkc_err *err)
{
    struct metric_header h;
    FILE *f = fopen(path, "rb");
    if (!f)
        return kkc_err_set(err, errno == ENOENT ? KKC_ENOTFOUND : KKC_EIO, "%s: %s", path,
                           strerror(errno));
    int ok = fread(&h, sizeof h, 1, f) == 1 && metric_header_ok(&h, c, weight, key);
    struct cch_metric *m = NULL;
    enum kkc_code rc = ok ? KKC_OK : kkc_err_set(err, KKC_ENOTFOUND, "%s: stale", path);
    if (!rc && (m = calloc(1, sizeof *m)) != NULL) {
        m->c = c;
        m->weight = malloc((c->input_arcs + 1) * sizeof *m->weight);
        m->up = malloc((c->arc_count + 1) * sizeof *m->up);
        m->down = malloc((c->arc_count + 1) * sizeof *m->down);
        m->mid = malloc((c->arc_count + 1) * 2 * sizeof *m->mid);
    }
    if (!rc && (!m || !m->weight || !m->up || !m->down || !m->mid))
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH metric)");
    if (!rc && (fread(m->up, 8, c->arc_count, f) != c->arc_count ||
                fread(m->down, 8, c->arc_count, f) != c->arc_count ||
                fread(m->mid, 8, c->arc_count, f) != c->arc_count ||
                fread(m->weight, 8, c->input_arcs, f) != c->input_arcs ||
                weight_hash(m->weight, c->input_arcs) != h.weight_hash))
        rc = kkc_err_set(err, KKC_ENOTFOUND, "%s: too short", path);
    fclose(f);
    if (rc) {
        cch_metric_destroy(m);
        return rc;
    }
    *out = m;
    return KKC_OK;
}

enum kkc_code cch_metric_load(const struct cch *c, const cch_cost *weight, const char *key,
                              const char *path, struct cch_metric **out, struct kkc_err *err)
{
    return metric_read(c, weight, key, path, out, err);
}

/* The metric in the mapping of f (checked by the caller): its arrays point into it. */
static enum kkc_code metric_in(const struct cch *c, struct cch_metric_file *f,
                               struct cch_metric **out, struct kkc_err *err)
{
    struct cch_metric *m = calloc(1, sizeof *m);
    if (!m)
        return kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH metric)");
    f->off_up = sizeof(struct metric_header);
    f->off_down = f->off_up + c->arc_count * sizeof(cch_cost);
    f->off_mid = f->off_down + c->arc_count * sizeof(cch_cost);
    f->off_weight = f->off_mid + c->arc_count * 2 * sizeof(uint32_t);
    m->c = c;
    m->up = (cch_cost *)((char *)f->map + f->off_up);
    m->down = (cch_cost *)((char *)f->map + f->off_down);
    m->mid = (uint32_t *)((char *)f->map + f->off_mid);
    m->weight = (cch_cost *)((char *)f->map + f->off_weight);
    *out = m;
    return KKC_OK;
}

enum kkc_code cch_metric_map(const struct cch *c, const cch_cost *weight, const char *key,
                             const char *path, struct cch_metric **out,
                             struct cch_metric_file *file, struct kkc_err *err)
{
    struct stat sb;
    size_t len = sizeof(struct metric_header) + (3 * c->arc_count + c->input_arcs) * 8;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kkc_err_set(err, errno == ENOENT ? KKC_ENOTFOUND : KKC_EIO, "%s: %s", path,
                           strerror(errno));
    if (fstat(fd, &sb) || (uint64_t)sb.st_size != len) {
        close(fd);
        return kkc_err_set(err, KKC_ENOTFOUND, "%s: stale", path);
    }
    void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0); /* writes: private */
    if (map == MAP_FAILED) {
        close(fd);
        return kkc_err_set(err, KKC_EIO, "%s: mmap: %s", path, strerror(errno));
    }
    struct cch_metric_file f = {.fd = fd, .map = map, .len = len};
    enum kkc_code rc = KKC_OK;
    /* the header, then the file's weights themselves: a metric of other weights is stale */
    if (!metric_header_ok(map, c, weight, key) ||
        memcmp((char *)map + len - c->input_arcs * 8, weight, c->input_arcs * 8))
        rc = kkc_err_set(err, KKC_ENOTFOUND, "%s: stale", path);
    if (!rc)
        rc = metric_in(c, &f, out, err);
    if (rc) {
        munmap(map, len);
        close(fd);
        return rc;
    }
    *file = f;
    return KKC_OK;
}

void cch_metric_unmap(struct cch_metric *m, struct cch_metric_file *file)
{
    if (file->map) {
        munmap(file->map, file->len);
        close(file->fd);
    }
    free(m);
    *file = (struct cch_metric_file){.fd = -1};
}

enum kkc_code cch_metric_load_update(const struct cch *c, const cch_cost *weight, const char *key,
                                     const char *path, uint64_t max_changed,
                                     struct cch_metric **out, uint64_t *changed,
                                     struct kkc_err *err)
{
    struct cch_metric *m = NULL;
    uint64_t n = 0, *arcs = NULL;
    cch_cost *w = NULL;
    enum kkc_code rc = metric_read(c, NULL, key, path, &m, err);
    for (uint64_t a = 0; !rc && a < c->input_arcs; a++)
        n += m->weight[a] != weight[a];
    if (!rc && n > max_changed)
        rc = kkc_err_set(err, KKC_ENOTFOUND, "%s: %llu arcs changed, over %llu", path,
                         (unsigned long long)n, (unsigned long long)max_changed);
    if (!rc && (!(arcs = malloc((n + 1) * sizeof *arcs)) || !(w = malloc((n + 1) * sizeof *w))))
        rc = kkc_err_set(err, KKC_ENOMEM, "out of memory (CCH metric update)");
    for (uint64_t a = 0, k = 0; !rc && a < c->input_arcs; a++)
        if (m->weight[a] != weight[a])
            arcs[k] = a, w[k++] = weight[a];
    if (!rc)
        rc = cch_metric_update(m, arcs, w, n, NULL, err);
    free(arcs), free(w);
    if (rc) {
        cch_metric_destroy(m);
        return rc;
    }
    *changed = n;
    *out = m;
    return KKC_OK;
}
