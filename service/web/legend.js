/* service/web/legend.js -- a legend entry for every layer the current view draws: the base map,
 * the kinds, and the dispatcher's or the planner's own symbols, each with the very colour the
 * layer is drawn in (data-colour, checked by the tests). */
import { KIND_COLOURS, PLAN_COLOURS, ROUTE_COLOUR, INCIDENT_COLOUR, CLOSURE_COLOUR } from './palette.js';

const t = window.kkcI18n.t;

/* [layer, symbol, colour, text key] */
const KINDS = Object.entries(KIND_COLOURS).map(([k, c]) => ['kind-' + k, 'dot', c, 'kind.' + k]);
const BASE = [
  ['boundary', 'dash', '#6c5f94', 'legend.boundary'],
  ['road', 'line', '#f08c00', 'legend.road'],
  ['municipality', 'ring', '#333333', 'legend.municipality'],
];
const ENTRIES = {
  dispatcher: KINDS.concat([
    ['incident', 'dot', INCIDENT_COLOUR, 'legend.incident'],
    ['straight', 'dash', '#555555', 'legend.straight'],
    ['route', 'line', ROUTE_COLOUR, 'legend.route'],
    ['route-gap', 'dash', ROUTE_COLOUR, 'legend.routegap'],
    ['closure', 'line', CLOSURE_COLOUR, 'legend.closure'],
  ], BASE),
  planner: KINDS.concat([
    ['closed', 'dot', PLAN_COLOURS.closed, 'kind.closed'],
    ['added', 'dot', PLAN_COLOURS.added, 'kind.added'],
    ['service', 'area', PLAN_COLOURS.service, 'legend.service'],
    ['gap', 'area', PLAN_COLOURS.gap, 'legend.gap'],
    ['uncovered', 'dot', PLAN_COLOURS.uncovered, 'legend.uncovered'],
    ['suggested', 'ring', PLAN_COLOURS.suggested, 'legend.suggested'],
    ['isochrone', 'edge', PLAN_COLOURS.isochrone, 'legend.isochrone'],
  ], BASE),
};

/* Fill the legend (#legend-list) for view. */
export function renderLegend(view) {
  const ul = document.getElementById('legend-list');
  ul.innerHTML = '';
  for (const [layer, symbol, colour, key] of ENTRIES[view] || []) {
    const li = document.createElement('li');
    li.dataset.layer = layer;
    li.dataset.colour = colour;
    const sw = document.createElement('span');
    sw.className = 'swatch ' + symbol;
    sw.style.setProperty('--c', colour);
    sw.setAttribute('aria-hidden', 'true');
    li.appendChild(sw);
    li.appendChild(document.createTextNode(t(key)));
    ul.appendChild(li);
  }
}
