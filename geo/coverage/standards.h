/* geo/coverage/standards.h -- response standards as data (data/standards.csv).
 *
 * A standard names who must arrive within what time: a kind of centre, a limit in minutes of
 * response time, the unit that counts (nth: 1 the first, 2 a second one ...), and the turnout
 * rule -- "none" (drive time only), "centre" (each centre's own turnout or its kind's default,
 * coverage/response.h) or a whole number of seconds for every unit. Each has a description in
 * Czech and English and the source it comes from; a row without a source is refused.
 *
 * The file's columns: id,kind,minutes,nth,turnout,description_cs,description_en,source. The
 * built-in set is data/standards.csv compiled into the binary; a file can replace it. A
 * struct standards is immutable once parsed: any number of threads may read it. */
#ifndef KKC_STANDARDS_H
#define KKC_STANDARDS_H

#include "base/err.h"
#include "centres/centres.h"

#include <stddef.h>

#define STANDARDS_MAX 256

enum standard_turnout {
    STANDARD_TURNOUT_NONE = 0,
    STANDARD_TURNOUT_CENTRE,
    STANDARD_TURNOUT_FIXED
};

struct standard {
    char *id;
    enum centre_kind kind;
    double minutes;
    int nth;
    enum standard_turnout turnout;
    int turnout_s; /* STANDARD_TURNOUT_FIXED */
    char *description_cs, *description_en, *source;
};

struct standards;

/* Parse CSV text (name labels errors). KKC_EINVAL naming the line for a bad row: unknown kind,
 * minutes outside (0, 120], nth outside 1..5, a bad turnout, a missing source or description,
 * a duplicate id. *out is the caller's, freed with standards_destroy(). */
enum kkc_code standards_parse(const char *text, const char *name, struct standards **out,
                              struct kkc_err *err);
/* The same from a file. */
enum kkc_code standards_load(const char *path, struct standards **out, struct kkc_err *err);
/* The built-in set (data/standards.csv as built). */
enum kkc_code standards_builtin(struct standards **out, struct kkc_err *err);
/* NULL is a no-op. */
void standards_destroy(struct standards *s);

size_t standards_count(const struct standards *s);
const struct standard *standards_get(const struct standards *s, size_t i);
/* The standard with this id, or NULL. */
const struct standard *standards_find(const struct standards *s, const char *id);
/* The ids joined by ", " into buf (for error messages listing the known ones). */
void standards_ids(const struct standards *s, char *buf, size_t cap);

#endif
