/* tests/fuzz/fuzz_util.h -- what the fuzz targets share: a private temporary directory, small
 * hand-made stores and a served world built from them, response checks.
 *
 * Everything here is set up once per process (at LLVMFuzzerInitialize or on first use) and torn
 * down at exit; a set-up failure aborts, since a fuzzer without its fixture finds nothing. The
 * targets are single-threaded, like libFuzzer itself. */
#ifndef KKC_FUZZ_UTIL_H
#define KKC_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct world_holder;
struct api_res;

/* The libFuzzer entry points every target defines (declared for -Wmissing-prototypes). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The ids of the centres in every fixture store (NULL-terminated); FZ_CLOSED_ID is closed. */
extern const char *const fz_centre_ids[];
#define FZ_CLOSED_ID "FZ-P2"
#define FZ_ADMIN_TOKEN "fuzz-admin-token-0123456789"

/* A path "DIR/name" in this process's temporary directory (created on first use, removed with
 * its contents at exit). The string is static: valid until the next call. */
const char *fz_path(const char *name);
/* Write size bytes to fz_path(name) (replacing the file) and return that path; aborts on I/O
 * failure. */
const char *fz_write(const char *name, const uint8_t *data, size_t size);

enum fz_store_parts {
    FZ_REFERENCE = 1, /* a country outline and a few municipalities */
    FZ_CENTRES = 2,   /* the fixture centres (FZ_CLOSED_ID closed) */
    FZ_ROADS = 4,     /* a 3x3 street grid from a tiny OSM file */
};
/* A new database fz_path(name) with the given parts, closed again; returns its path (static).
 * Aborts on any failure. */
const char *fz_build_db(const char *name, unsigned parts);
/* Open fz_build_db(name, parts) read-write; the caller store_close()s it. */
struct store *fz_open_db(const char *name, unsigned parts);

/* The served world over fz_build_db("world.sqlite", all parts): a holder whose world is loaded
 * once; borrowed, lives until exit. */
struct world_holder *fz_world(void);
/* Reload the holder's world from its database file (after a write was undone). */
void fz_world_reload(void);

/* Import the centres file at path (its suffix picks CSV or GeoJSON) into a database with the
 * reference data and the fixture centres, inside a savepoint that is rolled back afterwards.
 * Aborts when the import breaks its contract: a row written that the rules reject (id 1..64,
 * a name, a known kind, WGS84 range), counts that disagree with the rows, a fixture centre
 * changed, an error code outside the documented ones. */
void fz_import_centres(const char *path);

/* Abort unless res is a well-formed API answer: a status in 200..599, and a body that parses as
 * JSON (an object with string "code" and "message" when the status is >= 400), or no body for
 * 204. what names the request in the message printed before aborting. */
void fz_check_response(const struct api_res *res, const char *what);

/* Print "fuzz invariant failed: ..." with the formatted reason and abort (a finding). */
/* The number a query on st answers (count(*)...), -1 when it fails. */
long long fz_count_sql(struct store *st, const char *sql);
/* An import report callback (ud: a long counting the reports): a report must carry a file name
 * and a reason (row: a CSV row, or an OSM id, which may be negative); both are touched so ASan
 * sees bad pointers. */
void fz_report_check(void *ud, const char *file, long row, const char *reason);

void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
