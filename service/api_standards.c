/* service/api_standards.c -- the standards the service knows. See api_standards.h. */
#include "api_standards.h"

#include "json_out.h"
#include "params.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static struct {
    pthread_once_t once;
    struct standards *set;
    struct kkc_err err;
} g = {PTHREAD_ONCE_INIT, NULL, {0}};

static void load_once(void)
{
    const char *path = getenv("KKC_STANDARDS");
    if (path && *path)
        standards_load(path, &g.set, &g.err);
    else
        standards_builtin(&g.set, &g.err);
}

const struct standards *api_standards(struct kkc_err *err)
{
    pthread_once(&g.once, load_once);
    if (!g.set && err)
        *err = g.err;
    return g.set;
}

enum kkc_code api_standard_apply(const char *id, struct coverage_request *q,
                                 const struct standard **out, struct kkc_err *err)
{
    const struct standards *set = api_standards(err);
    const struct standard *s = set ? standards_find(set, id) : NULL;
    char known[1024];
    if (!set)
        return err->code;
    if (!s) {
        standards_ids(set, known, sizeof known);
        return kkc_err_set(err, KKC_EINVAL, "unknown standard '%.40s' (known: %s)", id, known);
    }
    q->kind_mask = 1u << s->kind, q->minutes = s->minutes, q->km = 0, q->nth = s->nth;
    q->response = s->turnout != STANDARD_TURNOUT_NONE &&
                  !(s->turnout == STANDARD_TURNOUT_FIXED && s->turnout_s == 0);
    q->fixed_turnout_s = s->turnout == STANDARD_TURNOUT_FIXED ? s->turnout_s : 0;
    if (out)
        *out = s;
    return KKC_OK;
}

json_t *api_standard_json(const struct standard *s)
{
    json_t *o = json_pack("{s:s, s:s, s:o, s:i, s:{s:s, s:s}, s:s}", "id", s->id, "kind",
                          centres_kind_name(s->kind), "minutes", kkc_json_num(s->minutes, 3), "nth",
                          s->nth, "description", "cs", s->description_cs, "en", s->description_en,
                          "source", s->source);
    json_object_set_new(
        o, "turnout",
        s->turnout == STANDARD_TURNOUT_FIXED
            ? json_integer(s->turnout_s)
            : json_string(s->turnout == STANDARD_TURNOUT_CENTRE ? "centre" : "none"));
    return o;
}

void api_standards_list(const struct api_req *r, struct api_res *res)
{
    struct kkc_err err = {0};
    const struct standards *set = params_finish(r->q, &err) ? NULL : api_standards(&err);
    if (!set) {
        api_error_e(res, err.code ? err.code : KKC_EINVAL, &err);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < standards_count(set); i++)
        json_array_append_new(a, api_standard_json(standards_get(set, i)));
    api_reply(res, json_pack("{s:o}", "standards", a));
}
