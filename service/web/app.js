/* service/web/app.js -- the KKC map page's entry module: the page state, the two views
 * (dispatcher, planner), the area buttons, the address that keeps the state, and the wiring.
 *
 * Plain ES modules on Leaflet (served from /leaflet/), no build step, no tiles: the base map is
 * drawn from the service's own vector layers (base-layer.js). Each part gets one context
 * object ctx = {map, layers, state, updateHash, centres, dispatcher, search, planner, tools} and
 * keeps its own state inside; nothing but window.kkc (for the tests and closures.js) is global. */
import { api, say, errorText } from './api.js';
import { $, debounce, formatDistance, formatDuration, formatShare } from './util.js';
import { AREAS, createMap, baseLoader } from './base-layer.js';
import { createCentres } from './centres.js';
import { createDispatcher } from './dispatcher.js';
import { createSearch } from './search.js';
import { createPlanner } from './planner.js';
import { createTools } from './planner-tools.js';
import { renderLegend } from './legend.js';

const I = window.kkcI18n;
const t = I.t;

const state = {
  view: 'dispatcher',
  area: 'khk',
  centres: new Map(), /* id -> {feature, marker} */
  query: null, /* {lon, lat} of the last dispatcher query */
  querySeq: 0,
  closed: new Set(), /* planner what-if: ids of centres to close */
  added: [], /* planner what-if: [{lon, lat}] of sites to add */
  coverageShown: false,
};

const { map, layers } = createMap();
const base = baseLoader(map, layers);
/* What this server offers beyond the basics, from its OpenAPI document (read at start). */
const features = { routeLang: false };
const ctx = { map, layers, state, updateHash, features };
ctx.centres = createCentres(ctx);
ctx.dispatcher = createDispatcher(ctx);
ctx.search = createSearch(ctx);
ctx.planner = createPlanner(ctx);
ctx.tools = createTools(ctx);

/* ------------------------------------------------------------ views, areas, panel ------ */

function setView(view) {
  state.view = view;
  for (const v of ['dispatcher', 'planner']) {
    $(v).hidden = v !== view;
    $('tab-' + v).setAttribute('aria-selected', v === view ? 'true' : 'false');
    $('tab-' + v).tabIndex = v === view ? 0 : -1;
  }
  document.body.dataset.view = view;
  renderLegend(view);
  map.closePopup();
  updateHash();
  /* The dispatcher's incident and route would only get in the way of planner clicks. */
  for (const layer of [layers.results, layers.route]) {
    if (view === 'dispatcher') layer.addTo(map);
    else layer.remove();
  }
  for (const layer of [layers.coverage, layers.isochrone, layers.suggested, layers.whatif]) {
    if (view === 'planner') layer.addTo(map);
    else layer.remove();
  }
}

/* The address keeps the whole state: area, view, language, incident, kind, k, ranking and the
 * planner's settings and what-if: #khk-planner&lang=en&at=50.21,15.83&kind=fire&k=5&by=time
 * &punit=km&close=PCR9&add=15.8,50.4&cov=1. */
function updateHash() {
  const extra = new URLSearchParams();
  if (I.lang !== 'cs') extra.set('lang', I.lang);
  if (state.query) extra.set('at', state.query.lat.toFixed(6) + ',' + state.query.lon.toFixed(6));
  if ($('kind-select').value) extra.set('kind', $('kind-select').value);
  if ($('k-input').value !== '3') extra.set('k', $('k-input').value);
  if ($('by-select').value !== 'distance') extra.set('by', $('by-select').value);
  plannerHash(extra);
  const rest = extra.toString();
  const h = '#' + state.area + (state.view === 'planner' ? '-planner' : '') + (rest ? '&' + rest : '');
  if (location.hash !== h) history.replaceState(null, '', h);
}

/* The planner's part of the address: kind, threshold and unit, the what-if (close=ID,ID and
 * add=LON,LAT;LON,LAT) and whether the coverage is shown (cov=1). */
function plannerHash(extra) {
  if ($('planner-kind').value !== 'police') extra.set('pkind', $('planner-kind').value);
  if ($('planner-threshold').value !== '10') extra.set('pmax', $('planner-threshold').value);
  if ($('planner-unit').value !== (state.area === 'khk' ? 'km' : 'minutes')) {
    extra.set('punit', $('planner-unit').value);
  }
  if (state.closed.size) extra.set('close', Array.from(state.closed).join(','));
  if (state.added.length) {
    extra.set('add', state.added.map((a) => a.lon.toFixed(6) + ',' + a.lat.toFixed(6)).join(';'));
  }
  if (state.coverageShown) extra.set('cov', '1');
}

function restorePlanner(q) {
  if (q.get('pkind')) $('planner-kind').value = q.get('pkind');
  if (q.get('pmax')) $('planner-threshold').value = q.get('pmax');
  if (q.get('punit')) $('planner-unit').value = q.get('punit');
  for (const id of (q.get('close') || '').split(',').filter(Boolean)) state.closed.add(id);
  for (const pair of (q.get('add') || '').split(';')) {
    const m = /^(-?[\d.]+),(-?[\d.]+)$/.exec(pair);
    if (m) state.added.push({ lon: Number(m[1]), lat: Number(m[2]) });
  }
  return q.get('cov') === '1';
}

/* The settings kept in the address at load; the incident point to query, if any. */
function restoreHash(hash) {
  const q = new URLSearchParams(hash.replace(/^#[^&]*&?/, ''));
  if (q.get('kind') !== null) $('kind-select').value = q.get('kind');
  if (q.get('k')) $('k-input').value = q.get('k');
  if (q.get('by')) $('by-select').value = q.get('by');
  const coverage = restorePlanner(q);
  const at = /^(-?[\d.]+),(-?[\d.]+)$/.exec(q.get('at') || '');
  return { at: at ? { lon: Number(at[2]), lat: Number(at[1]) } : null, coverage };
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
  if (changed && state.coverageShown) ctx.planner.runCoverage();
}

function togglePanel(show) {
  const panel = $('panel');
  const open = show === undefined ? panel.classList.contains('collapsed') : show;
  panel.classList.toggle('collapsed', !open);
  $('panel-toggle').setAttribute('aria-expanded', open ? 'true' : 'false');
  setTimeout(() => map.invalidateSize(), 0);
}

/* ------------------------------------------------------------ wiring ------------------- */

function requery() {
  if (state.query) ctx.dispatcher.queryPoint({ lon: state.query.lon, lat: state.query.lat });
}

function wireDispatcher() {
  const { dispatcher, search } = ctx;
  $('coord-other').addEventListener('click', () => {
    if (!state.otherReading) return;
    $('coord-note').hidden = true;
    dispatcher.queryPoint(state.otherReading);
  });
  $('coord-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    let point;
    try {
      point = dispatcher.parseCoordinates($('coord-input').value, $('coord-crs').value);
    } catch (e) {
      say($('message'), t('what.coords') + ': ' + e.message);
      return;
    }
    dispatcher.queryPoint(point);
  });
  $('search-input').addEventListener('input', debounce(search.suggest, 150));
  $('search-input').addEventListener('keydown', search.suggestKeys);
  $('search-input').addEventListener('blur', () => setTimeout(search.hideSuggestions, 150));
  for (const id of ['k-input', 'kind-select', 'by-select']) $(id).addEventListener('change', requery);
}

function wirePlanner() {
  const { planner } = ctx;
  $('planner-run').addEventListener('click', () => planner.runCoverage(true));
  $('planner-isochrones').addEventListener('click', () => planner.showIsochrone());
  $('planner-suggest').addEventListener('click', planner.suggestSites);
  $('planner-reset').addEventListener('click', () => {
    state.closed.clear();
    state.added = [];
    layers.coverage.clearLayers();
    layers.isochrone.clearLayers();
    layers.suggested.clearLayers();
    $('suggestions').hidden = true;
    planner.whatIfChanged();
  });
  for (const id of ['planner-kind', 'planner-threshold', 'planner-unit']) {
    $(id).addEventListener('change', () => {
      updateHash();
      if (state.coverageShown) planner.runCoverage();
    });
  }
}

function wire() {
  map.on('moveend', base.refreshSoon);
  map.on('click', (ev) => {
    const lon = L.Util.formatNum(ev.latlng.lng, 6);
    const lat = L.Util.formatNum(ev.latlng.lat, 6);
    const closures = window.kkc && window.kkc.closures;
    if (closures && closures.isDrawing()) return; /* the click adds a corner of the avoid area */
    if (state.view === 'dispatcher') ctx.dispatcher.queryPoint({ lon, lat });
    else ctx.tools.mapClick(lon, lat);
  });
  $('tab-dispatcher').addEventListener('click', () => setView('dispatcher'));
  $('tab-planner').addEventListener('click', () => setView('planner'));
  $('views').addEventListener('keydown', tabKeys);
  $('area-khk').addEventListener('click', () => setArea('khk'));
  $('area-heidelberg').addEventListener('click', () => setArea('heidelberg'));
  $('panel-toggle').addEventListener('click', () => togglePanel());
  $('lang-switch').addEventListener('click', () => I.setLang(I.lang === 'cs' ? 'en' : 'cs'));
  I.onChange(() => {
    updateHash();
    renderLegend(state.view);
    ctx.tools.setTool(state.tool);
    requery();
  });
  wireDispatcher();
  wirePlanner();
  ctx.tools.wire();
}

/* The view tabs by keyboard: arrows, Home and End move between them (and select). */
function tabKeys(ev) {
  const order = ['dispatcher', 'planner'];
  const i = order.indexOf(state.view);
  const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: order.length - 1 }[ev.key];
  if (next === undefined) return;
  ev.preventDefault();
  const view = order[(next + order.length) % order.length];
  setView(view);
  $('tab-' + view).focus();
}

async function readFeatures() {
  try {
    const doc = await api('/v1/openapi.json');
    const r = doc.paths && doc.paths['/v1/route'] && doc.paths['/v1/route'].get;
    features.routeLang = !!(r && (r.parameters || []).some((p) => p.name === 'lang' ||
      /\/lang$/.test(p.$ref || '')));
  } catch (e) {
    features.routeLang = false; /* no document: ask without lang= */
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
  const { at, coverage } = restoreHash(hash);
  await readFeatures();
  try {
    await ctx.centres.load();
    ctx.tools.fillCloseSelect();
  } catch (e) {
    say($('message'), errorText('what.centres', e));
  }
  if (at) ctx.dispatcher.queryPoint(at);
  if (state.closed.size || state.added.length) ctx.planner.whatIfChanged();
  if (coverage) ctx.planner.runCoverage();
  await base.refresh();
  map.getContainer().dataset.ready = 'true';
}

window.kkc = {
  map, state, api, queryPoint: ctx.dispatcher.queryPoint, setArea, setView,
  parseCoordinates: ctx.dispatcher.parseCoordinates, formatDistance, formatDuration, formatShare,
  ready: start(),
};
