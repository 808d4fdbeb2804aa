/* geo/base/csv.h -- a small RFC 4180 CSV reader (quoted fields, doubled quotes, CRLF or LF).
 *
 * Reads one record at a time from a FILE; fields point into a buffer owned by the reader and
 * stay valid until the next csv_next() or csv_close(). Every line and field is capped. */
#ifndef KKC_CSV_H
#define KKC_CSV_H

#include "base/err.h"

#include <stdio.h>

#define CSV_MAX_FIELDS 64
#define CSV_MAX_RECORD (64 * 1024)

struct csv;

/* Open path for reading; *out is the caller's, released with csv_close() (NULL is a no-op). */
enum kkc_code csv_open(const char *path, struct csv **out, struct kkc_err *err);
/* Read from an open stream the caller keeps owning (it is not closed by csv_close). */
enum kkc_code csv_from_stream(FILE *f, struct csv **out, struct kkc_err *err);
void csv_close(struct csv *c);

/* Read the next record. Returns 1 with *nf fields in fields[] (borrowed), 0 at end of file, or
 * -1 on a malformed or over-long record (err set; the reader skips to the next line). */
int csv_next(struct csv *c, char **fields, int *nf, struct kkc_err *err);
/* The 1-based line number where the last record began. */
long csv_line(const struct csv *c);

/* Index of name in the header fields (exact match, a leading UTF-8 BOM ignored), or -1. */
int csv_column(char **header, int n, const char *name);

#endif
