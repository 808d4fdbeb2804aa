/* service/web/closures.js -- road closures on the web map, kept apart from app.js.
 *
 * Draws the closures in force (GET /v1/closures?active=true&format=geojson, refreshed every
 * 30 s) in red with their reason, validity and effect, and lets a dispatcher draw an avoid area
 * for the current incident: "Objízdná oblast" starts drawing, each map click adds a corner,
 * "Hotovo" closes the polygon, "Zrušit" removes it. While an area exists, app.js's route and
 * nearest-by-time requests carry avoid= (through the one hook window.kkcParams in app.js's
 * api()); nothing is stored on the server. Texts in Czech. */
(function () {
  'use strict';

  const avoid = { points: [], done: false, drawing: false, layer: null };

  function fmtTime(s) {
    if (!s) return 'do odvolání';
    const d = new Date(s);
    return d.toLocaleString('cs-CZ', { dateStyle: 'short', timeStyle: 'short' });
  }

  function popup(p) {
    const effect = p.factor === 0 ? 'uzavřeno'
      : 'zpomaleno ×' + p.factor.toLocaleString('cs-CZ');
    const dir = { both: 'oba směry', forward: 've směru cesty', backward: 'proti směru cesty' };
    const esc = (t) => String(t).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;',
      '>': '&gt;', '"': '&quot;' }[c]));
    return '<b>' + esc(p.reason) + '</b><br>' + effect + ', ' + (dir[p.direction] || '') +
      '<br>platí od ' + fmtTime(p.valid_from) + ' do ' + fmtTime(p.valid_until) +
      '<br><small>zdroj: ' + esc(p.source) + ', č. ' + p.id + '</small>';
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
      const mk = (label, title, fn) => {
        const b = L.DomUtil.create('button', '', box);
        b.type = 'button';
        b.textContent = label;
        b.title = title;
        L.DomEvent.on(b, 'click', (e) => { L.DomEvent.stop(e); fn(); });
        return b;
      };
      mk('Objízdná oblast', 'kreslit oblast, které se trasy vyhnou (klikáním do mapy)', () => {
        avoid.points = []; avoid.done = false; avoid.drawing = true; redraw(map);
      });
      mk('Hotovo', 'uzavřít oblast; trasy a nejbližší podle času se jí vyhnou', () => {
        avoid.drawing = false; avoid.done = avoid.points.length >= 3; redraw(map);
      });
      mk('Zrušit', 'odstranit oblast', () => {
        avoid.points = []; avoid.done = false; avoid.drawing = false; redraw(map);
      });
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
    window.kkc.closures = { layer, avoid, refresh: () => refresh(layer), avoidParam };
  }

  start();
})();
