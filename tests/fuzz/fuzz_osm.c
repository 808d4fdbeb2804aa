/* tests/fuzz/fuzz_osm.c -- OpenStreetMap XML through readosm into osm_import().
 *
 * The input is written to a temporary .osm file and imported, centres_from_osm on, into a
 * database with reference data and five centres (one transaction, rolled back after each input).
 * Checked against the contract in geo/road/import/osm_import.h: on success the row counts match the stats,
 * node ids are dense, every edge joins two existing nodes, none is a self-loop, lengths and
 * durations are finite and not negative, every edge is drivable one way at least; on failure
 * nothing was written and the code is one of the documented ones.
 *
 * Known third-party crash: readosm 1.1.0a dereferences NULL on a <tag> without k or v and on a
 * <member> without type, ref or role (tests/fuzz/regress/fuzz_osm/readosm-*-segv). With
 * FZ_SKIP_KNOWN_READOSM set, such inputs are skipped (found with expat first), so a run can
 * look past that bug while it is open. */
#include "fuzz_util.h"

#include "road/import/osm_import.h"
#include "base/store.h"

#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct store *st;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    st = fz_open_db("osm.sqlite", FZ_REFERENCE | FZ_CENTRES);
    return 0;
}

/* expat: flag <tag> and <member> elements that lack an attribute readosm dereferences. */
static void XMLCALL known_start(void *ud, const XML_Char *name, const XML_Char **attr)
{
    int *bad = ud, k = 0, v = 0, type = 0, ref = 0, role = 0;
    for (int i = 0; attr[i]; i += 2) {
        k |= strcmp(attr[i], "k") == 0;
        v |= strcmp(attr[i], "v") == 0;
        type |= strcmp(attr[i], "type") == 0;
        ref |= strcmp(attr[i], "ref") == 0;
        role |= strcmp(attr[i], "role") == 0;
    }
    if ((strcmp(name, "tag") == 0 && !(k && v)) ||
        (strcmp(name, "member") == 0 && !(type && ref && role)))
        *bad = 1;
}

/* 1 when the input would hit the known readosm crash. */
static int hits_known_readosm_bug(const uint8_t *data, size_t size)
{
    XML_Parser p;
    int bad = 0;
    if (!getenv("FZ_SKIP_KNOWN_READOSM"))
        return 0;
    p = XML_ParserCreate(NULL);
    XML_SetUserData(p, &bad);
    XML_SetStartElementHandler(p, known_start);
    XML_Parse(p, (const char *)data, (int)size, 1);
    XML_ParserFree(p);
    return bad;
}

/* The graph written by a successful import obeys the documented rules. */
static void check_graph(const struct osm_import_stats *s, long reports)
{
    long long nodes = fz_count_sql(st, "SELECT count(*) FROM road_nodes");
    long long edges = fz_count_sql(st, "SELECT count(*) FROM road_edges");
    if (nodes != s->road_nodes || edges != s->road_edges)
        fz_fail("%lld nodes / %lld edges written, stats say %ld / %ld", nodes, edges, s->road_nodes,
                s->road_edges);
    if (nodes > 0 && fz_count_sql(st, "SELECT min(id) = 0 AND max(id) = count(*) - 1 "
                               "FROM road_nodes") != 1)
        fz_fail("road_nodes ids are not 0..n-1");
    if (fz_count_sql(st, "SELECT count(*) FROM road_edges e WHERE source = target OR "
                  "source NOT IN (SELECT id FROM road_nodes) OR "
                  "target NOT IN (SELECT id FROM road_nodes) OR "
                  "NOT (length_m >= 0) OR NOT (duration_s >= 0) OR length_m > 1e8 OR "
                  "(forward = 0 AND backward = 0 AND coalesce(emergency, 0) = 0) OR geom IS NULL OR "
                  "NumPoints(geom) < 2") != 0)
        fz_fail("an edge breaks the graph rules");
    if (fz_count_sql(st, "SELECT count(*) FROM centres WHERE source != 'fixture'") !=
        s->centres_added)
        fz_fail("centres written differ from centres_added %ld", s->centres_added);
    if (reports != s->reports)
        fz_fail("%ld report calls, stats say %ld", reports, s->reports);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kkc_err err = {0};
    long reports = 0;
    struct osm_import_opts o = {
        .centres_from_osm = 1, .report = fz_report_check, .report_ud = &reports};
    struct osm_import_stats s;
    enum kkc_code rc;

    if (size > 256 * 1024 || hits_known_readosm_bug(data, size))
        return 0;
    o.path = fz_write("in.osm", data, size);
    if (store_exec(st, "BEGIN", &err))
        fz_fail("begin: %s", err.msg);
    rc = osm_import(st, &o, &s, &err);
    if (rc == KKC_OK)
        check_graph(&s, reports);
    else if (rc != KKC_EINVAL && rc != KKC_ETOOBIG && rc != KKC_EIO)
        fz_fail("osm_import returned %s: %s", kkc_code_name(rc), err.msg);
    else if (fz_count_sql(st, "SELECT count(*) FROM road_nodes") != 0 ||
             fz_count_sql(st, "SELECT count(*) FROM centres") != 5)
        fz_fail("a failed import (%s) left rows behind", kkc_code_name(rc));
    if (store_exec(st, "ROLLBACK", &err))
        fz_fail("rollback: %s", err.msg);
    return 0;
}
