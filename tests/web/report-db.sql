-- tests/web/report-db.sql -- made-up municipalities for the report's browser test
-- (report-figures.test.mjs): 60 points within a few hundred metres of road nodes of the loaded
-- network (node ids are dense 0..n-1), with populations 100..4999, so that the road network
-- area has people and the chart by response minute has bars. Applied by tests/scripts/web.sh to
-- a copy of the database (sqlite3 with mod_spatialite); the original is never changed.
SELECT load_extension('mod_spatialite');
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 59)
INSERT INTO municipalities (code, name, name_key, okres_code, okres, kraj_code, kraj, population, geom)
SELECT printf('T%03d', i), printf('Zkušební obec %d', i), printf('zkusebni obec %d', i),
       CASE WHEN i % 2 THEN 'TST01' ELSE 'TST02' END, CASE WHEN i % 2 THEN 'Liché' ELSE 'Sudé' END,
       'TST', 'Zkušební kraj', 100 + (i * 7307) % 4900,
       MakePoint(ST_X(r.geom) + ((i * 37) % 11 - 5) * 0.0003,
                 ST_Y(r.geom) + ((i * 53) % 11 - 5) * 0.0002, 4326)
FROM n JOIN road_nodes r ON r.id = (n.i * 7919) % (SELECT count(*) FROM road_nodes);
COMMIT;
