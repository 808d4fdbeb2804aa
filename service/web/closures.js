/* service/web/closures.js -- road closures on the web map, kept apart from app.js.
 *
 * Draws the closures in force (GET /v1/closures?active=true&format=geojson, refreshed every
 * 30 s) in red with their reason, validity and effect, and lets a dispatcher draw an avoid area
 * for the current incident: "Objízdná oblast" starts drawing, each map click adds a corner,
 * "Hotovo" closes the polygon, "Zrušit" removes it. While an area exists, app.js's route and
 * nearest-by-time requests carry avoid= (through the one hook window.kkcParams in app.js's
 * api()); nothing is stored on the server. While an area is being drawn, map clicks only add
 * corners (app.js asks window.kkc.closures.isDrawing()); the control is hidden in the planner.
 * Texts in the page's language (i18n.js). */
(function () {
  'use strict';

  const avoid = { points: [], done: false, drawing: false, layer: null };
  const I = window.kkcI18n;
  const t = I.t;
  const locale = () => (I.lang === 'en' ? 'en-GB' : 'cs-CZ');

  function fmtTime(s) {
    if (!s) return t('closure.revoked');
    const d = new Date(s);
    return d.toLocaleString(locale(), { dateStyle: 'short', timeStyle: 'short' });
  }

  function popup(p) {
    const effect = p.factor === 0 ? t('closure.closed')
      : t('closure.slowed', { f: p.factor.toLocaleString(locale()) });
    const esc = (x) => String(x).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;',
      '>': '&gt;', '"': '&quot;' }[c]));
    return '<b>' + esc(p.reason) + '</b><br>' + effect + ', ' +
      (p.direction ? esc(t('closure.dir.' + p.direction)) : '') + '<br>' +
      esc(t('closure.valid', { from: fmtTime(p.valid_from), until: fmtTime(p.valid_until) })) +
      '<br><small>' + esc(t('closure.source', { source: p.source, id: p.id })) + '</small>';
  }

  /* The area as the API's avoid= value: lon,lat,... of its ring. */
  function avoidParam() {
    if (!avoid.done || avoid.points.length < 3) return null;
    return avoid.points.map((ll) => ll.lng.toFixed(6) + ',' + ll.lat.toFixed(6)).join(',');
  }

  /* The hook app.js's api() calls: add avoid= where the API takes it. */
  window.kkcParams = function (path, params) {
    const a = avoidParam();
    if (!a) return params;
    const byTime = path === '/v1/nearest' && params && params.by === 'time';
    if (path !== '/v1/route' && !byTime) return params;
    return Object.assign({}, params, { avoid: a });
  };

  function redraw(map) {
    if (avoid.layer) map.removeLayer(avoid.layer);
    avoid.layer = null;
    if (!avoid.points.length) return;
    const style = { color: '#b00020', weight: 2, dashArray: '6 4', fillOpacity: 0.12 };
    avoid.layer = (avoid.done ? L.polygon(avoid.points, style)
      : L.polyline(avoid.points, style)).addTo(map);
  }

  function control(map) {
    const c = L.control({ position: 'topleft' });
    c.onAdd = function () {
      const box = L.DomUtil.create('div', 'leaflet-bar kkc-avoid');
      box.style.background = '#fff';
      box.style.padding = '4px';
      const mk = (key, fn) => {
        const b = L.DomUtil.create('button', '', box);
        b.type = 'button';
        b.dataset.key = key;
        L.DomEvent.on(b, 'click', (e) => { L.DomEvent.stop(e); fn(); });
        return b;
      };
      const buttons = [
        mk('avoid.start', () => {
          avoid.points = []; avoid.done = false; avoid.drawing = true; redraw(map);
        }),
        mk('avoid.done', () => {
          avoid.drawing = false; avoid.done = avoid.points.length >= 3; redraw(map);
        }),
        mk('avoid.cancel', () => {
          avoid.points = []; avoid.done = false; avoid.drawing = false; redraw(map);
        }),
      ];
      const label = () => buttons.forEach((b) => {
        b.textContent = t(b.dataset.key);
        b.title = t(b.dataset.key + '.title');
      });
      label();
      I.onChange(label);
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    c.addTo(map);
    map.on('click', (e) => {
      if (!avoid.drawing) return;
      avoid.points.push(e.latlng);
      redraw(map);
    });
  }

  async function refresh(layer) {
    try {
      const res = await fetch('/v1/closures?active=true&format=geojson');
      if (!res.ok) return;
      const fc = await res.json();
      layer.clearLayers();
      layer.addData(fc);
    } catch (e) {
      /* the map keeps the last closures it had */
    }
  }

  async function start() {
    if (!window.kkc) return;
    await window.kkc.ready;
    const map = window.kkc.map;
    const layer = L.geoJSON(null, {
      style: () => ({ color: '#d00000', weight: 5, opacity: 0.85, fillOpacity: 0.15 }),
      onEachFeature: (f, l) => l.bindPopup(popup(f.properties)),
    }).addTo(map);
    control(map);
    await refresh(layer);
    setInterval(() => refresh(layer), 30000);
    window.kkc.closures = { layer, avoid, refresh: () => refresh(layer), avoidParam,
      isDrawing: () => avoid.drawing };
  }

  start();
})();
