/* geo/base/store.h -- the SpatiaLite database: opening a connection, the schema, small SQL helpers.
 *
 * One struct store wraps one sqlite3 connection with SpatiaLite initialised on it (its own
 * spatialite cache, so connections are independent and may live on different threads; a single
 * connection is used by one thread at a time). */
#ifndef KKC_STORE_H
#define KKC_STORE_H

#include "base/err.h"

#include <sqlite3.h>

struct store;

enum store_mode {
    STORE_READONLY = 0, /* queries only */
    STORE_READWRITE,    /* admin writes on an existing database (WAL) */
    STORE_CREATE,       /* a new, empty file: the schema is applied */
};

/* Open path in mode. On success *out is the caller's, released with store_close(). For
 * STORE_CREATE the file must not exist yet; the schema (data/schema.sql, compiled in) is applied. */
enum kkc_code store_open(const char *path, enum store_mode mode, struct store **out,
                         struct kkc_err *err);

/* Close the connection and free st; NULL is a no-op. */
void store_close(struct store *st);

/* The underlying connection, borrowed: valid until store_close(). */
sqlite3 *store_db(struct store *st);

/* Run one or more SQL statements with no result rows. */
enum kkc_code store_exec(struct store *st, const char *sql, struct kkc_err *err);

/* Prepare one statement; *out is the caller's to sqlite3_finalize(). */
enum kkc_code store_prepare(struct store *st, const char *sql, sqlite3_stmt **out,
                            struct kkc_err *err);

/* Read a meta value (key/value table) into buf; KKC_ENOTFOUND when absent. */
enum kkc_code store_meta_get(struct store *st, const char *key, char *buf, size_t cap,
                             struct kkc_err *err);
enum kkc_code store_meta_set(struct store *st, const char *key, const char *value,
                             struct kkc_err *err);

/* Fill err from the connection's last error with a short context ("insert centre"). Returns
 * KKC_EDB. */
enum kkc_code store_fail(struct store *st, const char *context, struct kkc_err *err);

/* The number of rows of table (a plain name); 0 when it cannot be counted (no such table). */
long store_count_rows(struct store *st, const char *table);

/* Keep one import report line (file, row, reason) in the import_report table; a failure to
 * write it is ignored (the report is also given to the caller's callback). */
void store_report_row(struct store *st, const char *file, long row, const char *reason);

#endif
