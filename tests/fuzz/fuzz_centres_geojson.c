/* tests/fuzz/fuzz_centres_geojson.c -- a user's centre list as GeoJSON through the centre import.
 *
 * The input is written to a temporary .geojson file and imported with data_import_centres() into
 * a database holding reference data and five centres (rolled back after each input); the checks
 * are those of fz_import_centres(). Both the plain id/name/kind properties and the IZS-base ones
 * (druh_pracoviste, oblast, nazev_obce, ...) are reachable from the seeds. */
#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_import_centres(fz_write(
        "warmup.geojson", (const uint8_t *)"{\"type\":\"FeatureCollection\",\"features\":[]}", 42));
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256 * 1024)
        return 0;
    fz_import_centres(fz_write("in.geojson", data, size));
    return 0;
}
