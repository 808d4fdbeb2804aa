/* service/web/centres.js -- the centre markers (all kinds, closed ones greyed) and their popups.
 * In the planner a click closes or reopens a centre only with the Close tool (planner-tools.js);
 * otherwise it opens the popup, whose buttons close it or draw its isochrone explicitly.
 * ctx: {map, layers, state, planner}. */
import { api } from './api.js';
import { escapeHtml } from './util.js';
import { KIND_COLOURS, PLAN_COLOURS } from './palette.js';

const t = window.kkcI18n.t;

/* The page's context, given once by the create function below (the page makes one of each). */
let ctx;
let map, layers, state;

function style(id, kind) {
  const closed = state.closed.has(id);
  return {
    radius: 6, weight: 2, color: '#fff', fillOpacity: closed ? 0.5 : 0.95,
    fillColor: closed ? PLAN_COLOURS.closed : KIND_COLOURS[kind] || '#555',
    dashArray: closed ? '2 2' : null,
  };
}

function popup(p) {
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

async function load() {
  const fc = await api('/v1/centres', { format: 'geojson', include_closed: 'true' });
  layers.centres.clearLayers();
  state.centres.clear();
  for (const f of fc.features) {
    const p = f.properties;
    const [lon, lat] = f.geometry.coordinates;
    const mk = L.circleMarker([lat, lon], style(p.id, p.kind));
    mk.on('click', (ev) => {
      L.DomEvent.stopPropagation(ev);
      if (state.view === 'planner' && state.tool === 'close') {
        ctx.planner.toggleClosed(p.id);
        return;
      }
      L.popup({ offset: [0, -4] }).setLatLng(mk.getLatLng()).setContent(popup(p)).openOn(map);
    });
    layers.centres.addLayer(mk);
    state.centres.set(p.id, { feature: f, marker: mk });
  }
}

function restyle() {
  for (const [id, c] of state.centres) c.marker.setStyle(style(id, c.feature.properties.kind));
}

/* Popup buttons (rendered as HTML strings) are handled by delegation. */
function popupAction(ev) {
  const btn = ev.target.closest && ev.target.closest('button[data-action]');
  if (!btn) return;
  ev.stopPropagation();
  map.closePopup();
  if (btn.dataset.action === 'toggle-close') ctx.planner.toggleClosed(btn.dataset.id);
  if (btn.dataset.action === 'isochrone') ctx.planner.showIsochrone({ centre: btn.dataset.id });
  if (btn.dataset.action === 'remove-added') ctx.planner.removeAdded(Number(btn.dataset.index));
}

export function createCentres(c) {
  ctx = c;
  ({ map, layers, state } = c);
  map.getContainer().addEventListener('click', popupAction);
  return { load, restyle };
}
