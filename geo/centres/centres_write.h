/* geo/centres/centres_write.h -- the one write side of the centres table: one validation for
 * every writer (the reference-data import, the admin API), inserts, and the audited admin writes.
 *
 * An audited write is one SQLite transaction: the row before, the change, the row after and an
 * audit row (action, centre id, before and after as JSON objects, SQLite's json_object()). */
#ifndef KKC_CENTRES_WRITE_H
#define KKC_CENTRES_WRITE_H

#include "base/err.h"

#include <stddef.h>

struct store;

#define CENTRE_ID_MAX 64    /* bytes of an id: A-Z a-z 0-9 - _ . : */
#define CENTRE_TEXT_MAX 512 /* bytes of any text field */
#define CENTRE_TURNOUT_MAX_S 3600 /* the schema's bound on centres.turnout_s */

/* One centres row as written; NULL text fields are NULL in the table. */
struct centre_rec {
    const char *id, *name, *kind; /* kind: police, fire, ambulance */
    double lon, lat;              /* WGS84 degrees */
    const char *address, *municipality, *municipality_code, *phone, *email, *www, *hours;
    const char *source; /* "khk", "osm", "admin", ... */
    const char *status; /* "active" or "closed"; NULL: active */
    int turnout_s;      /* seconds from the call to leaving the centre, 0..CENTRE_TURNOUT_MAX_S
                           when turnout_set (or > 0); else none of its own (NULL: the kind's
                           default, coverage/response.h) */
    int turnout_set;    /* 1: turnout_s is given, even 0 */
};

/* The one validation: id, name, kind, coordinates, status, turnout (none, or 0..3600 s), the texts'
 * length and UTF-8.
 * KKC_OK, or KKC_EINVAL with a message naming the field. */
enum kkc_code centres_check(const struct centre_rec *c, struct kkc_err *err);

/* Insert c (checked first). KKC_ECONFLICT when a centre with its id exists, KKC_EINVAL from
 * centres_check(), KKC_EDB. Runs in the caller's transaction, if any. */
enum kkc_code centres_insert(struct store *st, const struct centre_rec *c, struct kkc_err *err);

enum centres_action { CENTRES_CREATE, CENTRES_UPDATE, CENTRES_DELETE };

/* The stored row of id into *out (strings owned by *out: free with centres_rec_free()), its
 * updated_at into upd (cap bytes; "" when NULL). 1 found, 0 not, -1 on a database error. */
int centres_row(struct store *st, const char *id, struct centre_rec *out, char *upd, size_t cap);
void centres_rec_free(struct centre_rec *c);

/* An audited admin write of c (c->id names the centre; for delete only the id is read): create
 * (KKC_ECONFLICT when the id exists), update (KKC_ENOTFOUND when it does not; the geometry is
 * rewritten only when moved; updated_at is set) or delete (KKC_ENOTFOUND). The write, with
 * source "admin" for a create, and its audit row commit together or not at all. */
enum kkc_code centres_write(struct store *st, enum centres_action a, const struct centre_rec *c,
                            int moved, struct kkc_err *err);

#endif
