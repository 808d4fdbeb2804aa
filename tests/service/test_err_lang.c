/* tests/service/test_err_lang.c -- the API's error texts in Czech by default, English on request.
 *
 * Through the real daemon (service/http.c, on 127.0.0.1, port 0): the body of an error is
 * {"code","message","message_en"}; message is Czech unless lang=en or Accept-Language prefers
 * English over Czech, message_en is always the English. The expected texts are written here by
 * hand (the oracle), for a service/ message (params.c), a geo/ one passing through kkc_err_set
 * (api.c's point), routes.c's 404 and 405, lang= itself, and a batch's per-row errors. kkc_err_set() with err's own
 * message as an argument (a prefix) keeps both texts whole. */
#include "api.h"
#include "httputil.h"
#include "testutil.h"

#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* method target with an optional Accept-Language: the error body, its status asserted. */
static json_t *error_of(const char *method, const char *target, const char *accept_language,
                        long status, const char *code)
{
    char h[128];
    const char *headers[] = {h, NULL};
    struct hu_req rq = {.method = method, .target = target};
    struct hu_resp r;
    if (accept_language) {
        snprintf(h, sizeof h, "Accept-Language: %s", accept_language);
        rq.headers = headers;
    }
    ck_assert_int_eq(hu_perform(NULL, hu_fx_port, &rq, &r), 0);
    json_t *v = json_loads(r.body, 0, NULL);
    ck_assert_msg(r.status == status && v, "%s: %ld %s", target, r.status, r.body);
    ck_assert_str_eq(json_string_value(json_object_get(v, "code")), code);
    ck_assert_uint_eq(json_object_size(v), 3);
    hu_resp_free(&r);
    return v;
}

static void expect(const char *method, const char *target, const char *al, long status,
                   const char *code, const char *message, const char *message_en)
{
    json_t *v = error_of(method, target, al, status, code);
    ck_assert_str_eq(json_string_value(json_object_get(v, "message")), message);
    ck_assert_str_eq(json_string_value(json_object_get(v, "message_en")), message_en);
    json_decref(v);
}

static const char *const unknown_cs = "neznámý parametr „foo“";
static const char *const unknown_en = "unknown parameter 'foo'";

START_TEST(czech_by_default_english_on_request)
{
    const char *t = "/v1/nearest?lon=15.8&lat=50.2&foo=1";
    expect("GET", t, NULL, 400, "InvalidQuery", unknown_cs, unknown_en);
    expect("GET", "/v1/nearest?lon=15.8&lat=50.2&foo=1&lang=en", NULL, 400, "InvalidQuery",
           unknown_en, unknown_en);
    expect("GET", "/v1/nearest?lon=15.8&lat=50.2&foo=1&lang=cs", "en", 400, "InvalidQuery",
           unknown_cs, unknown_en); /* lang= wins over the header */
    expect("GET", t, "en-GB,en;q=0.9", 400, "InvalidQuery", unknown_en, unknown_en);
    expect("GET", t, "de, en;q=0.5, cs;q=0.7", 400, "InvalidQuery", unknown_cs, unknown_en);
    expect("GET", t, "en;q=0.2, cs;q=0.1", 400, "InvalidQuery", unknown_en, unknown_en);
    expect("GET", t, "fr, de", 400, "InvalidQuery", unknown_cs, unknown_en);
    expect("GET", t, "EN-us", 400, "InvalidQuery", unknown_en, unknown_en);
    expect("GET", t, "english", 400, "InvalidQuery", unknown_cs, unknown_en);
}
END_TEST

START_TEST(every_layer_speaks_czech)
{
    expect("GET", "/v1/nearest?lon=15.8&lat=95", NULL, 400, "InvalidQuery",
           "lat musí být v rozmezí [-90, 90]", "lat must be within [-90, 90]");
    expect("GET", "/v1/nearest?lon=15.8&lat=50.2&kind=navy", NULL, 400, "InvalidQuery",
           "neznámý druh „navy“ (police, fire, ambulance)",
           "unknown kind 'navy' (police, fire, ambulance)");
    expect("GET", "/v1/centres/NOPE-1", NULL, 404, "NotFound", "žádné středisko s id „NOPE-1“",
           "no centre with id 'NOPE-1'");
    expect("GET", "/v1/nope", NULL, 404, "NotFound", "neznámý koncový bod: /v1/nope",
           "no such endpoint: /v1/nope");
    expect("DELETE", "/v1/nearest?lang=en", NULL, 405, "MethodNotAllowed",
           "method DELETE is not allowed here (allowed: GET, HEAD, POST, OPTIONS)",
           "method DELETE is not allowed here (allowed: GET, HEAD, POST, OPTIONS)");
    expect("DELETE", "/v1/nearest", NULL, 405, "MethodNotAllowed",
           "metoda DELETE zde není povolena (povolené: GET, HEAD, POST, OPTIONS)",
           "method DELETE is not allowed here (allowed: GET, HEAD, POST, OPTIONS)");
    expect("GET", "/v1/nearest?lon=15.8&lat=50.2&lang=de", "en", 400, "InvalidQuery",
           "lang musí být cs nebo en", "lang must be cs or en");
}
END_TEST

/* A batch's per-row errors follow the same rule: message in Czech, message_en beside it. */
START_TEST(batch_rows_speak_czech)
{
    static const char csv[] = "id,lon,lat\na,15.8,95\n";
    const char *headers[] = {"Content-Type: text/csv", NULL};
    const char *targets[] = {"/v1/nearest?k=1", "/v1/nearest?k=1&lang=en"};
    const char *want[] = {"lon musí být v [-180, 180] a lat v [-90, 90]",
                          "lon must be in [-180, 180] and lat in [-90, 90]"};
    for (int i = 0; i < 2; i++) {
        struct hu_req rq = {.method = "POST", .target = targets[i], .body = csv,
                            .body_len = sizeof csv - 1, .headers = headers};
        struct hu_resp r;
        ck_assert_int_eq(hu_perform(NULL, hu_fx_port, &rq, &r), 0);
        json_t *v = json_loads(r.body, 0, NULL);
        ck_assert_msg(r.status == 200 && v, "%ld %s", r.status, r.body);
        json_t *e = json_object_get(json_array_get(json_object_get(v, "results"), 0), "error");
        ck_assert_str_eq(json_string_value(json_object_get(e, "message")), want[i]);
        ck_assert_str_eq(json_string_value(json_object_get(e, "message_en")), want[1]);
        json_decref(v);
        hu_resp_free(&r);
    }
}
END_TEST

/* kkc_err_set with err's own text as an argument: both languages keep the inner text whole. */
START_TEST(prefix_of_own_message)
{
    struct kkc_err e = {0};
    kkc_err_set(&e, KKC_EINVAL, "unknown parameter '%.40s'", "foo");
    ck_assert_str_eq(e.msg_cs, unknown_cs);
    kkc_err_set(&e, KKC_EINVAL, "%s: %s", "a.csv", e.msg);
    ck_assert_str_eq(e.msg, "a.csv: unknown parameter 'foo'");
    ck_assert_str_eq(e.msg_cs, "a.csv: unknown parameter 'foo'"); /* "%s: %s" is both */
    ck_assert_str_eq(kkc_err_text(&e, 1), e.msg_cs);
    ck_assert_ptr_null(kkc_err_cs("no such format anywhere"));
    kkc_err_clear(&e);
    ck_assert_str_eq(kkc_err_text(&e, 1), "");
}
END_TEST

/* Refusals made before the query is parsed (too many parameters, a target over 8 KiB, whose
 * query the server cuts unread) follow lang= of the raw target and Accept-Language too. */
START_TEST(refusals_before_parsing)
{
    char *many = malloc(4096), *longt = malloc(9000);
    int n = snprintf(many, 4096, "/v1/nearest?lon=15.8");
    for (int i = 0; i < 299; i++)
        n += snprintf(many + n, 4096 - (size_t)n, "&a=%d", i % 10);
    const char *en = "the request has 300 query parameters; the limit is 256";
    const char *cs = "požadavek má 300 parametrů dotazu; limit je 256";
    expect("GET", many, NULL, 413, "TooBig", cs, en);
    expect("GET", many, "en", 413, "TooBig", en, en);
    snprintf(many + n, 4096 - (size_t)n, "&lang=en");
    en = "the request has 301 query parameters; the limit is 256";
    cs = "požadavek má 301 parametrů dotazu; limit je 256";
    expect("GET", many, NULL, 413, "TooBig", en, en);
    many[n + 7] = 'x'; /* lang=ex: not a language, Czech as by default */
    expect("GET", many, NULL, 413, "TooBig", cs, en);
    n = snprintf(longt, 9000, "/v1/nearest?lang=en&lon=15.8&pad=");
    memset(longt + n, 'x', 8300 - (size_t)n), longt[8300] = '\0';
    expect("GET", longt, NULL, 414, "TooBig", "the request target is 8300 bytes; the limit is 8192",
           "the request target is 8300 bytes; the limit is 8192");
    longt[17] = 'c', longt[18] = 's'; /* lang=cs wins over the header */
    expect("GET", longt, "en", 414, "TooBig", "cíl požadavku má 8300 bajtů; limit je 8192",
           "the request target is 8300 bytes; the limit is 8192");
    free(many), free(longt);
}
END_TEST

Suite *err_lang_suite(void); /* for the runner */
Suite *err_lang_suite(void)
{
    Suite *s = suite_create("err_lang");
    TCase *tc = hu_fx_tcase(s, "lang", 0);
    tcase_add_test(tc, czech_by_default_english_on_request);
    tcase_add_test(tc, every_layer_speaks_czech);
    tcase_add_test(tc, batch_rows_speak_czech);
    tcase_add_test(tc, prefix_of_own_message);
    tcase_add_test(tc, refusals_before_parsing);
    return s;
}
