/* geo/road/phrases.c -- the phrase tables and their expansion (contract in phrases.h).
 *
 * A sentence is the first row of `rows` whose type and modifier key match the maneuver; its
 * template (Czech or English) is expanded with {dir} (the modifier as a direction), {side}
 * (left or right only), {exit} (an ordinal), {onto} and {along} (the road, with its
 * preposition). A placeholder with nothing to say takes the space before it away. */
#include "road/phrases.h"

#include <stdio.h>
#include <string.h>

/* Types of a row: one, several separated by '|', or "" for any. Modifier key of a row: a modifier
 * word, "*" any, "-" none, "#" a roundabout exit given. */
static const struct {
    const char *type, *mod, *cs, *en;
} rows[] = {
    {"depart", "*", "Vyjeďte{along}", "Head out{along}"},
    {"arrive", "left", "Cíl je vlevo", "Your destination is on the left"},
    {"arrive", "right", "Cíl je vpravo", "Your destination is on the right"},
    {"arrive", "*", "Jste v cíli", "You have arrived"},
    {"turn|continue", "straight", "Pokračujte rovně{onto}", "Continue straight{onto}"},
    {"turn|continue", "uturn", "Otočte se{onto}", "Make a U-turn{onto}"},
    {"turn", "-", "Odbočte{onto}", "Turn{onto}"},
    {"turn", "*", "Odbočte {dir}{onto}", "Turn {dir}{onto}"},
    {"end of road", "*", "Na konci silnice odbočte {dir}{onto}",
     "At the end of the road turn {dir}{onto}"},
    {"continue", "*", "Pokračujte {dir}{onto}", "Continue {dir}{onto}"},
    {"fork", "*", "Na rozcestí se držte {side}{onto}", "At the fork keep {side}{onto}"},
    {"merge", "*", "Připojte se {side}{onto}", "Merge {side}{onto}"},
    {"on ramp", "*", "Najeďte {side} na nájezd{onto}", "Take the {side} ramp{onto}"},
    {"off ramp", "*", "Sjeďte {side} na sjezd{onto}", "Take the {side} exit{onto}"},
    {"roundabout|rotary", "#", "Na kruhovém objezdu vyjeďte {exit} výjezdem{onto}",
     "At the roundabout take the {exit} exit{onto}"},
    {"roundabout|rotary", "*", "Vjeďte na kruhový objezd", "Enter the roundabout"},
    {"exit roundabout|exit rotary", "*", "Vyjeďte z kruhového objezdu{onto}",
     "Exit the roundabout{onto}"},
    {"", "*", "Pokračujte{onto}", "Continue{onto}"}, /* new name and any other type */
};

/* Modifiers as directions ({dir}) and sides ({side}), Czech then English. */
static const struct {
    const char *mod, *dir_cs, *dir_en, *side_cs, *side_en;
} dirs[] = {
    {"left", "vlevo", "left", "vlevo", "left"},
    {"right", "vpravo", "right", "vpravo", "right"},
    {"slight left", "mírně vlevo", "slightly left", "vlevo", "left"},
    {"slight right", "mírně vpravo", "slightly right", "vpravo", "right"},
    {"sharp left", "ostře vlevo", "sharp left", "vlevo", "left"},
    {"sharp right", "ostře vpravo", "sharp right", "vpravo", "right"},
    {"straight", "rovně", "straight", "", ""},
    {"uturn", "zpět", "back", "", ""},
};

/* Ordinals of exits: Czech instrumental (výjezdem), English. */
static const char *const ord_cs[] = {"prvním", "druhým", "třetím", "čtvrtým", "pátým",
                                     "šestým", "sedmým", "osmým",  "devátým", "desátým"};
static const char *const ord_en[] = {"first", "second",  "third",  "fourth", "fifth",
                                     "sixth", "seventh", "eighth", "ninth",  "tenth"};

enum kkc_code phrases_lang_parse(const char *s, enum phrases_lang *out, struct kkc_err *err)
{
    if (s && strcmp(s, "cs") == 0)
        return *out = PHRASES_CS, KKC_OK;
    if (s && strcmp(s, "en") == 0)
        return *out = PHRASES_EN, KKC_OK;
    return kkc_err_set(err, KKC_EINVAL, "lang must be cs or en");
}

/* 1 when type is one of the '|'-separated types (any type when types is ""). */
static int type_in(const char *types, const char *type)
{
    size_t len = strlen(type);
    if (!types[0])
        return 1;
    for (const char *t = types;; t++) {
        size_t n = strcspn(t, "|");
        if (n == len && strncmp(t, type, n) == 0)
            return 1;
        t += n;
        if (!*t)
            return 0;
    }
}

static int row_matches(size_t i, const struct phrases_maneuver *m, int known_mod)
{
    const char *k = rows[i].mod;
    if (!type_in(rows[i].type, m->type ? m->type : ""))
        return 0;
    if (k[0] == '*')
        return 1;
    if (k[0] == '-')
        return !known_mod;
    if (k[0] == '#')
        return m->exit > 0;
    return known_mod && strcmp(k, m->modifier) == 0;
}

/* The index into dirs of m's modifier, -1 when none or unknown. */
static int dir_index(const struct phrases_maneuver *m)
{
    for (size_t i = 0; m->modifier && i < sizeof dirs / sizeof dirs[0]; i++)
        if (strcmp(dirs[i].mod, m->modifier) == 0)
            return (int)i;
    return -1;
}

/* The road with its preposition into buf: " na ulici X (ref)", " onto X", " po ulici X". */
static const char *road_phrase(enum phrases_lang lang, const struct phrases_maneuver *m, int along,
                               char *buf, size_t cap)
{
    int has_name = m->name && *m->name, has_ref = m->ref && *m->ref;
    const char *pre = lang == PHRASES_EN ? (along ? "on" : "onto")
                      : has_name         ? (along ? "po ulici" : "na ulici")
                                         : (along ? "po silnici" : "na silnici");
    if (has_name && has_ref)
        snprintf(buf, cap, " %s %s (%s)", pre, m->name, m->ref);
    else if (has_name || has_ref)
        snprintf(buf, cap, " %s %s", pre, has_name ? m->name : m->ref);
    else
        buf[0] = '\0';
    return buf;
}

/* The text of placeholder key (its length len) for m; "" when there is nothing to say. */
static const char *placeholder(enum phrases_lang lang, const struct phrases_maneuver *m,
                               const char *key, size_t len, char *buf, size_t cap)
{
    int d = dir_index(m), en = lang == PHRASES_EN;
    if (len == 3 && strncmp(key, "dir", 3) == 0)
        return d < 0 ? "" : en ? dirs[d].dir_en : dirs[d].dir_cs;
    if (len == 4 && strncmp(key, "side", 4) == 0)
        return d < 0 ? "" : en ? dirs[d].side_en : dirs[d].side_cs;
    if (len == 4 && strncmp(key, "exit", 4) == 0) {
        if (m->exit >= 1 && m->exit <= 10)
            return en ? ord_en[m->exit - 1] : ord_cs[m->exit - 1];
        snprintf(buf, cap, en ? "%dth" : "%d.", m->exit);
        return buf;
    }
    return road_phrase(lang, m, len == 5 && strncmp(key, "along", 5) == 0, buf, cap);
}

enum kkc_code phrases_sentence(enum phrases_lang lang, const struct phrases_maneuver *m, char *out,
                               size_t cap, struct kkc_err *err)
{
    int known = dir_index(m) >= 0;
    size_t i = 0, n = 0, last = sizeof rows / sizeof rows[0] - 1;
    const char *t;
    char buf[PHRASES_MAX];

    if (!cap)
        return kkc_err_set(err, KKC_ETOOBIG, "no room for a sentence");
    while (i < last && !row_matches(i, m, known))
        i++;
    t = lang == PHRASES_EN ? rows[i].en : rows[i].cs;
    out[0] = '\0';
    while (*t) {
        const char *end = *t == '{' ? strchr(t, '}') : NULL;
        const char *s =
            end ? placeholder(lang, m, t + 1, (size_t)(end - t - 1), buf, sizeof buf) : NULL;
        size_t len = s ? strlen(s) : 1;
        if (s && !*s && n && out[n - 1] == ' ')
            out[--n] = '\0'; /* nothing to say: no double space */
        if (n + len + 1 > cap)
            return kkc_err_set(err, KKC_ETOOBIG, "sentence longer than %zu bytes", cap - 1);
        memcpy(out + n, s ? s : t, len);
        out[n += len] = '\0';
        t = end ? end + 1 : t + 1;
    }
    return KKC_OK;
}
