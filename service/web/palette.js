/* service/web/palette.js -- the page's colours. The kinds keep their usual blue/red/green; the
 * planner's layers use a colour-blind-safe set (Okabe–Ito) that shares no hue with the kinds:
 * covered = bluish green, gap = vermilion hatched by opacity, uncovered municipality = black
 * ring on yellow, suggested = purple ring, added site = orange, isochrone = sky blue. */
export const KIND_COLOURS = { police: '#1f5fbf', fire: '#d62828', ambulance: '#2a9d3f' };

export const PLAN_COLOURS = {
  service: '#009e73', gap: '#d55e00', uncovered: '#f0e442', uncoveredRing: '#000000',
  suggested: '#cc79a7', added: '#e69f00', isochrone: '#56b4e9', closed: '#8d8d8d',
};

export const SERVICE_STYLE = { color: PLAN_COLOURS.service, weight: 1, fillColor: PLAN_COLOURS.service,
  fillOpacity: 0.18 };
export const GAP_STYLE = { color: PLAN_COLOURS.gap, weight: 1.5, dashArray: '4 3',
  fillColor: PLAN_COLOURS.gap, fillOpacity: 0.3 };
export const ISO_STYLE = { color: '#0072b2', weight: 1.5, fillColor: PLAN_COLOURS.isochrone,
  fillOpacity: 0.22 };
