/* service/web/steps.js -- the turn-by-turn steps of the drawn route (/v1/route?steps=true&lang=)
 * as a list under the route box: the server's own sentence (`instruction`) where it gives one,
 * else the maneuver type and modifier in the page's language, else the road followed; with the
 * step's length. A step with a location is highlighted on the map on click, Enter or Space. */
import { formatDistance, escapeHtml } from './util.js';
import { ROUTE_COLOUR } from './palette.js';

const t = window.kkcI18n.t;

/* The text of a step. */
export function stepText(s) {
  if (s.instruction) return String(s.instruction);
  const m = s.maneuver;
  const type = m && typeof m === 'object' ? m.type : m;
  const modifier = m && typeof m === 'object' ? m.modifier : s.modifier;
  const road = s.name || s.ref;
  const parts = [];
  if (type) parts.push(t('maneuver.' + type) === 'maneuver.' + type ? type : t('maneuver.' + type));
  if (modifier) parts.push(t('maneuver.' + modifier) === 'maneuver.' + modifier ? modifier : t('maneuver.' + modifier));
  if (road) parts.push(t('step.on', { name: road }));
  return parts.join(' ') || '–';
}

/* [lat, lon] of a step's maneuver, if the server gives one. */
function stepPoint(s) {
  const loc = (s.maneuver && s.maneuver.location) || s.location;
  return Array.isArray(loc) && loc.length >= 2 ? [loc[1], loc[0]] : null;
}

/* Fill ol with the steps of feature; marks go into layer (a Leaflet layer group) on map. */
export function renderSteps(ol, feature, map, layer) {
  const steps = (feature && feature.properties && feature.properties.steps) || [];
  ol.innerHTML = '';
  let mark = null;
  steps.forEach((s, i) => {
    const li = document.createElement('li');
    li.dataset.testid = 'route-step';
    li.dataset.index = String(i);
    li.innerHTML = '<span class="step-text">' + escapeHtml(stepText(s)) + '</span> <small>' +
      formatDistance(s.distance_m) + '</small>';
    const at = stepPoint(s);
    if (at) {
      li.tabIndex = 0;
      const show = () => {
        if (mark) layer.removeLayer(mark);
        mark = L.circleMarker(at, { pane: 'route', radius: 8, color: ROUTE_COLOUR, weight: 3,
          fillColor: '#fff', fillOpacity: 1, interactive: false, className: 'kkc-step' });
        layer.addLayer(mark);
        map.panTo(at);
        for (const x of ol.children) x.classList.toggle('active', x === li);
      };
      li.addEventListener('click', show);
      li.addEventListener('keydown', (ev) => {
        if (ev.key !== 'Enter' && ev.key !== ' ') return;
        ev.preventDefault();
        show();
      });
    }
    ol.appendChild(li);
  });
  ol.hidden = !steps.length;
  ol.dataset.count = String(steps.length);
}
