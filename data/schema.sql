-- data/schema.sql -- the KKC database (SpatiaLite). Applied by `kkc import` to a new file.
-- Every geometry is WGS84 (SRID 4326), registered with AddGeometryColumn and spatially indexed.
-- Lines beginning with "--" are comments; statements end with ";" at the end of a line.

SELECT InitSpatialMetaData(1);

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Emergency centres: police stations (KKC), fire-rescue stations, ambulance bases.
CREATE TABLE centres (
  id                TEXT PRIMARY KEY,
  name              TEXT NOT NULL,
  kind              TEXT NOT NULL CHECK (kind IN ('police', 'fire', 'ambulance')),
  address           TEXT,
  municipality      TEXT,
  municipality_code TEXT,
  phone             TEXT,
  email             TEXT,
  www               TEXT,
  hours             TEXT,
  turnout_s         INTEGER CHECK (turnout_s IS NULL OR turnout_s BETWEEN 0 AND 3600), -- NULL: the kind's default; 0: none
  source            TEXT NOT NULL,
  status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
  updated_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
SELECT AddGeometryColumn('centres', 'geom', 4326, 'POINT', 'XY', 1);
SELECT CreateSpatialIndex('centres', 'geom');

-- Municipalities (obce) with their 2011 census population (NULL where the census has no row).
CREATE TABLE municipalities (
  code       TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  name_key   TEXT NOT NULL, -- lower case, accents removed: for prefix search
  okres_code TEXT,
  okres      TEXT,
  kraj_code  TEXT,
  kraj       TEXT,
  psc        TEXT,
  population INTEGER
);
SELECT AddGeometryColumn('municipalities', 'geom', 4326, 'POINT', 'XY', 1);
SELECT CreateSpatialIndex('municipalities', 'geom');
CREATE INDEX municipalities_name_key ON municipalities (name_key);

-- Administrative areas: the republic, kraje, okresy, ORP, and the detailed KHK border.
CREATE TABLE regions (
  code       TEXT NOT NULL,
  level      TEXT NOT NULL CHECK (level IN ('country', 'kraj', 'okres', 'orp', 'border')),
  name       TEXT NOT NULL,
  population INTEGER,
  PRIMARY KEY (level, code)
);
SELECT AddGeometryColumn('regions', 'geom', 4326, 'MULTIPOLYGON', 'XY', 1);
SELECT CreateSpatialIndex('regions', 'geom');

-- The road graph from OpenStreetMap: junctions and way ends as nodes, ways split at junctions.
CREATE TABLE road_nodes (
  id     INTEGER PRIMARY KEY,   -- dense 0..n-1
  osm_id INTEGER NOT NULL
);
SELECT AddGeometryColumn('road_nodes', 'geom', 4326, 'POINT', 'XY', 1);
SELECT CreateSpatialIndex('road_nodes', 'geom');

CREATE TABLE road_edges (
  id         INTEGER PRIMARY KEY,   -- dense 0..m-1
  source     INTEGER NOT NULL REFERENCES road_nodes (id),
  target     INTEGER NOT NULL REFERENCES road_nodes (id),
  osm_way_id INTEGER NOT NULL,
  highway    TEXT NOT NULL,
  name       TEXT,
  ref        TEXT,
  length_m   REAL NOT NULL,         -- geodesic length along the geometry
  duration_s REAL NOT NULL,         -- length / speed of the profile (or maxspeed)
  forward    INTEGER NOT NULL,      -- 1 when drivable source -> target
  backward   INTEGER NOT NULL,      -- 1 when drivable target -> source
  roundabout INTEGER NOT NULL DEFAULT 0, -- 1 when part of a junction=roundabout|circular way
  restricted INTEGER NOT NULL DEFAULT 0, -- 1 destination / delivery / customers, 2 private (car.h)
  emergency  INTEGER                     -- emergency vehicles (police, fire, ambulance; car.h): 1
                                         -- source -> target, 2 target -> source, 3 both, 0 none;
                                         -- NULL: as the car (forward, backward; private included).
                                         -- forward = backward = 0 with emergency > 0: an
                                         -- emergency-only road or barrier passage
);
SELECT AddGeometryColumn('road_edges', 'geom', 4326, 'LINESTRING', 'XY', 1);
SELECT CreateSpatialIndex('road_edges', 'geom');

-- Turn restrictions (type=restriction relations for cars); problem is NULL when it applies,
-- else why not (also in import_report).
CREATE TABLE road_restrictions (
  id       INTEGER PRIMARY KEY,   -- OSM relation id
  kind     TEXT NOT NULL,         -- no_left_turn, only_straight_on, ...
  from_way INTEGER,
  via_node INTEGER,
  via_ways TEXT,                  -- space-separated OSM way ids, in order
  to_way   INTEGER,
  problem  TEXT
);

-- Barrier and traffic-signal nodes on the roads (car.h); node is the road_nodes id (NULL for
-- a barrier, which has one road node per edge end).
CREATE TABLE road_points (
  osm_id  INTEGER PRIMARY KEY,
  barrier INTEGER NOT NULL,
  signals INTEGER NOT NULL,
  node    INTEGER,
  lon     REAL NOT NULL,
  lat     REAL NOT NULL,
  emergency INTEGER NOT NULL DEFAULT 0 -- 1: a barrier emergency vehicles pass (car.h)
);

-- What the import rejected or found suspicious, one row per report (also printed).
CREATE TABLE import_report (
  file   TEXT NOT NULL,
  row    INTEGER NOT NULL,
  reason TEXT NOT NULL
);

-- Place and address search (geo/search/search.h): municipalities, OSM places, named streets and
-- addresses; search_fts indexes name and municipality without accents (unicode61
-- remove_diacritics 2); name_key is the name in lower case without accents, for ranking.
CREATE TABLE search_items (
  id                INTEGER PRIMARY KEY,
  kind              TEXT NOT NULL CHECK (kind IN ('municipality', 'place', 'street', 'address')),
  name              TEXT NOT NULL,
  name_key          TEXT NOT NULL,
  municipality      TEXT,
  municipality_code TEXT,
  population        INTEGER,
  source            TEXT NOT NULL  -- municipality code, OSM n123 / w123, or road_edges id
);
SELECT AddGeometryColumn('search_items', 'geom', 4326, 'POINT', 'XY', 1);
SELECT CreateSpatialIndex('search_items', 'geom');
CREATE VIRTUAL TABLE search_fts USING fts5(name, municipality, content = 'search_items', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');

-- Admin writes: one row per change, with the centre before and after as JSON text.
CREATE TABLE audit (
  id        INTEGER PRIMARY KEY,
  at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  action    TEXT NOT NULL,
  centre_id TEXT NOT NULL,
  before    TEXT,
  after     TEXT
);

-- Closures: from this table to the way id index below, closures_store_ensure() applies the
-- same statements to older databases.
-- Road closures and slow-downs (geo/closures/closures.h): roads by OSM way id and/or a WGS84
-- geometry as WKT; factor 0 = closed, > 1 = driving time multiplied; direction 0 both,
-- 1 forward, 2 backward; times in Unix seconds, valid_until 0 = until removed.
CREATE TABLE IF NOT EXISTS closures (
  id          INTEGER PRIMARY KEY,
  factor      REAL NOT NULL DEFAULT 0,
  direction   INTEGER NOT NULL DEFAULT 0,
  ways        TEXT NOT NULL DEFAULT '',  -- way ids separated by commas
  wkt         TEXT,
  reason      TEXT NOT NULL,
  source      TEXT NOT NULL DEFAULT 'admin',
  valid_from  INTEGER NOT NULL,
  valid_until INTEGER NOT NULL DEFAULT 0,
  created     INTEGER NOT NULL,
  changed     INTEGER NOT NULL
);

-- The audit trail and ordered change log of closures: one row per write, the closure after it
-- (before it for a remove); max(version) is the state version of the closures.
CREATE TABLE IF NOT EXISTS closure_changes (
  version     INTEGER PRIMARY KEY AUTOINCREMENT,
  at          INTEGER NOT NULL,
  action      TEXT NOT NULL,             -- add, update, remove
  closure_id  INTEGER NOT NULL,
  factor      REAL NOT NULL,
  direction   INTEGER NOT NULL,
  ways        TEXT NOT NULL,
  wkt         TEXT,
  reason      TEXT NOT NULL,
  source      TEXT NOT NULL,
  valid_from  INTEGER NOT NULL,
  valid_until INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS road_edges_way ON road_edges (osm_way_id);
