/* geo/base/err.h -- error codes and the error struct every fallible geo/ call fills.
 *
 * Fallible functions return an enum kkc_code (KKC_OK = 0) and take a struct kkc_err * as their last
 * argument (it may be NULL when the caller does not want the message). Nothing here is global:
 * the struct lives on the caller's stack, so this is thread-safe. */
#ifndef KKC_ERR_H
#define KKC_ERR_H

#include <stdarg.h>
#include <stddef.h>

enum kkc_code {
    KKC_OK = 0,
    KKC_EINVAL,     /* bad input from the caller (a parameter, a row, a file's content) */
    KKC_ENOTFOUND,  /* an id or file that does not exist */
    KKC_ETOOBIG,    /* input over a documented limit */
    KKC_ENOSEGMENT, /* a point is farther than the snap radius from any routable road */
    KKC_ENOROUTE,   /* the two snapped points are not connected */
    KKC_EIO,        /* reading or writing a file failed */
    KKC_EDB,        /* SQLite / SpatiaLite said no */
    KKC_ENOMEM,     /* allocation failed */
    KKC_EINTERNAL,  /* a library we call failed in a way input cannot explain */
    KKC_ECONFLICT,  /* the write conflicts with existing data (an id that exists) */
    KKC_CODE_COUNT
};

#define KKC_ERR_MSG_MAX 512

/* The message in English (msg) and in Czech (msg_cs: the Czech format of the catalogue
 * err_cs.c rendered with the same arguments; empty when the format has no Czech entry, then
 * msg stands for both). */
struct kkc_err {
    enum kkc_code code;
    char msg[KKC_ERR_MSG_MAX];
    char msg_cs[KKC_ERR_MSG_MAX];
};

/* Record code and a printf-style message in err (when err is not NULL), in English and in
 * Czech. Returns code, so a caller can write `return kkc_err_set(err, KKC_EINVAL, "k must be
 * 1..50");`. The format must be a literal with an entry in the catalogue (geo/base/err_cs.c;
 * tests/scripts/err_catalogue.py checks every call); an argument may be err's own message. */
enum kkc_code kkc_err_set(struct kkc_err *err, enum kkc_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The same with a va_list (for wrappers with their own format argument). */
enum kkc_code kkc_err_vset(struct kkc_err *err, enum kkc_code code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Reset err to KKC_OK with an empty message; NULL is a no-op. */
void kkc_err_clear(struct kkc_err *err);

/* The Czech printf format for the English one fmt (the very string given to kkc_err_set), with
 * the same conversions in the same order; NULL when the catalogue has none. Static. */
const char *kkc_err_cs(const char *fmt);

/* err's message in Czech (czech != 0, when it has one) or in English. Never NULL. */
const char *kkc_err_text(const struct kkc_err *err, int czech);

/* The stable name of a code ("InvalidQuery", "NotFound", "NoSegment", ...), used as the API's
 * error `code`. Never NULL; the string is static. */
const char *kkc_code_name(enum kkc_code code);

/* How import code tells its caller about a rejected or suspicious row without printing:
 * file and row (1-based; 0 when the problem is the whole file) and a one-line reason. */
typedef void (*kkc_report_fn)(void *ud, const char *file, long row, const char *reason);

#endif
