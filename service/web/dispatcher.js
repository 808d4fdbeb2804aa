/* service/web/dispatcher.js -- the dispatcher's view: an incident point (map click, typed
 * coordinates, a search) -> /v1/nearest, the numbered markers and the result rows with contacts,
 * then the drive time of every result (/v1/route) and the route of the first one drawn.
 * ctx: {map, layers, state, updateHash, features: {routeLang}}. */
import { api, say, errorText } from './api.js';
import { $, formatDistance, formatDuration, escapeHtml } from './util.js';
import { KIND_COLOURS } from './palette.js';
import { renderSteps } from './steps.js';

const I = window.kkcI18n;
const t = I.t;

/* The page's context, given once by the create function below (the page makes one of each). */
let ctx;
let map, layers, state;

/* The loaded data's extent (the centres' bounding box, padded by half a degree) for the
 * coordinate-order guess and the outside-the-data warning. */
function dataExtent() {
  let e = null;
  for (const c of state.centres.values()) {
    const [lon, lat] = c.feature.geometry.coordinates;
    if (!e) e = { minLon: lon, minLat: lat, maxLon: lon, maxLat: lat };
    e.minLon = Math.min(e.minLon, lon);
    e.maxLon = Math.max(e.maxLon, lon);
    e.minLat = Math.min(e.minLat, lat);
    e.maxLat = Math.max(e.maxLat, lat);
  }
  return e && { minLon: e.minLon - 0.5, minLat: e.minLat - 0.5, maxLon: e.maxLon + 0.5,
    maxLat: e.maxLat + 0.5 };
}
/* Farther than this from every centre: the point is outside the loaded data. */
const OUTSIDE_M = 30000;

/* Typed coordinates (service/web/coords.js): the API parameters; a note says how a WGS84 pair
 * was read and offers the other order. Throws an Error with a readable message. */
function parseCoordinates(text, crs) {
  const r = window.kkcCoords.parse(text, crs, dataExtent());
  const note = $('coord-note');
  note.hidden = !r.point.lat || crs !== 'auto';
  if (!note.hidden) {
    note.querySelector('span').textContent = t(r.swapped ? 'coord.swapped' : 'coord.latlon',
      { lat: I.num(r.point.lat, 5), lon: I.num(r.point.lon, 5) });
    $('coord-other').hidden = !r.literal;
    state.otherReading = r.literal;
  }
  return r.point;
}

function clearDispatcher() {
  layers.results.clearLayers();
  layers.route.clearLayers();
  $('results').innerHTML = '';
  say($('route-info'), '');
  $('route-steps').hidden = true;
  delete $('route-info').dataset.state; /* no old route state for a new incident */
}

/* While a query answers, the old results stay greyed out and are marked as old. */
function markLoading(on) {
  const ol = $('results');
  ol.classList.toggle('stale', on);
  ol.setAttribute('aria-busy', on ? 'true' : 'false');
  $('query-point').classList.toggle('stale', on);
  if (on) $('status').textContent = t('loading');
}

/* Ask /v1/nearest for point (lon/lat or x/y/crs), draw the markers and the list, then the drive
 * times; kind 'izs' asks for the nearest of each kind. */
async function queryPoint(point) {
  const seq = ++state.querySeq;
  const results = $('results');
  results.dataset.state = 'loading';
  markLoading(true);
  say($('message'), '');
  const kind = $('kind-select').value;
  const base = Object.assign({}, point, {
    k: kind === 'izs' ? 1 : $('k-input').value,
    by: $('by-select').value === 'time' ? 'time' : undefined,
  });
  const kinds = kind === 'izs' ? ['police', 'fire', 'ambulance'] : [kind || undefined];
  let data;
  try {
    const answers = await Promise.all(kinds.map((k) => api('/v1/nearest',
      Object.assign({}, base, { kind: k }))));
    data = answers[0];
    if (answers.length > 1) {
      data = Object.assign({}, data, { results: answers.flatMap((a) => a.results)
        .sort((a, b) => a.distance_m - b.distance_m).map((r, i) => Object.assign({}, r, { rank: i + 1 })) });
    }
  } catch (e) {
    if (seq !== state.querySeq) return;
    markLoading(false);
    clearDispatcher();
    $('query-point').hidden = true;
    $('query-point').textContent = '';
    say($('message'), errorText('what.nearest', e));
    results.dataset.state = 'error';
    results.dataset.seq = String(seq);
    return;
  }
  if (seq !== state.querySeq) return;
  markLoading(false);
  clearDispatcher();
  state.query = { lon: data.query.lon, lat: data.query.lat };
  state.lastData = data;
  showQuery(data.query);
  renderResults(data.results);
  const first = data.results[0];
  if (first && first.distance_m > OUTSIDE_M) {
    say($('message'), t('outside', { dist: formatDistance(first.distance_m) }));
    $('message').dataset.kind = 'outside';
  } else delete $('message').dataset.kind;
  $('status').textContent = t('results') + ': ' + data.results.length + '. ' +
    (first ? first.centre.name + ', ' + formatDistance(first.distance_m) : '');
  results.dataset.state = 'done';
  results.dataset.seq = String(seq);
  results.dataset.lon = String(data.query.lon);
  results.dataset.lat = String(data.query.lat);
  fitResults(data);
  ctx.updateHash();
  driveTimes(seq, data);
}

function showQuery(q) {
  const el = $('query-point');
  el.hidden = false;
  el.dataset.lon = q.lon;
  el.dataset.lat = q.lat;
  el.textContent = t('incident.at', { lat: I.num(q.lat, 5), lon: I.num(q.lon, 5) }) +
    (isFinite(q.x) && q.x !== null ? '  ·  S-JTSK ' + Math.round(q.x) + ', ' + Math.round(q.y) : '');
  const icon = L.divIcon({ className: 'kkc-query-icon', iconSize: [16, 16] });
  layers.results.addLayer(L.marker([q.lat, q.lon], { icon, zIndexOffset: 1000, title: t('incident.marker') }));
}

/* The contact lines of a centre: address, phone (a tel: link) and e-mail. */
function contactHtml(c) {
  const parts = [];
  const addr = c.address && c.municipality && c.address.includes(c.municipality) ? c.address
    : [c.address, c.municipality].filter(Boolean).join(', ');
  if (addr) parts.push('<span class="addr" data-testid="address">' + escapeHtml(addr) + '</span>');
  if (c.phone) {
    parts.push('<a data-testid="phone" href="tel:' + escapeHtml(c.phone.replace(/\s+/g, '')) +
      '" aria-label="' + escapeHtml(t('phone') + ' ' + c.phone) + '">☎ ' + escapeHtml(c.phone) + '</a>');
  }
  if (c.email) {
    parts.push('<a data-testid="email" href="mailto:' + escapeHtml(c.email) + '">✉ ' +
      escapeHtml(c.email) + '</a>');
  }
  return parts.length ? '<span class="contact">' + parts.join(' ') + '</span>' : '';
}

function renderResults(list) {
  const ol = $('results');
  if (!list.length) {
    say($('message'), t('none.kind'), 'info');
    return;
  }
  for (const r of list) {
    const c = r.centre;
    const li = document.createElement('li');
    li.dataset.testid = 'result';
    li.dataset.id = c.id;
    li.dataset.rank = r.rank;
    li.dataset.distanceM = r.distance_m;
    li.tabIndex = 0;
    li.innerHTML = '<span class="rank ' + escapeHtml(c.kind) + '">' + r.rank + '</span>' +
      '<span class="name">' + escapeHtml(c.name) + '</span>' +
      '<span class="dist" data-testid="distance">' + formatDistance(r.distance_m) + '</span>' +
      '<span class="meta">' + escapeHtml(t('kind.' + c.kind)) + ' · ' + escapeHtml(c.id) + '</span>' +
      contactHtml(c) +
      '<span class="time" data-testid="drive-time">' +
      (r.duration_s !== undefined ? formatDuration(r.duration_s) : '') + '</span>';
    const choose = (ev) => {
      if (ev.target.closest('a')) return;
      map.setView([c.lat, c.lon], Math.max(map.getZoom(), 13));
      if (li.route) drawRoute(li.route, c);
    };
    li.addEventListener('click', choose);
    li.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        choose(ev);
      }
    });
    ol.appendChild(li);
    const icon = L.divIcon({
      className: 'kkc-rank-icon ' + c.kind, html: String(r.rank), iconSize: [24, 24],
    });
    layers.results.addLayer(keyboardMarker(L.marker([c.lat, c.lon], { icon, title: c.name, zIndexOffset: 900 })
      .bindPopup('<strong>' + escapeHtml(c.name) + '</strong><br>' + contactHtml(c) + '<br>' +
        formatDistance(r.distance_m) + ' ' + escapeHtml(t('straight'))),
    r.rank + '. ' + c.name + ', ' + formatDistance(r.distance_m)));
    layers.results.addLayer(L.polyline([[state.query.lat, state.query.lon], [c.lat, c.lon]], {
      color: KIND_COLOURS[c.kind] || '#555', weight: 1.5, dashArray: '4 6', opacity: 0.7,
      interactive: false,
    }));
  }
}

/* A marker reachable by Tab (Leaflet gives it tabindex 0), named for screen readers and opened
 * by Enter or Space. */
function keyboardMarker(mk, label) {
  mk.on('add', () => {
    const el = mk.getElement();
    el.setAttribute('role', 'button');
    el.setAttribute('aria-label', label);
    el.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Enter' && ev.key !== ' ') return;
      ev.preventDefault();
      ev.stopPropagation();
      mk.openPopup();
    });
  });
  return mk;
}

function fitResults(data) {
  const pts = [[data.query.lat, data.query.lon]].concat(
    data.results.map((r) => [r.centre.lat, r.centre.lon]));
  const b = L.latLngBounds(pts);
  if (!map.getBounds().contains(b)) map.fitBounds(b.pad(0.2), { maxZoom: 14 });
}

/* Drive time to every result (/v1/route from the centre to the incident) and the route to the
 * first one drawn; a click on a row draws its route. Where no roads are loaded (NoSegment)
 * that is said once and no further route is asked. */
/* /v1/route with its steps in the page's language (lang= only where the server documents it;
 * a server that refuses it is asked again without). */
async function route(params) {
  const p = Object.assign({ steps: 'true', lang: ctx.features.routeLang ? I.lang : undefined }, params);
  try {
    return await api('/v1/route', p);
  } catch (e) {
    if (!(p.lang && e.status === 400 && /lang/.test(e.messageEn))) throw e;
    ctx.features.routeLang = false;
    return api('/v1/route', Object.assign({}, p, { lang: undefined }));
  }
}

async function driveTimes(seq, data) {
  const info = $('route-info');
  const items = Array.from($('results').children);
  const to = data.query.lon + ',' + data.query.lat;
  for (let i = 0; i < data.results.length; i++) {
    const c = data.results[i].centre;
    let feature;
    try {
      feature = await route({ from: 'centre:' + c.id, to });
    } catch (e) {
      if (seq !== state.querySeq) return;
      if (e.status === 404 || e.code === 'NoSegment') {
        say(info, e.code === 'NoSegment' ? t('noroads') : errorText('what.route', e), 'info');
        info.dataset.state = e.status === 404 ? 'unavailable' : 'noroads';
        return;
      }
      if (i === 0) {
        say(info, errorText('what.route', e), 'info');
        info.dataset.state = 'error';
      }
      items[i].querySelector('.time').textContent = t('no.route');
      continue;
    }
    if (seq !== state.querySeq) return;
    const p = feature.properties || {};
    items[i].querySelector('.time').textContent = formatDuration(p.duration_s) + ' · ' +
      formatDistance(p.distance_m) + ' ' + t('by.road');
    items[i].dataset.durationS = p.duration_s;
    items[i].route = feature;
    if (i === 0) drawRoute(feature, c);
  }
}

function drawRoute(feature, centre) {
  const p = feature.properties || {};
  layers.route.clearLayers();
  layers.route.addLayer(L.geoJSON(feature, {
    renderer: layers.routeRenderer, pane: 'route', interactive: false,
    style: { color: '#ffffff', weight: 9, opacity: 0.9, className: 'kkc-route-casing' },
  }));
  layers.route.addLayer(L.geoJSON(feature, {
    renderer: layers.routeRenderer, pane: 'route', interactive: false,
    style: { color: '#6a1b9a', weight: 5, opacity: 0.95, className: 'kkc-route' },
  }));
  /* The last stretch off the road, from the snapped end to the incident, dashed and noted. */
  const end = p.to || {};
  let gapText = '';
  if (end.snapped && end.input && end.snap_distance_m > 0) {
    layers.route.addLayer(L.polyline([[end.snapped[1], end.snapped[0]], [end.input[1], end.input[0]]], {
      renderer: layers.routeRenderer, pane: 'route', interactive: false, color: '#6a1b9a', weight: 3,
      dashArray: '3 6', className: 'kkc-route-gap',
    }));
    gapText = ' ' + t('route.gap', { gap: formatDistance(end.snap_distance_m) });
  }
  const info = $('route-info');
  info.dataset.state = 'done';
  info.dataset.distanceM = p.distance_m;
  info.dataset.durationS = p.duration_s;
  info.dataset.centre = centre.id;
  info.dataset.gapM = end.snap_distance_m || 0;
  say(info, t('route.from', { name: centre.name, dur: formatDuration(p.duration_s),
    dist: formatDistance(p.distance_m) }) + gapText, 'info');
  renderSteps($('route-steps'), feature, map, layers.route);
}


export function createDispatcher(c) {
  ctx = c;
  ({ map, layers, state } = c);
  return { queryPoint, parseCoordinates };
}
