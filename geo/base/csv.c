/* geo/base/csv.c -- RFC 4180 CSV records from a stream, with hard caps on size and field count. */
#include "base/csv.h"

#include <stdlib.h>
#include <string.h>

struct csv {
    FILE *f;
    int own;     /* close f in csv_close */
    long line;   /* physical lines consumed so far */
    long start;  /* line the current record began on */
    char *buf;   /* CSV_MAX_RECORD + 1 */
};

enum kkc_code csv_from_stream(FILE *f, struct csv **out, struct kkc_err *err)
{
    struct csv *c = calloc(1, sizeof *c);
    if (c)
        c->buf = malloc(CSV_MAX_RECORD + 1);
    if (!c || !c->buf) {
        free(c);
        return kkc_err_set(err, KKC_ENOMEM, "out of memory");
    }
    c->f = f;
    *out = c;
    return KKC_OK;
}

enum kkc_code csv_open(const char *path, struct csv **out, struct kkc_err *err)
{
    FILE *f = fopen(path, "rb");
    enum kkc_code rc;
    if (!f)
        return kkc_err_set(err, KKC_ENOTFOUND, "%s: cannot open", path);
    rc = csv_from_stream(f, out, err);
    if (rc)
        fclose(f);
    else
        (*out)->own = 1;
    return rc;
}

void csv_close(struct csv *c)
{
    if (!c)
        return;
    if (c->own)
        fclose(c->f);
    free(c->buf);
    free(c);
}

long csv_line(const struct csv *c)
{
    return c->start;
}

/* Discard the rest of the physical line. */
static void skip_line(struct csv *c)
{
    int ch;
    while ((ch = getc(c->f)) != EOF && ch != '\n')
        ;
    c->line++;
}

/* Whether one more byte would not fit a record of len bytes (the rest of the line skipped and
 * KKC_ETOOBIG recorded then). */
static int too_long(struct csv *c, size_t len, struct kkc_err *err)
{
    if (len < CSV_MAX_RECORD - 1)
        return 0;
    skip_line(c);
    kkc_err_set(err, KKC_ETOOBIG, "record longer than %d bytes", CSV_MAX_RECORD);
    return 1;
}

int csv_next(struct csv *c, char **fields, int *nf, struct kkc_err *err)
{
    size_t len = 0;
    int ch, quoted = 0, at_start = 1;

    *nf = 0;
    c->start = c->line + 1;
    ch = getc(c->f);
    if (ch == EOF)
        return 0;
    fields[(*nf)++] = c->buf;
    for (; ch != EOF; ch = getc(c->f)) {
        if (quoted) {
            if (ch == '"') {
                int next = getc(c->f);
                if (next != '"') {
                    quoted = 0;
                    ungetc(next, c->f);
                    continue;
                }
            } else if (ch == '\n') {
                c->line++;
            }
        } else if (ch == '"' && at_start) {
            quoted = 1;
            at_start = 0;
            continue;
        } else if (ch == ',' || ch == '\n') {
            if (ch == '\n')
                break;
            if (too_long(c, len, err)) /* the separator takes a byte of the buffer too */
                return -1;
            c->buf[len++] = '\0';
            if (*nf == CSV_MAX_FIELDS) {
                skip_line(c);
                kkc_err_set(err, KKC_ETOOBIG, "more than %d fields", CSV_MAX_FIELDS);
                return -1;
            }
            fields[(*nf)++] = c->buf + len;
            at_start = 1;
            continue;
        }
        at_start = 0;
        if (too_long(c, len, err))
            return -1;
        c->buf[len++] = (char)ch;
    }
    c->line++;
    if (quoted) {
        kkc_err_set(err, KKC_EINVAL, "unterminated quoted field");
        return -1;
    }
    if (len > 0 && c->buf[len - 1] == '\r')
        len--;
    c->buf[len] = '\0';
    return 1;
}

int csv_column(char **header, int n, const char *name)
{
    for (int i = 0; i < n; i++) {
        const char *h = header[i];
        if (strncmp(h, "\xEF\xBB\xBF", 3) == 0)
            h += 3;
        if (strcmp(h, name) == 0)
            return i;
    }
    return -1;
}
