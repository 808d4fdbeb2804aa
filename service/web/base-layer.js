/* service/web/base-layer.js -- the Leaflet map and its base layers. No tiles: boundaries,
 * roads and municipality points are drawn from the service's own vector layers (/v1/layers/*,
 * /v1/municipalities) for the current view; stale answers are dropped. */
import { api, qs, say, errorText } from './api.js';
import { escapeHtml, debounce } from './util.js';

export const AREAS = {
  khk: { name: 'Královéhradecký kraj', center: [50.21, 15.83], zoom: 11 },
  heidelberg: { name: 'Heidelberg', center: [49.41, 8.69], zoom: 12 },
};
/* The sources' required attributions (../shared/data/SOURCES.md); details in the README. */
const ATTRIBUTION = [
  '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap contributors</a>',
  '<span title="republic outline">ČÚZK</span>',
  '<span title="population (SLDB 2011), kraje, okresy, ORP">ČSÚ</span>',
  '<span title="kraje, okresy, ORP">Český rozhlas</span>',
  '<span title="IZS bases, KHK border">Královéhradecký kraj</span>',
].join(' | ');
const ROAD_STYLES = {
  motorway: ['#d9480f', 3.2], trunk: ['#e8590c', 3], primary: ['#f08c00', 2.6],
  secondary: ['#f2b705', 2.2], tertiary: ['#9aa3ab', 1.6], motorway_link: ['#e8590c', 1.6],
  trunk_link: ['#e8590c', 1.5], primary_link: ['#f08c00', 1.4], secondary_link: ['#f2b705', 1.3],
  tertiary_link: ['#9aa3ab', 1.2], unclassified: ['#b5bcc3', 1.1], residential: ['#c3c9cf', 1],
  living_street: ['#cfd4d9', 0.9], service: ['#d9dde1', 0.7],
};
const BOUNDARY_LEVELS = [
  { level: 'country', minZoom: 0, style: { color: '#4b3f72', weight: 2.6, opacity: 0.9 } },
  { level: 'kraj', minZoom: 0, style: { color: '#6c5f94', weight: 1.6, dashArray: '7 4', opacity: 0.8 } },
  { level: 'orp', minZoom: 9, style: { color: '#9b8fc0', weight: 1, dashArray: '2 4', opacity: 0.8 } },
];

/* A small box in the map's corner for base-layer problems. */
function addStatusControl(map) {
  const StatusControl = L.Control.extend({
    onAdd() {
      const div = L.DomUtil.create('div', 'leaflet-bar message');
      div.id = 'map-status';
      div.style.margin = '0 0 4px 4px';
      div.style.padding = '3px 6px';
      div.hidden = true;
      return div;
    },
  });
  new StatusControl({ position: 'bottomleft' }).addTo(map);
}

function createPanes(map) {
  for (const [name, z] of [['boundaries', 350], ['roads', 360], ['coverage', 380], ['places', 390],
    ['route', 420]]) {
    map.createPane(name).style.zIndex = z;
  }
  for (const name of ['boundaries', 'roads', 'places', 'coverage']) {
    map.getPane(name).style.pointerEvents = 'none';
  }
}

/* The map in element id 'map' with its panes and (empty) layers: {map, layers}. */
export function createMap() {
  const map = L.map('map', { zoomControl: true, minZoom: 5, maxZoom: 18, worldCopyJump: false });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  map.attributionControl.addAttribution(ATTRIBUTION);
  L.control.scale({ imperial: false }).addTo(map);
  L.Icon.Default.imagePath = '/leaflet/images/';
  createPanes(map);
  const canvasBoundaries = L.canvas({ pane: 'boundaries', padding: 0.3 });
  const canvasRoads = L.canvas({ pane: 'roads', padding: 0.3 });
  const boundaries = {};
  for (const b of BOUNDARY_LEVELS) {
    boundaries[b.level] = L.geoJSON(null, {
      pane: 'boundaries', renderer: canvasBoundaries, interactive: false,
      style: () => Object.assign({ fill: false }, b.style),
    }).addTo(map);
  }
  const roads = L.geoJSON(null, {
    pane: 'roads', renderer: canvasRoads, interactive: false,
    style: (f) => {
      const s = ROAD_STYLES[f.properties.highway] || ['#d0d4d8', 0.7];
      const z = map.getZoom();
      return { color: s[0], weight: z >= 15 ? s[1] * 1.6 : s[1], opacity: 0.95, lineCap: 'round' };
    },
  }).addTo(map);
  const group = () => L.layerGroup().addTo(map);
  const layers = {
    boundaries, roads, places: group(), coverage: group(), isochrone: group(), suggested: group(),
    centres: group(),
    results: group(), route: group(), whatif: group(), routeRenderer: L.svg({ pane: 'route' }),
  };
  addStatusControl(map);
  return { map, layers };
}

/* The view's bounds padded by a third, clamped to valid degrees, as a bbox string. */
function paddedBbox(map) {
  const b = map.getBounds().pad(0.33);
  const c = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  return [c(b.getWest(), -180, 180), c(b.getSouth(), -85, 85), c(b.getEast(), -180, 180),
    c(b.getNorth(), -85, 85)].map((v) => v.toFixed(5)).join(',');
}

/* Municipality points; names for the largest ones (the list comes largest first). */
function drawPlaces(layer, list, z) {
  layer.clearLayers();
  const labels = z >= 13 ? 120 : z >= 12 ? 50 : z >= 11 ? 25 : 10;
  list.forEach((m, i) => {
    const pop = m.population || 0;
    const r = pop > 50000 ? 5 : pop > 5000 ? 4 : pop > 1000 ? 3 : 2;
    const mk = L.circleMarker([m.lat, m.lon], {
      pane: 'places', radius: r, color: '#333', weight: 1, fillColor: '#fff', fillOpacity: 1,
      interactive: false,
    });
    if (i < labels) {
      mk.bindTooltip(escapeHtml(m.name), {
        permanent: true, direction: 'right', className: 'kkc-muni-label', offset: [4, 0],
      });
    }
    layer.addLayer(mk);
  });
}

/* The base-layer loader of a map made by createMap: {refresh, refreshSoon}. */
export function baseLoader(map, layers) {
  const cache = new Map(); /* url -> GeoJSON, small LRU for boundaries */
  let abort = null;
  let seqNo = 0;
  async function cached(path, params, signal) {
    const key = path + qs(params);
    if (cache.has(key)) return cache.get(key);
    const data = await api(path, params, { signal });
    cache.set(key, data);
    if (cache.size > 40) cache.delete(cache.keys().next().value);
    return data;
  }
  function jobs(seq, signal) {
    const z = map.getZoom();
    const bbox = paddedBbox(map);
    const list = BOUNDARY_LEVELS.map((b) => {
      if (z < b.minZoom) return Promise.resolve(layers.boundaries[b.level].clearLayers());
      const params = { level: b.level, zoom: z, outline: 'true', bbox: z >= 9 ? bbox : undefined };
      return cached('/v1/layers/boundaries', params, signal).then((fc) => {
        if (seq === seqNo) layers.boundaries[b.level].clearLayers().addData(fc);
      });
    });
    list.push(z >= 8 ? api('/v1/layers/roads', { bbox, zoom: z }, { signal }).then((fc) => {
      if (seq === seqNo) layers.roads.clearLayers().addData(fc);
    }) : Promise.resolve(layers.roads.clearLayers()));
    list.push(z >= 9 ? api('/v1/municipalities', { bbox, limit: z >= 13 ? 600 : z >= 11 ? 200 : 60 },
      { signal }).then((d) => {
      if (seq === seqNo) drawPlaces(layers.places, d.municipalities, z);
    }) : Promise.resolve(layers.places.clearLayers()));
    return list;
  }
  async function refresh() {
    if (abort) abort.abort();
    abort = new AbortController();
    const seq = ++seqNo;
    const results = await Promise.allSettled(jobs(seq, abort.signal));
    if (seq !== seqNo) return;
    const failed = results.find((r) => r.status === 'rejected' && r.reason.name !== 'AbortError');
    say(document.getElementById('map-status'), failed ? errorText('what.layers', failed.reason) : '');
    map.getContainer().dataset.baseSeq = String(seq);
  }
  return { refresh, refreshSoon: debounce(refresh, 200) };
}
