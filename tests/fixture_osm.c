/* tests/fixture_osm.c -- the hand-made OSM maps (see fixture_osm.h). */
#include "fixture_osm.h"

#include "base/store.h"
#include "road/import/osm_import.h"
#include "testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Residential streets around 15.00 E, 50.00 N (one grid step: 0.002 degrees, ~143 m east,
 * ~222 m north), and an island no snapped point can reach:
 *
 *            N          CN
 *            |          |            North: B-N, South: B-S-Y
 *   A ------ B -------- C            Main:  A-B-C (ends at C)
 *            |          |            Cross: CS-C-CN
 *            S          CS           Left Fork: Y-L, Right Fork: Y-R (21 degrees off south)
 *            |                       Island: I1-I2, 8 km away
 *            Y
 *           / \
 *          L   R                                                                               */
const char fx_hand_map[] =
    "<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\" generator=\"hand\">\n"
    "<node id=\"1\" lat=\"50.000\" lon=\"15.000\"/><node id=\"2\" lat=\"50.000\" lon=\"15.002\"/>"
    "<node id=\"3\" lat=\"50.000\" lon=\"15.004\"/><node id=\"4\" lat=\"50.002\" lon=\"15.002\"/>"
    "<node id=\"5\" lat=\"49.998\" lon=\"15.002\"/><node id=\"6\" lat=\"50.002\" lon=\"15.004\"/>"
    "<node id=\"7\" lat=\"49.998\" lon=\"15.004\"/><node id=\"8\" lat=\"50.050\" lon=\"15.100\"/>"
    "<node id=\"9\" lat=\"50.050\" lon=\"15.102\"/>\n"
    "<way id=\"10\"><nd ref=\"1\"/><nd ref=\"2\"/><nd ref=\"3\"/>"
    "<tag k=\"highway\" v=\"residential\"/><tag k=\"name\" v=\"Main\"/></way>\n"
    "<way id=\"11\"><nd ref=\"2\"/><nd ref=\"4\"/>"
    "<tag k=\"highway\" v=\"residential\"/><tag k=\"name\" v=\"North\"/></way>\n"
    "<node id=\"15\" lat=\"49.996\" lon=\"15.002\"/><node id=\"16\" lat=\"49.9943\" "
    "lon=\"15.001\"/>"
    "<node id=\"17\" lat=\"49.9943\" lon=\"15.003\"/>\n"
    "<way id=\"12\"><nd ref=\"2\"/><nd ref=\"5\"/><nd ref=\"15\"/>"
    "<tag k=\"highway\" v=\"residential\"/><tag k=\"name\" v=\"South\"/></way>\n"
    "<way id=\"13\"><nd ref=\"7\"/><nd ref=\"3\"/><nd ref=\"6\"/>"
    "<tag k=\"highway\" v=\"residential\"/><tag k=\"name\" v=\"Cross\"/></way>\n"
    "<way id=\"15\"><nd ref=\"15\"/><nd ref=\"16\"/>"
    "<tag k=\"highway\" v=\"residential\"/><tag k=\"name\" v=\"Left Fork\"/></way>\n"
    "<way id=\"16\"><nd ref=\"15\"/><nd ref=\"17\"/>"
    "<tag k=\"highway\" v=\"residential\"/><tag k=\"name\" v=\"Right Fork\"/></way>\n"
    "<way id=\"14\"><nd ref=\"8\"/><nd ref=\"9\"/>"
    "<tag k=\"highway\" v=\"residential\"/><tag k=\"name\" v=\"Island\"/></way>\n"
    "</osm>\n";

const struct fx_hand_route fx_hand_routes[FX_HAND_ROUTES] = {
    /* east on Main, straight through B without a word, Main ends at C: left onto Cross */
    {"15.0005,50.0000", "15.0040,50.0015", "depart end_of_road/left arrive/straight", 90, 90, 0},
    /* the same to the south: right */
    {"15.0005,50.0000", "15.0040,49.9985", "depart end_of_road/right arrive/straight", 90, 90, 180},
    /* left and right at the crossing B, where going straight was possible */
    {"15.0005,50.0000", "15.0020,50.0015", "depart turn/left arrive/straight", 90, 90, 0},
    {"15.0005,50.0000", "15.0020,49.9985", "depart turn/right arrive/straight", 90, 90, 180},
    /* straight across B from North into South: a new name */
    {"15.0020,50.0015", "15.0020,49.9985", "depart new_name/straight arrive/straight", 180, 180,
     180},
    /* along Main past B: nothing to say; the destination lies left, then right, of the road */
    {"15.0005,50.0000", "15.0035,50.0002", "depart arrive/left", 90, 0, 0},
    {"15.0005,50.0000", "15.0035,49.9998", "depart arrive/right", 90, 0, 0},
    /* down South to Y, which splits into two branches 21 degrees either side: heading south,
     * the western branch is the right one */
    {"15.0020,50.0015", "15.0015,49.99515",
     "depart new_name/straight fork/slight_right arrive/straight", 180, 180, 180},
    {"15.0020,50.0015", "15.0025,49.99515",
     "depart new_name/straight fork/slight_left arrive/straight", 180, 180, 180},
    /* back west from Cross onto Main: a right turn off a road that goes on */
    {"15.0040,50.0015", "15.0005,50.0000", "depart turn/right arrive/straight", 180, 180, 270},
};

/* Around 16.00 E, 50.00 N; positions in metres east/north of it (converted with the WGS84 radii
 * of curvature at 50 N), every street two-way unless marked:
 *
 *                     A 1 (motorway, one way east): (-1000,600) - J1 (300,600) - J2 (800,600) - ..
 *     F2 (0,550)                               on ramp  /                     \  off ramp
 *     F1 (0,450) ----------------------------(motorway_link)        (motorway_link, one way)
 *      | Feeder (primary)                                                      G (1000,400)
 *     (0,200)                                                                  | Exit Road
 *      | North Road                                                            | (secondary)
 *   West Road --(Little Ring)-- East Road ---------- (200,0) ---------------- (1000,0)
 *      | South Road    \ Depot Lane (service)
 *     (0,-200)
 *      | Circle Road
 *   (Big Circle)-- East Arm (to (300,-600))
 *      | South Arm
 *
 * Little Ring: radius 12 m, one way anticlockwise through E, N, W, S (arms there) and the
 * service road at 315 degrees. Big Circle: radius 40 m, named, arms at N, S and E: a rotary
 * (OSRM: named, radius over 15 m, its name on no arm). Exits are counted by hand from the
 * picture: entering from the south, East Road is the 1st exit of Little Ring (the service road
 * passed before it is not counted, as OSRM counts), North Road the 2nd, West Road the 3rd. The
 * motorway route beats the streets by about 25 s: every maneuver of it is a ramp's. The map
 * comes in two parts: C17 promises string literals of 4095 bytes only. */
const char *const fx_ramp_map[] = {
    "<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\" generator=\"hand\">\n"
    "<node id=\"101\" lat=\"50.0000000\" lon=\"16.0001674\"/>"
    "<node id=\"102\" lat=\"50.0000763\" lon=\"16.0001184\"/>"
    "<node id=\"103\" lat=\"50.0001079\" lon=\"16.0000000\"/>"
    "<node id=\"104\" lat=\"50.0000763\" lon=\"15.9998816\"/>"
    "<node id=\"105\" lat=\"50.0000000\" lon=\"15.9998326\"/>"
    "<node id=\"106\" lat=\"49.9999237\" lon=\"15.9998816\"/>"
    "<node id=\"107\" lat=\"49.9998921\" lon=\"16.0000000\"/>"
    "<node id=\"108\" lat=\"49.9999237\" lon=\"16.0001184\"/>"
    "<node id=\"111\" lat=\"50.0000000\" lon=\"16.0027896\"/>"
    "<node id=\"112\" lat=\"50.0017981\" lon=\"16.0000000\"/>"
    "<node id=\"113\" lat=\"50.0000000\" lon=\"15.9972104\"/>"
    "<node id=\"114\" lat=\"49.9982019\" lon=\"16.0000000\"/>"
    "<node id=\"115\" lat=\"49.9991010\" lon=\"16.0013948\"/>"
    "<node id=\"201\" lat=\"49.9946057\" lon=\"16.0005579\"/>"
    "<node id=\"202\" lat=\"49.9947433\" lon=\"16.0005154\"/>"
    "<node id=\"203\" lat=\"49.9948600\" lon=\"16.0003945\"/>"
    "<node id=\"204\" lat=\"49.9949380\" lon=\"16.0002135\"/>"
    "<node id=\"205\" lat=\"49.9949653\" lon=\"16.0000000\"/>"
    "<node id=\"206\" lat=\"49.9949380\" lon=\"15.9997865\"/>"
    "<node id=\"207\" lat=\"49.9948600\" lon=\"15.9996055\"/>"
    "<node id=\"208\" lat=\"49.9947433\" lon=\"15.9994846\"/>"
    "<node id=\"209\" lat=\"49.9946057\" lon=\"15.9994421\"/>"
    "<node id=\"210\" lat=\"49.9944681\" lon=\"15.9994846\"/>"
    "<node id=\"211\" lat=\"49.9943514\" lon=\"15.9996055\"/>"
    "<node id=\"212\" lat=\"49.9942735\" lon=\"15.9997865\"/>"
    "<node id=\"213\" lat=\"49.9942461\" lon=\"16.0000000\"/>"
    "<node id=\"214\" lat=\"49.9942735\" lon=\"16.0002135\"/>"
    "<node id=\"215\" lat=\"49.9943514\" lon=\"16.0003945\"/>"
    "<node id=\"216\" lat=\"49.9944681\" lon=\"16.0005154\"/>"
    "<node id=\"221\" lat=\"49.9946057\" lon=\"16.0041843\"/>"
    "<node id=\"222\" lat=\"49.9919086\" lon=\"16.0000000\"/>"
    "<node id=\"301\" lat=\"50.0040457\" lon=\"16.0000000\"/>"
    "<node id=\"302\" lat=\"50.0049448\" lon=\"16.0000000\"/>"
    "<node id=\"311\" lat=\"50.0053943\" lon=\"15.9860522\"/>"
    "<node id=\"312\" lat=\"50.0053943\" lon=\"16.0041843\"/>"
    "<node id=\"313\" lat=\"50.0053943\" lon=\"16.0111583\"/>"
    "<node id=\"314\" lat=\"50.0053943\" lon=\"16.0209217\"/>"
    "<node id=\"321\" lat=\"50.0046750\" lon=\"16.0006974\"/>"
    "<node id=\"322\" lat=\"50.0053044\" lon=\"16.0020922\"/>"
    "<node id=\"323\" lat=\"50.0052145\" lon=\"16.0125530\"/>"
    "<node id=\"324\" lat=\"50.0044952\" lon=\"16.0136689\"/>"
    "<node id=\"331\" lat=\"50.0035962\" lon=\"16.0139478\"/>"
    "<node id=\"332\" lat=\"50.0000000\" lon=\"16.0139478\"/>"
    "\n",
    "<way id=\"401\"><nd ref=\"101\"/><nd ref=\"102\"/><nd ref=\"103\"/><nd ref=\"104\"/>"
    "<nd ref=\"105\"/><nd ref=\"106\"/><nd ref=\"107\"/><nd ref=\"108\"/><nd ref=\"101\"/>"
    "<tag k=\"highway\" v=\"tertiary\"/><tag k=\"junction\" v=\"roundabout\"/>"
    "<tag k=\"name\" v=\"Little Ring\"/></way>\n"
    "<way id=\"402\"><nd ref=\"101\"/><nd ref=\"111\"/><tag k=\"highway\" v=\"tertiary\"/>"
    "<tag k=\"name\" v=\"East Road\"/></way>\n"
    "<way id=\"403\"><nd ref=\"103\"/><nd ref=\"112\"/><tag k=\"highway\" v=\"tertiary\"/>"
    "<tag k=\"name\" v=\"North Road\"/></way>\n"
    "<way id=\"404\"><nd ref=\"105\"/><nd ref=\"113\"/><tag k=\"highway\" v=\"tertiary\"/>"
    "<tag k=\"name\" v=\"West Road\"/></way>\n"
    "<way id=\"405\"><nd ref=\"107\"/><nd ref=\"114\"/><tag k=\"highway\" v=\"tertiary\"/>"
    "<tag k=\"name\" v=\"South Road\"/></way>\n"
    "<way id=\"406\"><nd ref=\"108\"/><nd ref=\"115\"/><tag k=\"highway\" v=\"service\"/>"
    "<tag k=\"name\" v=\"Depot Lane\"/></way>\n"
    "<way id=\"407\"><nd ref=\"201\"/><nd ref=\"202\"/><nd ref=\"203\"/><nd ref=\"204\"/>"
    "<nd ref=\"205\"/><nd ref=\"206\"/><nd ref=\"207\"/><nd ref=\"208\"/><nd ref=\"209\"/>"
    "<nd ref=\"210\"/><nd ref=\"211\"/><nd ref=\"212\"/><nd ref=\"213\"/><nd ref=\"214\"/>"
    "<nd ref=\"215\"/><nd ref=\"216\"/><nd ref=\"201\"/>"
    "<tag k=\"highway\" v=\"secondary\"/><tag k=\"junction\" v=\"roundabout\"/>"
    "<tag k=\"name\" v=\"Big Circle\"/></way>\n"
    "<way id=\"408\"><nd ref=\"114\"/><nd ref=\"205\"/><tag k=\"highway\" v=\"tertiary\"/>"
    "<tag k=\"name\" v=\"Circle Road\"/></way>\n"
    "<way id=\"409\"><nd ref=\"201\"/><nd ref=\"221\"/><tag k=\"highway\" v=\"tertiary\"/>"
    "<tag k=\"name\" v=\"East Arm\"/></way>\n"
    "<way id=\"410\"><nd ref=\"213\"/><nd ref=\"222\"/><tag k=\"highway\" v=\"tertiary\"/>"
    "<tag k=\"name\" v=\"South Arm\"/></way>\n"
    "<way id=\"411\"><nd ref=\"112\"/><nd ref=\"301\"/><nd ref=\"302\"/>"
    "<tag k=\"highway\" v=\"primary\"/><tag k=\"name\" v=\"Feeder\"/></way>\n"
    "<way id=\"412\"><nd ref=\"311\"/><nd ref=\"312\"/><nd ref=\"313\"/><nd ref=\"314\"/>"
    "<tag k=\"highway\" v=\"motorway\"/><tag k=\"ref\" v=\"A 1\"/></way>\n"
    "<way id=\"413\"><nd ref=\"301\"/><nd ref=\"321\"/><nd ref=\"322\"/><nd ref=\"312\"/>"
    "<tag k=\"highway\" v=\"motorway_link\"/></way>\n"
    "<way id=\"414\"><nd ref=\"313\"/><nd ref=\"323\"/><nd ref=\"324\"/><nd ref=\"331\"/>"
    "<tag k=\"highway\" v=\"motorway_link\"/></way>\n"
    "<way id=\"415\"><nd ref=\"331\"/><nd ref=\"332\"/><nd ref=\"111\"/>"
    "<tag k=\"highway\" v=\"secondary\"/><tag k=\"name\" v=\"Exit Road\"/></way>\n"
    "</osm>\n",
    NULL};

const struct fx_ramp_route fx_ramp_routes[FX_RAMP_ROUTES] = {
    /* into Little Ring from the south; the entry turns right onto the ring */
    {SOUTH, "16.0020922,50.0000000", "depart roundabout/right#1 arrive/straight",
     "South Road,East Road,East Road", NULL},
    {SOUTH, "16.0000000,50.0013486", "depart roundabout/right#2 arrive/straight",
     "South Road,North Road,North Road", NULL},
    {SOUTH, "15.9979078,50.0000000", "depart roundabout/right#3 arrive/straight",
     "South Road,West Road,West Road", NULL},
    /* the service road is no exit to count, but it is the 1st exit when it is taken */
    {SOUTH, "16.0008369,49.9994606", "depart roundabout/right#1 arrive/straight",
     "South Road,Depot Lane,Depot Lane", NULL},
    /* ending on the ring: no exit (OSRM's "roundabout-exit-undefined"), the ring's name */
    {SOUTH, RING_NW, "depart roundabout/right arrive/straight",
     "South Road,Little Ring,Little Ring", NULL},
    /* departing on the ring: only the exit is announced, past West and South Road */
    {RING_NW, "16.0020922,50.0000000", "depart exit_roundabout/right#3 arrive/straight",
     "Little Ring,East Road,East Road", NULL},
    /* Big Circle is a rotary: from the north, South Arm is the 1st exit, East Arm the 2nd */
    {CIRCLE, "16.0027896,49.9946057", "depart rotary/right#2 arrive/straight",
     "Circle Road,East Arm,East Arm", "Big Circle"},
    {CIRCLE, "16.0000000,49.9928076", "depart rotary/right#1 arrive/straight",
     "Circle Road,South Arm,South Arm", "Big Circle"},
    /* Feeder -> on ramp (35 degrees right) -> merge (the ramp joins from the right) -> A 1 ->
     * off ramp (11 degrees right, the motorway goes straight on) -> Exit Road */
    {"16.0000000,50.0026971", "16.0139478,50.0026971",
     "depart on_ramp/slight_right merge/slight_left off_ramp/slight_right new_name/straight "
     "arrive/straight",
     "Feeder,,,,Exit Road,Exit Road", NULL},
};

char *fx_osm_db(const char *const *xml)
{
    char *dir = tu_tmpdir(), osm[512], *db;
    struct store *st = NULL;
    struct kkc_err err = {0};
    struct osm_import_opts o = {.path = osm};
    FILE *f;

    ck_assert_ptr_nonnull(dir);
    snprintf(osm, sizeof osm, "%s/map.osm", dir);
    ck_assert_int_ge(asprintf(&db, "%s/map.sqlite", dir), 0);
    f = fopen(osm, "w");
    ck_assert_ptr_nonnull(f);
    for (; *xml; xml++)
        fputs(*xml, f);
    fclose(f);
    ck_assert_int_eq(store_open(db, STORE_CREATE, &st, &err), KKC_OK);
    ck_assert_msg(osm_import(st, &o, NULL, &err) == KKC_OK, "%s", err.msg);
    store_close(st);
    free(dir);
    return db;
}

void fx_emergency_map(char *buf, size_t cap, const char *way_tags, const char *node_tags)
{
    snprintf(buf, cap,
             "<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\" generator=\"hand\">\n"
             "<node id=\"1\" lat=\"50.2000000\" lon=\"15.7950000\"/>\n"
             "<node id=\"2\" lat=\"50.2000000\" lon=\"15.8000000\"/>\n"
             "<node id=\"3\" lat=\"50.2040000\" lon=\"15.8000000\"/>\n"
             "<node id=\"4\" lat=\"50.2040000\" lon=\"15.8100000\"/>\n"
             "<node id=\"5\" lat=\"50.2000000\" lon=\"15.8100000\"/>\n"
             "<node id=\"6\" lat=\"50.2000000\" lon=\"15.8150000\"/>\n"
             "<node id=\"7\" lat=\"50.2000000\" lon=\"15.8050000\">%s</node>\n"
             "<way id=\"10\"><nd ref=\"1\"/><nd ref=\"2\"/><tag k=\"highway\" v=\"residential\"/>"
             "<tag k=\"name\" v=\"Start\"/></way>\n"
             "<way id=\"11\"><nd ref=\"2\"/><nd ref=\"3\"/><nd ref=\"4\"/><nd ref=\"5\"/>"
             "<tag k=\"highway\" v=\"residential\"/><tag k=\"name\" v=\"Horní\"/></way>\n"
             "<way id=\"12\"><nd ref=\"2\"/><nd ref=\"7\"/><nd ref=\"5\"/>"
             "<tag k=\"name\" v=\"Zkratka\"/>%s</way>\n"
             "<way id=\"13\"><nd ref=\"5\"/><nd ref=\"6\"/><tag k=\"highway\" v=\"residential\"/>"
             "<tag k=\"name\" v=\"Cíl\"/></way>\n</osm>\n",
             node_tags, way_tags);
}

char *fx_extract_db(const char *name, const char *sql)
{
    char *path = tu_tmpfile("extract.sqlite"), *pbf = NULL;
    struct store *st = NULL;
    struct osm_import_opts o = {0};
    struct kkc_err err = {0};

    ck_assert_int_ge(asprintf(&pbf, "%s/osm/%s.osm.pbf", tu_data_src(), name), 0);
    ck_assert_msg(access(pbf, R_OK) == 0, "%s is missing", pbf);
    ck_assert_msg(store_open(path, STORE_CREATE, &st, &err) == KKC_OK, "%s", err.msg);
    o.path = pbf;
    ck_assert_msg(osm_import(st, &o, NULL, &err) == KKC_OK, "%s", err.msg);
    if (sql)
        ck_assert_msg(store_exec(st, sql, &err) == KKC_OK, "%s: %s", sql, err.msg);
    store_close(st);
    free(pbf);
    return path;
}
