/* geo/road/import/osm_check.c -- expat pass that rejects OSM XML readosm would crash on. */
#include "road/import/osm_check.h"

#include <expat.h>
#include <stdio.h>
#include <string.h>

struct check {
    XML_Parser p;
    const char *path;
    struct kkc_err *err;
    int failed;
};

/* The attributes readosm reads for each element it handles (NULL-terminated lists). */
static const char *const *required(const char *el)
{
    static const char *const node[] = {"id", "lat", "lon", NULL};
    static const char *const id[] = {"id", NULL};
    static const char *const nd[] = {"ref", NULL};
    static const char *const member[] = {"type", "ref", "role", NULL};
    static const char *const tag[] = {"k", "v", NULL};
    if (strcmp(el, "node") == 0)
        return node;
    if (strcmp(el, "way") == 0 || strcmp(el, "relation") == 0)
        return id;
    if (strcmp(el, "nd") == 0)
        return nd;
    if (strcmp(el, "member") == 0)
        return member;
    if (strcmp(el, "tag") == 0)
        return tag;
    return NULL;
}

static void on_start(void *ud, const XML_Char *el, const XML_Char **attr)
{
    struct check *c = ud;
    const char *const *need = required(el);
    for (; need && *need && !c->failed; need++) {
        int found = 0;
        for (int i = 0; attr[i]; i += 2)
            found |= strcmp(attr[i], *need) == 0;
        if (!found) {
            c->failed = 1;
            kkc_err_set(c->err, KKC_EINVAL, "%s:%lu:%lu: <%s> without the %s attribute", c->path,
                        (unsigned long)XML_GetCurrentLineNumber(c->p),
                        (unsigned long)XML_GetCurrentColumnNumber(c->p), el, *need);
            XML_StopParser(c->p, XML_FALSE);
        }
    }
}

enum kkc_code osm_check_xml(const char *path, struct kkc_err *err)
{
    struct check c = {.path = path, .err = err};
    FILE *f = fopen(path, "rb");
    enum kkc_code rc = KKC_OK;
    char buf[65536];
    size_t n;

    if (!f)
        return kkc_err_set(err, KKC_ENOTFOUND, "%s: cannot open", path);
    c.p = XML_ParserCreate(NULL);
    if (!c.p) {
        fclose(f);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory");
    }
    XML_SetUserData(c.p, &c);
    XML_SetStartElementHandler(c.p, on_start);
    do {
        n = fread(buf, 1, sizeof buf, f);
        if (ferror(f)) {
            rc = kkc_err_set(err, KKC_EIO, "%s: read error", path);
            break;
        }
        if (XML_Parse(c.p, buf, (int)n, n == 0) == XML_STATUS_ERROR) {
            if (!c.failed)
                kkc_err_set(err, KKC_EINVAL, "%s:%lu:%lu: %s", path,
                            (unsigned long)XML_GetCurrentLineNumber(c.p),
                            (unsigned long)XML_GetCurrentColumnNumber(c.p),
                            XML_ErrorString(XML_GetErrorCode(c.p)));
            rc = KKC_EINVAL;
            break;
        }
    } while (n > 0);
    XML_ParserFree(c.p);
    fclose(f);
    return rc;
}
