/* geo/base/err.c -- error codes, names and the message setter. */
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>

enum kkc_code kkc_err_set(struct kkc_err *err, enum kkc_code code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void kkc_err_clear(struct kkc_err *err)
{
    if (err) {
        err->code = KKC_OK;
        err->msg[0] = '\0';
    }
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
