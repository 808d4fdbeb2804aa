/* service/web/app.js -- the KKC map page: dispatcher and planner views over the KKC HTTP API.
 *
 * Plain JavaScript on Leaflet (served from /leaflet/), no build step, no tiles: the base map is
 * drawn from the service's own vector layers (/v1/layers/*, /v1/municipalities). Every request
 * goes through api(), which turns an error answer into an ApiError carrying the API's `message`;
 * every caller shows that message in the panel. Endpoints that a server may not have yet
 * (/v1/route, /v1/coverage, /v1/isochrone, /v1/plan) are simply called: a 404 is shown as a
 * readable note and nothing else breaks. window.kkc exposes the map and state to the tests. */
(function () {
  'use strict';

  /* ------------------------------------------------------------ constants ---------------- */

  const AREAS = {
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
  const KIND_COLOURS = { police: '#1f5fbf', fire: '#d62828', ambulance: '#2a9d3f' };
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

  /* ------------------------------------------------------------ small helpers ------------ */

  const $ = (id) => document.getElementById(id);
  const I = window.kkcI18n;
  const t = I.t;

  /* An error answer of the API: status, the API's code and its readable message. */
  class ApiError extends Error {
    constructor(status, code, message, path) {
      super(message);
      this.status = status;
      this.code = code;
      this.path = path;
    }
  }

  /* A query string from an object, leaving out undefined, null and '' values. */
  function qs(params) {
    const u = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) {
      if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
    }
    const s = u.toString();
    return s ? '?' + s : '';
  }

  /* Call the API: resolves with the parsed JSON, rejects with an ApiError whose message is the
   * API's `message` (or a plain description when the answer is not the API's JSON). */
  async function api(path, params, opts) {
    if (window.kkcParams) params = window.kkcParams(path, params); /* closures.js: avoid= */
    const url = path + qs(params);
    let res;
    try {
      res = await fetch(url, Object.assign({ headers: { Accept: 'application/json' } }, opts));
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new ApiError(0, 'Network', t('err.network', { detail: e.message }), path);
    }
    const text = await res.text();
    let body = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch (e) {
      body = null;
    }
    if (!res.ok) {
      const msg = body && body.message ? body.message : 'HTTP ' + res.status + ' ' + res.statusText;
      throw new ApiError(res.status, body && body.code ? body.code : 'HTTP' + res.status, msg, path);
    }
    if (body === null) throw new ApiError(res.status, 'BadAnswer', t('err.notjson'), path);
    return body;
  }

  /* Show text in a message box (kind 'error' or 'info'); empty text hides it. */
  function say(el, text, kind) {
    el.textContent = text || '';
    el.hidden = !text;
    el.classList.toggle('info', kind === 'info');
  }

  /* The text to show for an error of what (e.g. "Nearest centres"). */
  function errorText(whatKey, e) {
    const what = t(whatKey);
    if (e instanceof ApiError) {
      if (e.status === 404 && /no such endpoint/i.test(e.message)) {
        return t('err.noendpoint', { what, detail: e.message });
      }
      return what + ': ' + e.message;
    }
    return what + ': ' + (e && e.message ? e.message : String(e));
  }

  function formatDistance(m) {
    if (m === null || m === undefined || !isFinite(m)) return '–';
    return m < 1000 ? I.int(m) + '\u00a0m' : I.num(m / 1000, 2) + '\u00a0km';
  }

  function formatDuration(s) {
    if (s === null || s === undefined || !isFinite(s)) return '–';
    if (s < 60) return I.int(s) + '\u00a0s';
    const min = s / 60;
    if (min < 60) return I.num(min, 1) + '\u00a0min';
    return Math.floor(min / 60) + '\u00a0h ' + Math.round(min % 60) + '\u00a0min';
  }

  function formatShare(x) {
    return I.share(x);
  }

  function formatInt(n) {
    return I.int(n);
  }

  function escapeHtml(s) {
    return String(s === null || s === undefined ? '' : s).replace(/[&<>"']/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  }

  function debounce(fn, ms) {
    let t = null;
    return function (...args) {
      clearTimeout(t);
      t = setTimeout(() => fn.apply(this, args), ms);
    };
  }

  /* ------------------------------------------------------------ state -------------------- */

  const state = {
    view: 'dispatcher',
    area: 'khk',
    centres: new Map(), /* id -> {feature, marker} */
    query: null, /* {lon, lat} of the last dispatcher query */
    querySeq: 0,
    closed: new Set(), /* planner what-if: ids of centres to close */
    added: [], /* planner what-if: [{lon, lat}] of sites to add */
    coverageShown: false,
    lastCoverageUrl: null,
  };

  /* ------------------------------------------------------------ the map ------------------ */

  const map = L.map('map', { zoomControl: true, minZoom: 5, maxZoom: 18, worldCopyJump: false });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  map.attributionControl.addAttribution(ATTRIBUTION);
  L.control.scale({ imperial: false }).addTo(map);
  L.Icon.Default.imagePath = '/leaflet/images/';

  for (const [name, z] of [['boundaries', 350], ['roads', 360], ['coverage', 380], ['places', 390],
    ['route', 420]]) {
    map.createPane(name).style.zIndex = z;
  }
  map.getPane('boundaries').style.pointerEvents = 'none';
  map.getPane('roads').style.pointerEvents = 'none';
  map.getPane('places').style.pointerEvents = 'none';
  map.getPane('coverage').style.pointerEvents = 'none';

  const canvasBoundaries = L.canvas({ pane: 'boundaries', padding: 0.3 });
  const canvasRoads = L.canvas({ pane: 'roads', padding: 0.3 });
  const boundaryLayers = {};
  for (const b of BOUNDARY_LEVELS) {
    boundaryLayers[b.level] = L.geoJSON(null, {
      pane: 'boundaries', renderer: canvasBoundaries, interactive: false,
      style: () => Object.assign({ fill: false }, b.style),
    }).addTo(map);
  }
  const roadLayer = L.geoJSON(null, {
    pane: 'roads', renderer: canvasRoads, interactive: false,
    style: (f) => {
      const s = ROAD_STYLES[f.properties.highway] || ['#d0d4d8', 0.7];
      const z = map.getZoom();
      return { color: s[0], weight: z >= 15 ? s[1] * 1.6 : s[1], opacity: 0.95, lineCap: 'round' };
    },
  }).addTo(map);
  const placeLayer = L.layerGroup().addTo(map);
  const coverageLayer = L.layerGroup().addTo(map);
  const centreLayer = L.layerGroup().addTo(map);
  const resultLayer = L.layerGroup().addTo(map);
  const routeLayer = L.layerGroup().addTo(map);
  const whatifLayer = L.layerGroup().addTo(map);
  const routeRenderer = L.svg({ pane: 'route' });

  /* Map status: a small box in the corner for base-layer problems. */
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

  /* ------------------------------------------------------------ base layers -------------- */

  const baseCache = new Map(); /* url -> GeoJSON, small LRU for boundaries */
  let baseAbort = null;
  let baseSeq = 0;

  /* The view's bounds padded by a third, clamped to valid degrees, as a bbox string. */
  function paddedBbox() {
    const b = map.getBounds().pad(0.33);
    const c = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
    return [c(b.getWest(), -180, 180), c(b.getSouth(), -85, 85), c(b.getEast(), -180, 180),
      c(b.getNorth(), -85, 85)].map((v) => v.toFixed(5)).join(',');
  }

  async function cachedLayer(path, params, signal) {
    const key = path + qs(params);
    if (baseCache.has(key)) return baseCache.get(key);
    const data = await api(path, params, { signal });
    baseCache.set(key, data);
    if (baseCache.size > 40) baseCache.delete(baseCache.keys().next().value);
    return data;
  }

  /* Refetch boundaries, roads and places for the current view; stale answers are dropped. */
  async function refreshBase() {
    if (baseAbort) baseAbort.abort();
    baseAbort = new AbortController();
    const signal = baseAbort.signal;
    const seq = ++baseSeq;
    const z = map.getZoom();
    const bbox = paddedBbox();
    const jobs = BOUNDARY_LEVELS.map((b) => {
      if (z < b.minZoom) {
        boundaryLayers[b.level].clearLayers();
        return Promise.resolve();
      }
      const params = { level: b.level, zoom: z, outline: 'true', bbox: z >= 9 ? bbox : undefined };
      return cachedLayer('/v1/layers/boundaries', params, signal).then((fc) => {
        if (seq !== baseSeq) return;
        boundaryLayers[b.level].clearLayers().addData(fc);
      });
    });
    jobs.push(z >= 8 ? api('/v1/layers/roads', { bbox, zoom: z }, { signal }).then((fc) => {
      if (seq !== baseSeq) return;
      roadLayer.clearLayers().addData(fc);
    }) : Promise.resolve(roadLayer.clearLayers()));
    jobs.push(z >= 9 ? api('/v1/municipalities', { bbox, limit: z >= 13 ? 600 : z >= 11 ? 200 : 60 },
      { signal }).then((d) => {
      if (seq === baseSeq) drawPlaces(d.municipalities, z);
    }) : Promise.resolve(placeLayer.clearLayers()));
    const results = await Promise.allSettled(jobs);
    if (seq !== baseSeq) return;
    const failed = results.find((r) => r.status === 'rejected' && r.reason.name !== 'AbortError');
    say($('map-status'), failed ? errorText('what.layers', failed.reason) : '');
    map.getContainer().dataset.baseSeq = String(seq);
  }
  const refreshBaseSoon = debounce(refreshBase, 200);

  /* Municipality points; names for the largest ones (the list comes largest first). */
  function drawPlaces(list, z) {
    placeLayer.clearLayers();
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
      placeLayer.addLayer(mk);
    });
  }

  /* ------------------------------------------------------------ centres ------------------ */

  function centreStyle(id, kind) {
    const closed = state.closed.has(id);
    return {
      radius: 6, weight: 2, color: '#fff', fillOpacity: closed ? 0.5 : 0.95,
      fillColor: closed ? '#8d8d8d' : KIND_COLOURS[kind] || '#555',
      dashArray: closed ? '2 2' : null,
    };
  }

  function centrePopup(p) {
    const lines = [
      '<strong>' + escapeHtml(p.name) + '</strong>',
      escapeHtml(t('kind.' + p.kind)) + ' · <code>' + escapeHtml(p.id) + '</code>' +
        (p.status === 'closed' ? ' · ' + t('closed') : ''),
    ];
    if (p.address || p.municipality) {
      lines.push(escapeHtml([p.address, p.municipality].filter(Boolean).join(', ')));
    }
    if (p.phone) lines.push('☎ ' + escapeHtml(p.phone));
    let html = lines.join('<br>');
    if (state.view === 'planner') {
      const closed = state.closed.has(p.id);
      html += '<div class="popup-actions"><button type="button" data-action="toggle-close" data-id="' +
        escapeHtml(p.id) + '">' + escapeHtml(t(closed ? 'popup.reopen' : 'popup.close')) + '</button>' +
        '<button type="button" data-action="isochrone" data-id="' + escapeHtml(p.id) +
        '">' + escapeHtml(t('popup.isochrone')) + '</button></div>';
    }
    return html;
  }

  async function loadCentres() {
    const fc = await api('/v1/centres', { format: 'geojson', include_closed: 'true' });
    centreLayer.clearLayers();
    state.centres.clear();
    for (const f of fc.features) {
      const p = f.properties;
      const [lon, lat] = f.geometry.coordinates;
      const mk = L.circleMarker([lat, lon], centreStyle(p.id, p.kind));
      mk.on('click', (ev) => {
        L.DomEvent.stopPropagation(ev);
        if (state.view === 'planner') toggleClosed(p.id);
        L.popup({ offset: [0, -4] }).setLatLng(mk.getLatLng()).setContent(centrePopup(p)).openOn(map);
      });
      centreLayer.addLayer(mk);
      state.centres.set(p.id, { feature: f, marker: mk });
    }
  }

  function restyleCentres() {
    for (const [id, c] of state.centres) {
      c.marker.setStyle(centreStyle(id, c.feature.properties.kind));
    }
  }

  /* Popup buttons (rendered as HTML strings) are handled by delegation. */
  map.getContainer().addEventListener('click', (ev) => {
    const btn = ev.target.closest && ev.target.closest('button[data-action]');
    if (!btn) return;
    ev.stopPropagation();
    map.closePopup();
    if (btn.dataset.action === 'toggle-close') toggleClosed(btn.dataset.id);
    if (btn.dataset.action === 'isochrone') showIsochrone({ centre: btn.dataset.id });
    if (btn.dataset.action === 'remove-added') removeAdded(Number(btn.dataset.index));
  });

  /* ------------------------------------------------------------ dispatcher --------------- */

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
    resultLayer.clearLayers();
    routeLayer.clearLayers();
    $('results').innerHTML = '';
    say($('route-info'), '');
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
    updateHash();
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
    resultLayer.addLayer(L.marker([q.lat, q.lon], { icon, zIndexOffset: 1000, title: t('incident.marker') }));
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
      resultLayer.addLayer(L.marker([c.lat, c.lon], { icon, title: c.name, zIndexOffset: 900 })
        .bindPopup('<strong>' + escapeHtml(c.name) + '</strong><br>' + contactHtml(c) + '<br>' +
          formatDistance(r.distance_m) + ' ' + escapeHtml(t('straight'))));
      resultLayer.addLayer(L.polyline([[state.query.lat, state.query.lon], [c.lat, c.lon]], {
        color: KIND_COLOURS[c.kind] || '#555', weight: 1.5, dashArray: '4 6', opacity: 0.7,
        interactive: false,
      }));
    }
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
  async function driveTimes(seq, data) {
    const info = $('route-info');
    const items = Array.from($('results').children);
    const to = data.query.lon + ',' + data.query.lat;
    for (let i = 0; i < data.results.length; i++) {
      const c = data.results[i].centre;
      let feature;
      try {
        feature = await api('/v1/route', { from: 'centre:' + c.id, to });
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
    routeLayer.clearLayers();
    routeLayer.addLayer(L.geoJSON(feature, {
      renderer: routeRenderer, pane: 'route', interactive: false,
      style: { color: '#ffffff', weight: 9, opacity: 0.9, className: 'kkc-route-casing' },
    }));
    routeLayer.addLayer(L.geoJSON(feature, {
      renderer: routeRenderer, pane: 'route', interactive: false,
      style: { color: '#6a1b9a', weight: 5, opacity: 0.95, className: 'kkc-route' },
    }));
    /* The last stretch off the road, from the snapped end to the incident, dashed and noted. */
    const end = p.to || {};
    let gapText = '';
    if (end.snapped && end.input && end.snap_distance_m > 0) {
      routeLayer.addLayer(L.polyline([[end.snapped[1], end.snapped[0]], [end.input[1], end.input[0]]], {
        renderer: routeRenderer, pane: 'route', interactive: false, color: '#6a1b9a', weight: 3,
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
  }

  /* Municipality autocomplete. */
  let suggestAbort = null;
  let suggestActive = -1;

  async function suggest() {
    const q = $('search-input').value.trim();
    const ul = $('search-suggestions');
    if (suggestAbort) suggestAbort.abort();
    if (q.length < 2) {
      hideSuggestions();
      return;
    }
    suggestAbort = new AbortController();
    let data;
    try {
      data = await api('/v1/municipalities', { q, limit: 8 }, { signal: suggestAbort.signal });
    } catch (e) {
      if (e.name === 'AbortError') return;
      hideSuggestions();
      say($('message'), errorText('what.search', e));
      return;
    }
    ul.innerHTML = '';
    suggestActive = -1;
    for (const m of data.municipalities) {
      const li = document.createElement('li');
      li.setAttribute('role', 'option');
      li.dataset.testid = 'suggestion';
      li.dataset.code = m.code;
      li.innerHTML = escapeHtml(m.name) + ' <small>' + escapeHtml(m.okres || '') +
        (m.population ? ' · ' + formatInt(m.population) + '\u00a0' + t('inh') : '') + '</small>';
      li.addEventListener('mousedown', (ev) => {
        ev.preventDefault();
        chooseMunicipality(m);
      });
      ul.appendChild(li);
    }
    if (!data.municipalities.length) {
      const li = document.createElement('li');
      li.textContent = t('no.muni', { q });
      ul.appendChild(li);
    }
    ul.hidden = false;
    ul.dataset.q = q;
    $('search-input').setAttribute('aria-expanded', 'true');
    ul.municipalities = data.municipalities;
  }

  function hideSuggestions() {
    $('search-suggestions').hidden = true;
    $('search-input').setAttribute('aria-expanded', 'false');
  }

  function chooseMunicipality(m) {
    hideSuggestions();
    $('search-input').value = m.name;
    map.setView([m.lat, m.lon], Math.max(map.getZoom(), 12));
    queryPoint({ lon: m.lon, lat: m.lat });
  }

  function suggestKeys(ev) {
    const ul = $('search-suggestions');
    const items = Array.from(ul.querySelectorAll('li[data-code]'));
    if (ul.hidden || !items.length) return;
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      suggestActive = (suggestActive + (ev.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
      items.forEach((li, i) => li.setAttribute('aria-selected', i === suggestActive ? 'true' : 'false'));
    } else if (ev.key === 'Enter') {
      ev.preventDefault();
      chooseMunicipality(ul.municipalities[Math.max(suggestActive, 0)]);
    } else if (ev.key === 'Escape') {
      hideSuggestions();
    }
  }

  /* ------------------------------------------------------------ planner ------------------ */

  /* The planner's requests (service/api_coverage.h; /v1/plan is not there yet):
   *   GET  /v1/coverage?kind=K&minutes=M|km=D&region=R&format=geojson[&close=ID,ID]
   *        [&add=LON,LAT;LON,LAT] -> a FeatureCollection (features with role service, gap and
   *        uncovered) carrying the report: covered_share, population_covered, population_total,
   *        population, area_km2, municipalities {total, uncovered, unreachable}, region, ...
   *   GET  /v1/isochrone?kind=K&minutes=M[&close=][&add=] or ?centre=ID&minutes=M
   *   POST /v1/plan {kind, minutes|km, region, count, close, add} -> sites [{lon, lat, ...}]
   * The region follows the area: the KHK kraj, or the area of the loaded road network. */
  const AREA_REGION = { khk: 'CZ052', heidelberg: 'network' };

  /* kind, threshold, region and the what-if lists, as the API takes them. */
  function plannerParams() {
    const unit = $('planner-unit').value;
    const p = { kind: $('planner-kind').value, region: AREA_REGION[state.area] };
    p[unit === 'km' ? 'km' : 'minutes'] = $('planner-threshold').value;
    if (state.closed.size) p.close = Array.from(state.closed).join(',');
    if (state.added.length) {
      p.add = state.added.map((a) => a.lon.toFixed(6) + ',' + a.lat.toFixed(6)).join(';');
    }
    return p;
  }

  /* o[name] when present and not null, else undefined. */
  function pick(o, ...names) {
    for (const n of names) {
      if (o && o[n] !== undefined && o[n] !== null) return o[n];
    }
    return undefined;
  }

  const SERVICE_STYLE = { color: '#2a9d8f', weight: 1, fillColor: '#52b69a', fillOpacity: 0.18 };
  const GAP_STYLE = { color: '#c1121f', weight: 1, fillColor: '#e63946', fillOpacity: 0.28 };

  /* Ask /v1/coverage for the current settings; fit: show the whole region afterwards. */
  async function runCoverage(fit) {
    const msg = $('planner-message');
    const figs = $('planner-figures');
    const params = Object.assign(plannerParams(), { format: 'geojson' });
    const url = '/v1/coverage' + qs(params);
    const seq = (state.coverageSeq = (state.coverageSeq || 0) + 1);
    $('planner-run').disabled = true;
    say(msg, '');
    figs.dataset.state = 'loading';
    let d;
    try {
      d = await api('/v1/coverage', params);
    } catch (e) {
      if (seq !== state.coverageSeq) return;
      say(msg, errorText('what.coverage', e));
      figs.dataset.state = 'error';
      figs.hidden = true;
      $('uncovered').hidden = true;
      coverageLayer.clearLayers();
      $('planner-run').disabled = false;
      return;
    }
    if (seq !== state.coverageSeq) return;
    $('planner-run').disabled = false;
    state.coverageShown = true;
    renderCoverage(d, url);
    if (fit === true) {
      const b = L.featureGroup(coverageLayer.getLayers()).getBounds();
      if (b.isValid()) map.fitBounds(b, { maxZoom: 13 });
    }
  }

  /* Figures, gap and service areas and the uncovered municipalities of a coverage answer. */
  function renderCoverage(d, url) {
    const figs = $('planner-figures');
    const share = pick(d, 'covered_share');
    const byPopulation = d.population && d.population.share !== null &&
      d.population.share !== undefined;
    const shareEl = $('covered-share');
    shareEl.dataset.value = share === undefined ? '' : String(share);
    shareEl.textContent = formatShare(share);
    shareEl.title = t(byPopulation ? 'share.pop' : 'share.area');
    $('covered-basis').textContent = t(byPopulation ? 'of.population' : 'of.area');
    $('covered-population').dataset.value = byPopulation ? String(d.population_covered) : '';
    $('covered-population').textContent = byPopulation
      ? t('of', { a: formatInt(d.population_covered), b: formatInt(d.population_total) }) : '–';
    $('covered-area').textContent = d.area_km2
      ? t('of', { a: formatShare(d.area_km2.share), b: formatInt(d.area_km2.total) + '\u00a0km²' }) : '–';
    const m = d.municipalities || {};
    $('uncovered-count').textContent = m.total
      ? t('of', { a: formatInt(m.uncovered), b: formatInt(m.total) }) +
        (m.unreachable ? ' ' + t('off.roads', { n: formatInt(m.unreachable) }) : '') : '–';
    $('covered-region').textContent = d.region ? d.region.name : '–';
    const features = Array.isArray(d.features) ? d.features : [];
    const unc = features.filter((f) => f.properties && f.properties.role === 'uncovered');
    const ol = $('uncovered-list');
    ol.innerHTML = '';
    for (const f of unc.slice(0, 300)) {
      const p = f.properties;
      const li = document.createElement('li');
      const short = p.shortfall_s !== undefined ? formatDuration(p.shortfall_s)
        : p.shortfall_m !== undefined ? formatDistance(p.shortfall_m) : '';
      li.textContent = p.name + (p.population ? ' (' + formatInt(p.population) + '\u00a0' + t('inh') + ')' : '') +
        (short ? ' — ' + t('too.far', { d: short }) : '');
      ol.appendChild(li);
    }
    $('uncovered').hidden = !unc.length;
    figs.hidden = false;
    figs.dataset.state = 'done';
    figs.dataset.url = url;
    coverageLayer.clearLayers();
    for (const f of features) {
      const role = f.properties && f.properties.role;
      if (role === 'service' || role === 'gap') {
        coverageLayer.addLayer(L.geoJSON(f, {
          pane: 'coverage', interactive: false, style: role === 'gap' ? GAP_STYLE : SERVICE_STYLE,
        }));
      } else if (role === 'uncovered') {
        const [lon, lat] = f.geometry.coordinates;
        coverageLayer.addLayer(L.circleMarker([lat, lon], {
          pane: 'coverage', radius: 3.5, color: '#fff', weight: 1, fillColor: '#c1121f',
          fillOpacity: 1, interactive: false,
        }));
      }
    }
  }

  /* Isochrones: the service area of all centres of the kind (with the what-if), or of one. */
  async function showIsochrone(extra) {
    const msg = $('planner-message');
    if ($('planner-unit').value !== 'minutes') {
      say(msg, t('iso.minutes'), 'info');
      return;
    }
    const all = plannerParams();
    const params = extra && extra.centre ? { centre: extra.centre, minutes: all.minutes }
      : { kind: all.kind, minutes: all.minutes, close: all.close, add: all.add };
    say(msg, '');
    let d;
    try {
      d = await api('/v1/isochrone', params);
    } catch (e) {
      say(msg, errorText('what.isochrones', e));
      return;
    }
    const layer = L.geoJSON(d, {
      pane: 'coverage', interactive: false,
      style: { color: '#1d6fa5', weight: 1.5, fillColor: '#4ea8de', fillOpacity: 0.2 },
    });
    coverageLayer.addLayer(layer);
    const f = (d.features || [])[0];
    const area = f && f.properties ? f.properties.area_km2 : undefined;
    $('planner-figures').dataset.isochrones = String((d.features || []).length);
    say(msg, t('iso.done', {
      m: params.minutes,
      whom: extra && extra.centre ? t('iso.from', { id: extra.centre })
        : t('iso.every', { kind: t('kind.' + all.kind) }),
      area: area !== undefined ? ': ' + formatInt(area) + '\u00a0km²' : '',
    }), 'info');
  }

  /* The body of POST /v1/plan for the current settings: choose 3 sites to add. */
  function planBody() {
    const p = plannerParams();
    const body = { kind: p.kind, region: p.region, add: 3 };
    if (p.km !== undefined) body.km = Number(p.km);
    else body.minutes = Number(p.minutes);
    if (state.closed.size) body.close = Array.from(state.closed);
    return body;
  }

  /* Ask the planner where 3 new sites would cover the most people; list and mark them. */
  async function suggestSites() {
    const msg = $('planner-message');
    const ol = $('suggestions');
    const body = planBody();
    const btn = $('planner-suggest');
    say(msg, '');
    btn.disabled = true;
    ol.dataset.state = 'loading';
    let d;
    try {
      d = await api('/v1/plan', null, {
        method: 'POST', body: JSON.stringify(body),
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      });
    } catch (e) {
      btn.disabled = false;
      say(msg, errorText('what.suggest', e));
      ol.hidden = true;
      ol.dataset.state = 'error';
      return;
    }
    btn.disabled = false;
    renderSuggestions(d, body);
  }

  function renderSuggestions(d, body) {
    const ol = $('suggestions');
    const sites = Array.isArray(d.sites) ? d.sites : [];
    ol.innerHTML = '';
    for (const s of sites) {
      const li = document.createElement('li');
      li.dataset.testid = 'suggested-site';
      li.dataset.lon = s.lon;
      li.dataset.lat = s.lat;
      li.dataset.gain = s.population_gained;
      const where = s.municipality ? s.municipality.name
        : Number(s.lon).toFixed(4) + ', ' + Number(s.lat).toFixed(4);
      li.innerHTML = '<span class="rank added">' + escapeHtml(s.rank) + '</span>' +
        '<span class="name">' + escapeHtml(where) + '</span>' +
        '<span class="dist">+' + formatInt(s.population_gained) + '</span>' +
        '<span class="meta">' + escapeHtml(t('then.covered', { share: formatShare(s.covered_share) })) +
        '</span><span class="time">' + escapeHtml(t('click.add')) + '</span>';
      li.title = t('add.title');
      li.addEventListener('click', () => addSite(Number(s.lon), Number(s.lat)));
      ol.appendChild(li);
      coverageLayer.addLayer(L.circleMarker([s.lat, s.lon], {
        pane: 'coverage', radius: 10, color: '#f4a100', weight: 3, fill: false, interactive: false,
      }));
    }
    ol.hidden = !sites.length;
    ol.dataset.state = 'done';
    ol.dataset.body = JSON.stringify(body);
    const after = d.population && d.population.share_after;
    say($('planner-message'), sites.length
      ? t('suggested', {
        n: sites.length, method: d.method ? ' (' + d.method + ')' : '',
        after: after !== undefined ? t('suggested.after', { share: formatShare(after) }) : '',
      }) + (state.added.length ? t('suggested.added') : '')
      : t('suggested.none'), 'info');
  }

  function renderWhatIf() {
    const ul = $('whatif-list');
    ul.innerHTML = '';
    whatifLayer.clearLayers();
    for (const id of state.closed) {
      const c = state.centres.get(id);
      const li = document.createElement('li');
      li.dataset.testid = 'whatif-closed';
      li.innerHTML = escapeHtml(t('closed.item', { name: c ? c.feature.properties.name : id })) +
        ' <button type="button" data-id="' + escapeHtml(id) + '">' + escapeHtml(t('reopen')) +
        '</button>';
      li.querySelector('button').addEventListener('click', () => toggleClosed(id));
      ul.appendChild(li);
    }
    state.added.forEach((a, i) => {
      const li = document.createElement('li');
      li.dataset.testid = 'whatif-added';
      li.innerHTML = escapeHtml(t('added.item', { where: a.lat.toFixed(4) + ', ' + a.lon.toFixed(4) })) +
        ' <button type="button">' + escapeHtml(t('remove')) + '</button>';
      li.querySelector('button').addEventListener('click', () => removeAdded(i));
      ul.appendChild(li);
      whatifLayer.addLayer(L.circleMarker([a.lat, a.lon], {
        radius: 7, color: '#fff', weight: 2, fillColor: '#f4a100', fillOpacity: 1,
      }).bindPopup(escapeHtml(t('added.popup')) + '<div class="popup-actions"><button type="button" ' +
        'data-action="remove-added" data-index="' + i + '">' + escapeHtml(t('remove')) + '</button></div>'));
    });
    $('whatif').hidden = !state.closed.size && !state.added.length;
    restyleCentres();
  }

  function whatIfChanged() {
    renderWhatIf();
    if (state.coverageShown) runCoverage();
  }

  function toggleClosed(id) {
    if (state.closed.has(id)) state.closed.delete(id);
    else state.closed.add(id);
    whatIfChanged();
  }

  function addSite(lon, lat) {
    state.added.push({ lon, lat });
    whatIfChanged();
  }

  function removeAdded(i) {
    state.added.splice(i, 1);
    whatIfChanged();
  }

  /* ------------------------------------------------------------ views, areas, panel ------ */

  function setView(view) {
    state.view = view;
    for (const v of ['dispatcher', 'planner']) {
      $(v).hidden = v !== view;
      $('tab-' + v).setAttribute('aria-selected', v === view ? 'true' : 'false');
    }
    document.body.dataset.view = view;
    map.closePopup();
    updateHash();
    /* The dispatcher's incident and route would only get in the way of planner clicks. */
    for (const layer of [resultLayer, routeLayer]) {
      if (view === 'dispatcher') layer.addTo(map);
      else layer.remove();
    }
    for (const layer of [coverageLayer, whatifLayer]) {
      if (view === 'planner') layer.addTo(map);
      else layer.remove();
    }
  }

  /* Keep the area and view in the address (#heidelberg, #khk-planner) so a reload keeps them. */
  /* The address keeps the area, view, language, incident, kind, k and ranking:
   * #khk-planner&lang=en&at=50.21,15.83&kind=fire&k=5&by=time. */
  function updateHash() {
    const extra = new URLSearchParams();
    if (I.lang !== 'cs') extra.set('lang', I.lang);
    if (state.query) extra.set('at', state.query.lat.toFixed(6) + ',' + state.query.lon.toFixed(6));
    if ($('kind-select').value) extra.set('kind', $('kind-select').value);
    if ($('k-input').value !== '3') extra.set('k', $('k-input').value);
    if ($('by-select').value !== 'distance') extra.set('by', $('by-select').value);
    const rest = extra.toString();
    const h = '#' + state.area + (state.view === 'planner' ? '-planner' : '') + (rest ? '&' + rest : '');
    if (location.hash !== h) history.replaceState(null, '', h);
  }

  /* The settings kept in the address at load; the incident point to query, if any. */
  function restoreHash(hash) {
    const q = new URLSearchParams(hash.replace(/^#[^&]*&?/, ''));
    if (q.get('kind') !== null) $('kind-select').value = q.get('kind');
    if (q.get('k')) $('k-input').value = q.get('k');
    if (q.get('by')) $('by-select').value = q.get('by');
    const at = /^(-?[\d.]+),(-?[\d.]+)$/.exec(q.get('at') || '');
    return at ? { lon: Number(at[2]), lat: Number(at[1]) } : null;
  }

  function setArea(area) {
    const changed = state.area !== area;
    state.area = area;
    /* The unit that has data there: straight-line km in KHK (no Czech roads loaded), drive
     * minutes in Heidelberg (roads, no census). */
    if (changed || !state.areaSet) $('planner-unit').value = area === 'khk' ? 'km' : 'minutes';
    state.areaSet = true;
    for (const a of Object.keys(AREAS)) $('area-' + a).classList.toggle('active', a === area);
    map.setView(AREAS[area].center, AREAS[area].zoom);
    updateHash();
    if (changed && state.coverageShown) runCoverage();
  }

  function togglePanel(show) {
    const panel = $('panel');
    const open = show === undefined ? panel.classList.contains('collapsed') : show;
    panel.classList.toggle('collapsed', !open);
    $('panel-toggle').setAttribute('aria-expanded', open ? 'true' : 'false');
    setTimeout(() => map.invalidateSize(), 0);
  }

  /* ------------------------------------------------------------ wiring ------------------- */

  function wire() {
    map.on('moveend', refreshBaseSoon);
    map.on('click', (ev) => {
      const lon = L.Util.formatNum(ev.latlng.lng, 6);
      const lat = L.Util.formatNum(ev.latlng.lat, 6);
      if (state.view === 'dispatcher') queryPoint({ lon, lat });
      else addSite(lon, lat);
    });
    $('tab-dispatcher').addEventListener('click', () => setView('dispatcher'));
    $('tab-planner').addEventListener('click', () => setView('planner'));
    $('area-khk').addEventListener('click', () => setArea('khk'));
    $('area-heidelberg').addEventListener('click', () => setArea('heidelberg'));
    $('panel-toggle').addEventListener('click', () => togglePanel());
    $('lang-switch').addEventListener('click', () => I.setLang(I.lang === 'cs' ? 'en' : 'cs'));
    I.onChange(() => {
      updateHash();
      if (state.query) queryPoint({ lon: state.query.lon, lat: state.query.lat });
    });
    $('coord-other').addEventListener('click', () => {
      if (!state.otherReading) return;
      $('coord-note').hidden = true;
      queryPoint(state.otherReading);
    });
    $('coord-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      let point;
      try {
        point = parseCoordinates($('coord-input').value, $('coord-crs').value);
      } catch (e) {
        say($('message'), t('what.coords') + ': ' + e.message);
        return;
      }
      queryPoint(point);
    });
    $('search-input').addEventListener('input', debounce(suggest, 150));
    $('search-input').addEventListener('keydown', suggestKeys);
    $('search-input').addEventListener('blur', () => setTimeout(hideSuggestions, 150));
    for (const id of ['k-input', 'kind-select', 'by-select']) {
      $(id).addEventListener('change', () => {
        if (state.query) queryPoint({ lon: state.query.lon, lat: state.query.lat });
      });
    }
    $('planner-run').addEventListener('click', () => runCoverage(true));
    $('planner-isochrones').addEventListener('click', () => showIsochrone());
    $('planner-suggest').addEventListener('click', suggestSites);
    $('planner-reset').addEventListener('click', () => {
      state.closed.clear();
      state.added = [];
      coverageLayer.clearLayers();
      $('suggestions').hidden = true;
      whatIfChanged();
    });
    for (const id of ['planner-kind', 'planner-threshold', 'planner-unit']) {
      $(id).addEventListener('change', () => {
        if (state.coverageShown) runCoverage();
      });
    }
  }

  async function start() {
    I.apply();
    wire();
    const small = window.matchMedia('(max-width: 700px)').matches;
    const hash = location.hash;
    setArea(/heidelberg/i.test(hash) ? 'heidelberg' : 'khk');
    setView(/planner/i.test(hash) ? 'planner' : 'dispatcher');
    if (small) togglePanel(true);
    const at = restoreHash(hash);
    try {
      await loadCentres();
    } catch (e) {
      say($('message'), errorText('what.centres', e));
    }
    if (at) queryPoint(at);
    await refreshBase();
    map.getContainer().dataset.ready = 'true';
  }

  window.kkc = {
    map, state, api, queryPoint, setArea, setView, parseCoordinates, formatDistance,
    formatDuration, formatShare, ready: start(),
  };
})();
