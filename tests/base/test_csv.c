/* tests/base/test_csv.c -- the RFC 4180 reader (geo/base/csv.c) on hand-written inputs.
 *
 * Each case is an input and the expected stream of records written by hand, one record per entry
 * as "LINE:field|field|..." (a line break in a field shown as \n, a carriage return as \r) or
 * "LINE:!CODE" for a rejected record, where LINE is the line the record began on. */
#include "base/csv.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Append s to the buffer with \n and \r made visible. */
static void put_escaped(char *out, size_t cap, const char *s)
{
    size_t n = strlen(out);
    for (; *s && n + 3 < cap; s++) {
        if (*s == '\n' || *s == '\r') {
            out[n++] = '\\';
            out[n++] = *s == '\n' ? 'n' : 'r';
        } else {
            out[n++] = *s;
        }
    }
    out[n] = '\0';
}

static const char *code_tag(enum kkc_code c)
{
    return c == KKC_EINVAL ? "!EINVAL" : c == KKC_ETOOBIG ? "!ETOOBIG" : "!OTHER";
}

/* Read every record of the len bytes at data into the "LINE:..." form, records joined by " ; ". */
static char *read_all(const char *data, size_t len)
{
    FILE *f = fmemopen((void *)data, len, "rb");
    struct csv *c = NULL;
    struct kkc_err err = {0};
    char *fields[CSV_MAX_FIELDS];
    size_t cap = 1 << 16;
    char *out = calloc(1, cap);
    int nf, r, guard = 0;

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(csv_from_stream(f, &c, &err), KKC_OK);
    while ((r = csv_next(c, fields, &nf, &err)) != 0 && guard++ < 1000) {
        char head[32];
        snprintf(head, sizeof head, "%s%ld:", *out ? " ; " : "", csv_line(c));
        strncat(out, head, cap - strlen(out) - 1);
        if (r < 0) {
            strncat(out, code_tag(err.code), cap - strlen(out) - 1);
            continue;
        }
        ck_assert_int_eq(r, 1);
        ck_assert_int_ge(nf, 1);
        for (int i = 0; i < nf; i++) {
            if (i)
                strncat(out, "|", cap - strlen(out) - 1);
            put_escaped(out, cap, fields[i]);
        }
    }
    ck_assert_int_lt(guard, 1000);
    csv_close(c);
    fclose(f);
    return out;
}

static const struct {
    const char *what, *in, *want;
} cases[] = {
    {"plain", "a,b,c\nd,e,f\n", "1:a|b|c ; 2:d|e|f"},
    {"no final newline", "a,b\nc,d", "1:a|b ; 2:c|d"},
    {"empty input", "", ""},
    {"empty fields", ",,\na,,b\n", "1:|| ; 2:a||b"},
    {"quoted comma", "\"a,b\",c\n", "1:a,b|c"},
    {"quoted empty", "\"\",x,\"\"\n", "1:|x|"},
    {"doubled quotes", "\"he said \"\"hi\"\"\",x\n", "1:he said \"hi\"|x"},
    {"only doubled quotes", "\"\"\"\"\"\"\n", "1:\"\""},
    {"CRLF", "a,b\r\nc,d\r\n", "1:a|b ; 2:c|d"},
    {"CRLF quoted last", "a,\"b\"\r\nc,\"d,e\"\r\n", "1:a|b ; 2:c|d,e"},
    {"CRLF no final", "a,b\r\nc,d", "1:a|b ; 2:c|d"},
    {"embedded LF", "\"line1\nline2\",x\nnext,y\n", "1:line1\\nline2|x ; 3:next|y"},
    {"embedded CRLF kept", "\"a\r\nb\",c\r\nd,e\r\n", "1:a\\r\\nb|c ; 3:d|e"},
    {"two embedded", "\"1\n2\n3\",\"4\n5\"\nz\n", "1:1\\n2\\n3|4\\n5 ; 5:z"},
    {"quoted field with quote and comma", "\"a \"\"b\"\", c\",d\n", "1:a \"b\", c|d"},
    {"UTF-8 kept", "Hradec Králové,Smiřice\n", "1:Hradec Králové|Smiřice"},
    {"unterminated quote", "a,\"bc\nd,e\n", "1:!EINVAL"},
    {"unterminated after good", "x,y\na,\"bc", "1:x|y ; 2:!EINVAL"},
};

START_TEST(records)
{
    char *got = read_all(cases[_i].in, strlen(cases[_i].in));
    ck_assert_msg(strcmp(got, cases[_i].want) == 0, "%s: got [%s], expected [%s]", cases[_i].what,
                  got, cases[_i].want);
    free(got);
}
END_TEST

/* A reader on bytes in memory, with the record last read. */
struct mem_csv {
    FILE *f;
    struct csv *c;
    char *fl[CSV_MAX_FIELDS];
    int nf;
};

/* A reader on the len bytes at data, its first record read (Check assertions). */
static void mem_open_first(struct mem_csv *m, const char *data, size_t len)
{
    m->f = fmemopen((void *)data, len, "rb");
    m->c = NULL;
    ck_assert_ptr_nonnull(m->f);
    ck_assert_int_eq(csv_from_stream(m->f, &m->c, NULL), KKC_OK);
    ck_assert_int_eq(csv_next(m->c, m->fl, &m->nf, NULL), 1);
}

static void mem_close(struct mem_csv *m)
{
    csv_close(m->c);
    fclose(m->f);
}

/* A header with a UTF-8 byte-order mark: the first column is still found by name. */
START_TEST(bom_header)
{
    static const char in[] = "\xEF\xBB\xBFid,name,kind\r\nP1,Station,police\r\n";
    struct mem_csv m;
    mem_open_first(&m, in, sizeof in - 1);
    ck_assert_int_eq(m.nf, 3);
    ck_assert_int_eq(csv_column(m.fl, m.nf, "id"), 0);
    ck_assert_int_eq(csv_column(m.fl, m.nf, "name"), 1);
    ck_assert_int_eq(csv_column(m.fl, m.nf, "kind"), 2);
    ck_assert_int_eq(csv_column(m.fl, m.nf, "lon"), -1);
    ck_assert_int_eq(csv_column(m.fl, m.nf, "Id"), -1);
    ck_assert_int_eq(csv_column(m.fl, m.nf, ""), -1);
    ck_assert_int_eq(csv_next(m.c, m.fl, &m.nf, NULL), 1);
    ck_assert_str_eq(m.fl[0], "P1");
    ck_assert_str_eq(m.fl[2], "police");
    ck_assert_int_eq(csv_next(m.c, m.fl, &m.nf, NULL), 0);
    mem_close(&m);
}
END_TEST

/* Build "f0,f1,...,f(n-1)\nnext,ok\n". */
static char *fields_line(int n)
{
    char *s = malloc((size_t)n * 8 + 32);
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += (size_t)sprintf(s + len, "%sf%d", i ? "," : "", i);
    strcpy(s + len, "\nnext,ok\n");
    return s;
}

START_TEST(field_count_cap)
{
    char *in = fields_line(CSV_MAX_FIELDS);
    char *got = read_all(in, strlen(in));
    /* exactly the cap is fine */
    ck_assert_msg(strncmp(got, "1:f0|f1|", 8) == 0 && strstr(got, " ; 2:next|ok"), "[%.80s]", got);
    free(got);
    free(in);

    in = fields_line(CSV_MAX_FIELDS + 1);
    got = read_all(in, strlen(in));
    ck_assert_str_eq(got, "1:!ETOOBIG ; 2:next|ok"); /* rejected, and the reader goes on */
    free(got);
    free(in);

    in = fields_line(1000);
    got = read_all(in, strlen(in));
    ck_assert_str_eq(got, "1:!ETOOBIG ; 2:next|ok");
    free(got);
    free(in);
}
END_TEST

/* "PREFIX" + n bytes of 'a' + "SUFFIX\nnext,ok\n" as one buffer. */
static char *long_line(const char *prefix, size_t n, const char *suffix, size_t *len)
{
    size_t pl = strlen(prefix), sl = strlen(suffix);
    char *s = malloc(pl + n + sl + 16);
    memcpy(s, prefix, pl);
    memset(s + pl, 'a', n);
    memcpy(s + pl + n, suffix, sl);
    memcpy(s + pl + n + sl, "\nnext,ok\n", 10);
    *len = pl + n + sl + 9;
    return s;
}

START_TEST(record_length_cap)
{
    static const struct {
        const char *prefix;
        size_t n;
        const char *suffix;
        int ok;
    } lines[] = {
        {"x,", 1000, ",y", 1},
        {"x,", CSV_MAX_RECORD / 2, "", 1},
        {"", CSV_MAX_RECORD + 10, "", 0},
        {"", 3 * CSV_MAX_RECORD, "", 0},
        {"\"", CSV_MAX_RECORD + 10, "\"", 0},
        /* the separators count too: a long field then many empty ones */
        {"", CSV_MAX_RECORD - 1, ",,,,,,,,", 0},
        {"", CSV_MAX_RECORD - 4, ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,", 0},
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        size_t len;
        char *in = long_line(lines[i].prefix, lines[i].n, lines[i].suffix, &len);
        char *got = read_all(in, len);
        if (lines[i].ok)
            ck_assert_msg(strncmp(got, "1:", 2) == 0 && got[2] != '!' &&
                              strstr(got, " ; 2:next|ok"),
                          "line %zu: [%.40s...]", i, got);
        else
            ck_assert_msg(strcmp(got, "1:!ETOOBIG ; 2:next|ok") == 0,
                          "line %zu (%zu bytes): [%.40s...]", i, len - 9, got);
        free(got);
        free(in);
    }
}
END_TEST

/* A field keeps its exact bytes up to the cap: a 1000-byte field comes back whole. */
START_TEST(long_field_intact)
{
    size_t len;
    char *in = long_line("\"", 1000, "\",z", &len);
    struct mem_csv m;
    mem_open_first(&m, in, len);
    ck_assert_int_eq(m.nf, 2);
    ck_assert_uint_eq(strlen(m.fl[0]), 1000);
    ck_assert_str_eq(m.fl[1], "z");
    mem_close(&m);
    free(in);
}
END_TEST

/* csv_open on files: a missing file is KKC_ENOTFOUND; a real file reads like a stream. */
START_TEST(open_file)
{
    struct csv *c = (struct csv *)1;
    struct kkc_err err = {0};
    char *path = tu_tmpfile("t.csv");
    char *fl[CSV_MAX_FIELDS];
    int nf;
    FILE *f;

    ck_assert_int_eq(csv_open("/nonexistent/dir/x.csv", &c, &err), KKC_ENOTFOUND);
    ck_assert_int_eq(err.code, KKC_ENOTFOUND);
    ck_assert_ptr_nonnull(path);
    f = fopen(path, "wb");
    fputs("id,name\r\n\"P1\",\"A, B\"\r\n", f);
    fclose(f);
    ck_assert_int_eq(csv_open(path, &c, &err), KKC_OK);
    ck_assert_int_eq(csv_next(c, fl, &nf, &err), 1);
    ck_assert_int_eq(csv_next(c, fl, &nf, &err), 1);
    ck_assert_int_eq(csv_line(c), 2);
    ck_assert_str_eq(fl[1], "A, B");
    ck_assert_int_eq(csv_next(c, fl, &nf, &err), 0);
    ck_assert_int_eq(csv_next(c, fl, &nf, &err), 0); /* and stays at the end */
    csv_close(c);
    csv_close(NULL);
    unlink(path);
    *strrchr(path, '/') = '\0';
    rmdir(path);
    free(path);
}
END_TEST

Suite *csv_suite(void); /* for the runner */

Suite *csv_suite(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = tu_tcase(s, "reader", 30);
    tcase_add_loop_test(tc, records, 0, sizeof cases / sizeof cases[0]);
    tcase_add_test(tc, bom_header);
    tcase_add_test(tc, field_count_cap);
    tcase_add_test(tc, record_length_cap);
    tcase_add_test(tc, long_field_intact);
    tcase_add_test(tc, open_file);
    return s;
}
