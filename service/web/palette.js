/* service/web/palette.js -- the page's colours. The kinds keep their usual blue/red/green; the
 * planner's layers use colours of the colour-blind-safe Okabe–Ito set that stay apart from the
 * kinds also for deuteranopes (checked in tests/web/planner.test.mjs): covered = sky blue, gap =
 * yellow with a dashed black edge (not a red/green pair), uncovered municipality = reddish
 * purple with a black ring (not the fire stations' red), added site = orange, suggested site =
 * black ring, isochrone = black edge. */
export const KIND_COLOURS = { police: '#1f5fbf', fire: '#d62828', ambulance: '#2a9d3f' };

export const PLAN_COLOURS = {
  service: '#56b4e9', gap: '#f0e442', uncovered: '#cc79a7', added: '#e69f00', suggested: '#000000',
  isochrone: '#000000', closed: '#8d8d8d',
};

export const SERVICE_STYLE = { color: PLAN_COLOURS.service, weight: 1, fillColor: PLAN_COLOURS.service,
  fillOpacity: 0.3, className: 'kkc-service' };
export const GAP_STYLE = { color: '#000000', weight: 1, dashArray: '4 3', fillColor: PLAN_COLOURS.gap,
  fillOpacity: 0.3, className: 'kkc-gap' };
export const ISO_STYLE = { color: PLAN_COLOURS.isochrone, weight: 2, fillColor: PLAN_COLOURS.isochrone,
  fillOpacity: 0.06, className: 'kkc-isochrone' };

/* Dispatcher symbols (the route and the incident). */
export const ROUTE_COLOUR = '#6a1b9a';
export const INCIDENT_COLOUR = '#e63946';
export const CLOSURE_COLOUR = '#d00000';
