/* geo/road/cch_cache.h -- the metric-independent part of a CCH (cch.h) in a file, so a large graph
 * serves within seconds: cch_cache_save() writes every array of a struct cch after a header,
 * each 8-byte aligned; cch_cache_load() maps the file read-only and points the arrays into it (one
 * mmap, no parsing; pages are read as queries touch them).
 *
 * A file is valid for one input only: the header holds a key chosen by the caller (the data
 * version of the database), the node and arc counts and a hash of the input's arcs; a file that
 * does not match is reported as stale and the caller rebuilds. Files are written aside and
 * renamed over the old one, so a reader never sees half a file. */
#ifndef KKC_CCH_CACHE_H
#define KKC_CCH_CACHE_H

#include "base/err.h"
#include "road/cch.h"

/* Write c (built from in) to path, tagged with key (at most 63 bytes). KKC_EIO. */
enum kkc_code cch_cache_save(const struct cch *c, const struct cch_input *in, const char *key,
                             const char *path, struct kkc_err *err);
/* Map path as the hierarchy of `in` under key. KKC_ENOTFOUND when there is no file or it is
 * stale (another key, another input, another format), KKC_EIO when it cannot be read,
 * KKC_EINVAL when its content is inconsistent. *out is freed with cch_destroy(). */
enum kkc_code cch_cache_load(const struct cch_input *in, const char *key, const char *path,
                             struct cch **out, struct kkc_err *err);

/* The customized costs of metric m (up[], down[], mid[]) and its weights in a second file, keyed
 * by key and a hash of m's weights, so a restart with the same data skips the customization.
 * KKC_EIO. */
enum kkc_code cch_metric_save(const struct cch_metric *m, const char *key, const char *path,
                              struct kkc_err *err);
/* A metric for c with the given weights (one per input arc), its costs read from path in one
 * pass. KKC_ENOTFOUND when there is no file or it is stale (another key, hierarchy or weights),
 * KKC_EIO, KKC_ENOMEM. *out is freed with cch_metric_destroy(). */
enum kkc_code cch_metric_load(const struct cch *c, const cch_cost *weight, const char *key,
                              const char *path, struct cch_metric **out, struct kkc_err *err);

/* A metric mapped from its file (cch_metric_map): the open file and its mapping, where the
 * metric's weight, up, down and mid arrays lie at the given offsets. map is NULL when not
 * mapped. */
struct cch_metric_file {
    int fd;
    void *map;
    size_t len, off_weight, off_up, off_down, off_mid;
};
/* The same metric as cch_metric_load(), without reading the file: it is mapped privately
 * (MAP_PRIVATE, copy-on-write) and the metric's arrays point into the mapping, so pages are read
 * as queries touch them and stay shared with the page cache until written. The file's header and
 * weights are checked against c, key and weight. A write (cch_metric_update, customize) changes
 * this metric only, never the file: whoever maps file->fd again (closures/derive.c) gets the
 * file's costs, so the service never writes such a metric in place. It is freed with
 * cch_metric_unmap(m, file), never with cch_metric_destroy(). Same codes as cch_metric_load(). */
enum kkc_code cch_metric_map(const struct cch *c, const cch_cost *weight, const char *key,
                             const char *path, struct cch_metric **out,
                             struct cch_metric_file *file, struct kkc_err *err);
/* Free a metric of cch_metric_map(): the struct, the mapping and the descriptor; *file is reset
 * (map NULL, fd -1). */
void cch_metric_unmap(struct cch_metric *m, struct cch_metric_file *file);

/* The same metric as cch_metric_create(c, NULL, weight) would customize, from the file's
 * metric for other weights (same key and hierarchy) updated by cch_metric_update() over the
 * input arcs whose weight differs (their number in *changed): a closure re-customizes only what
 * lies above the arcs it changes. KKC_ENOTFOUND when there is no usable file or more than
 * max_changed arcs differ (a full customization is then cheaper), KKC_EIO, KKC_ENOMEM. */
enum kkc_code cch_metric_load_update(const struct cch *c, const cch_cost *weight, const char *key,
                                     const char *path, uint64_t max_changed,
                                     struct cch_metric **out, uint64_t *changed,
                                     struct kkc_err *err);

#endif
