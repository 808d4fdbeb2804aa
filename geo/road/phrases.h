/* geo/road/phrases.h -- turn-by-turn sentences in Czech and English from a maneuver (OSRM's
 * words: type, modifier, roundabout exit) and the road taken, from a table of phrases written for
 * this project. Czech avoids declining street names: "na ulici Hradecká", "po ulici Husova"
 * ("Na kruhovém objezdu vyjeďte třetím výjezdem na ulici Hradecká"). Pure: no I/O, no JSON. */
#ifndef KKC_PHRASES_H
#define KKC_PHRASES_H

#include "base/err.h"

#include <stddef.h>

enum phrases_lang { PHRASES_CS, PHRASES_EN };

/* "cs" or "en" into *out; KKC_EINVAL for anything else. */
enum kkc_code phrases_lang_parse(const char *s, enum phrases_lang *out, struct kkc_err *err);

struct phrases_maneuver {
    const char *type;     /* depart, turn, new name, continue, fork, end of road, merge, on ramp,
                             off ramp, roundabout, rotary, exit roundabout, exit rotary, arrive */
    const char *modifier; /* left, slight right, straight, uturn, ...; NULL: none */
    int exit;             /* roundabout exit taken (1 = the first), 0: none */
    const char *name;     /* the road taken; NULL or "": none */
    const char *ref;      /* its reference ("I/35"); NULL or "": none */
};

#define PHRASES_MAX 512 /* bytes of the longest sentence with names of 200 bytes */

/* The sentence for m in lang into out (cap bytes, NUL-terminated, no final full stop). Unknown
 * types read as "continue", unknown modifiers as none. KKC_ETOOBIG when cap is too small (out
 * then holds a cut sentence). */
enum kkc_code phrases_sentence(enum phrases_lang lang, const struct phrases_maneuver *m, char *out,
                               size_t cap, struct kkc_err *err);

#endif
