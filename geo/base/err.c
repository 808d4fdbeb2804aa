/* geo/base/err.c -- error codes, names and the message setter (English and Czech). */
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Both texts are rendered aside first: an argument may be err's own message (a prefix added to
 * an inner error's text). */
enum kkc_code kkc_err_vset(struct kkc_err *err, enum kkc_code code, const char *fmt, va_list ap)
{
    if (err) {
        char en[KKC_ERR_MSG_MAX], cs[KKC_ERR_MSG_MAX] = "";
        const char *cfmt = kkc_err_cs(fmt);
        va_list ap2;
        va_copy(ap2, ap);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        vsnprintf(en, sizeof en, fmt, ap);
        if (cfmt)
            vsnprintf(cs, sizeof cs, cfmt, ap2); /* same conversions as fmt (err_catalogue.py) */
#pragma GCC diagnostic pop
        va_end(ap2);
        err->code = code;
        memcpy(err->msg, en, sizeof en);
        memcpy(err->msg_cs, cs, sizeof cs);
    }
    return code;
}

enum kkc_code kkc_err_set(struct kkc_err *err, enum kkc_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kkc_err_vset(err, code, fmt, ap);
    va_end(ap);
    return code;
}

void kkc_err_clear(struct kkc_err *err)
{
    if (err) {
        err->code = KKC_OK;
        err->msg[0] = '\0';
        err->msg_cs[0] = '\0';
    }
}

const char *kkc_err_text(const struct kkc_err *err, int czech)
{
    if (!err)
        return "";
    return czech && err->msg_cs[0] ? err->msg_cs : err->msg;
}

const char *kkc_code_name(enum kkc_code code)
{
    static const char *const names[KKC_CODE_COUNT] = {
        [KKC_OK] = "Ok",
        [KKC_EINVAL] = "InvalidQuery",
        [KKC_ENOTFOUND] = "NotFound",
        [KKC_ETOOBIG] = "TooBig",
        [KKC_ENOSEGMENT] = "NoSegment",
        [KKC_ENOROUTE] = "NoRoute",
        [KKC_EIO] = "IOError",
        [KKC_EDB] = "DatabaseError",
        [KKC_ENOMEM] = "OutOfMemory",
        [KKC_EINTERNAL] = "InternalError",
        [KKC_ECONFLICT] = "Conflict",
    };
    if ((unsigned)code >= KKC_CODE_COUNT || !names[code])
        return "InternalError";
    return names[code];
}
