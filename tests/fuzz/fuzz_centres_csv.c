/* tests/fuzz/fuzz_centres_csv.c -- a user's centre list as CSV: geo/base/csv.c and the centre import.
 *
 * The input is written to a temporary .csv file and imported with data_import_centres() into a
 * database holding reference data and five centres (rolled back after each input). The same
 * bytes also go straight through csv_next() from memory: records never exceed the field and size
 * caps, fields lie inside the reader's buffer, line numbers only grow. */
#include "fuzz_util.h"

#include "base/csv.h"

#include <stdio.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_import_centres(fz_write("warmup.csv", (const uint8_t *)"id,name,kind,lon,lat\n", 21));
    return 0;
}

/* Every record of data read with the CSV reader keeps to its caps. */
static void check_reader(const uint8_t *data, size_t size)
{
    FILE *f = fmemopen((void *)data, size, "rb");
    struct csv *c = NULL;
    struct kkc_err err = {0};
    char *fields[CSV_MAX_FIELDS];
    int nf, r;
    long last = 0, records = 0;

    if (!f || csv_from_stream(f, &c, &err))
        fz_fail("csv_from_stream: %s", err.msg);
    while ((r = csv_next(c, fields, &nf, &err)) != 0) {
        if (r < 0) {
            if (err.code != KKC_EINVAL && err.code != KKC_ETOOBIG)
                fz_fail("csv_next failed with %s", kkc_code_name(err.code));
        } else {
            if (nf < 1 || nf > CSV_MAX_FIELDS)
                fz_fail("csv_next gave %d fields", nf);
            for (int i = 0; i < nf; i++)
                if (strlen(fields[i]) >= CSV_MAX_RECORD)
                    fz_fail("field %d is %zu bytes", i, strlen(fields[i]));
        }
        if (csv_line(c) <= last)
            fz_fail("record line %ld after %ld", csv_line(c), last);
        last = csv_line(c);
        if (++records > (long)size + 1)
            fz_fail("more records than bytes: the reader does not advance");
    }
    csv_close(c);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256 * 1024)
        return 0;
    if (size > 0)
        check_reader(data, size);
    fz_import_centres(fz_write("in.csv", data, size));
    return 0;
}
