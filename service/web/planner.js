/* service/web/planner.js -- the planner's view: coverage of a kind within a threshold
 * (/v1/coverage), isochrones (/v1/isochrone), suggested sites (POST /v1/plan) and the what-if of
 * closed centres and added sites. ctx: {map, layers, state, centres}. */
import { api, qs, say, errorText } from './api.js';
import { $, formatShare, formatInt, escapeHtml } from './util.js';
import { ISO_STYLE, PLAN_COLOURS } from './palette.js';
import { renderFigures, renderDeltas, renderUncovered, drawCoverage } from './coverage-view.js';

const I = window.kkcI18n;
const t = I.t;

/* The page's context, given once by the create function below (the page makes one of each). */
let ctx;
let map, layers, state;

/* The planner's requests (service/api_coverage.h; /v1/plan is not there yet):
 *   GET  /v1/coverage?kind=K&minutes=M|km=D&region=R&format=geojson[&close=ID,ID]
 *        [&add=LON,LAT;LON,LAT] -> a FeatureCollection (features with role service, gap and
 *        uncovered) carrying the report: covered_share, population_covered, population_total,
 *        population, area_km2, municipalities {total, uncovered, unreachable}, region, ...
 *   GET  /v1/isochrone?kind=K&minutes=M[&close=][&add=] or ?centre=ID&minutes=M
 *   POST /v1/plan {kind, minutes|km, region, add: 3, close, added: [{lon, lat, kind}]} -> sites
 *        [{lon, lat, ...}]; the sites added as a what-if count as existing centres of the kind
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

/* The coverage without the what-if for the same settings (the "before"), kept per settings. */
let baseline = { key: null, data: null };
async function before(params) {
  const p = Object.assign({}, params);
  delete p.close;
  delete p.add;
  const key = qs(p);
  if (baseline.key !== key) baseline = { key, data: await api('/v1/coverage', p) };
  return baseline.data;
}

/* Ask /v1/coverage for the current settings (and, with a what-if, for the settings without
 * it); fit: show the whole region afterwards. */
async function runCoverage(fit) {
  const msg = $('planner-message');
  const figs = $('planner-figures');
  const params = Object.assign(plannerParams(), { format: 'geojson' });
  const url = '/v1/coverage' + qs(params);
  const seq = (state.coverageSeq = (state.coverageSeq || 0) + 1);
  const whatIf = params.close !== undefined || params.add !== undefined;
  $('planner-run').disabled = true;
  say(msg, '');
  figs.dataset.state = 'loading';
  let d;
  let was = null;
  try {
    [d, was] = await Promise.all([api('/v1/coverage', params), whatIf ? before(params) : null]);
  } catch (e) {
    if (seq !== state.coverageSeq) return;
    say(msg, errorText('what.coverage', e));
    figs.dataset.state = 'error';
    figs.hidden = true;
    $('uncovered').hidden = true;
    layers.coverage.clearLayers();
    $('planner-run').disabled = false;
    return;
  }
  if (seq !== state.coverageSeq) return;
  $('planner-run').disabled = false;
  state.coverageShown = true;
  ctx.updateHash();
  renderFigures(d);
  $('planner-status').textContent = renderDeltas(d, was);
  const features = Array.isArray(d.features) ? d.features : [];
  renderUncovered(features);
  drawCoverage(layers.coverage, features);
  figs.hidden = false;
  figs.dataset.state = 'done';
  figs.dataset.url = url;
  if (fit === true) {
    const b = L.featureGroup(layers.coverage.getLayers()).getBounds();
    if (b.isValid()) map.fitBounds(b, { maxZoom: 13 });
  }
}

let isoSeq = 0;

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
  /* a new isochrone replaces the one shown */
  layers.isochrone.clearLayers();
  layers.isochrone.addLayer(L.geoJSON(d, { pane: 'coverage', interactive: false, style: ISO_STYLE }));
  const f = (d.features || [])[0];
  const area = f && f.properties ? f.properties.area_km2 : undefined;
  $('planner-figures').dataset.isochrones = String((d.features || []).length);
  $('planner-figures').dataset.isoSeq = String(++isoSeq);
  say(msg, t('iso.done', {
    m: params.minutes,
    whom: extra && extra.centre ? t('iso.from', { id: extra.centre })
      : t('iso.every', { kind: t('kind.' + all.kind) }),
    area: area !== undefined ? ': ' + formatInt(area) + '\u00a0km²' : '',
  }), 'info');
}

/* The body of POST /v1/plan for the current settings: choose 3 sites to add, counting the
 * sites already added as a what-if (of the kind shown) as existing centres. */
function planBody() {
  const p = plannerParams();
  const body = { kind: p.kind, region: p.region, add: 3 };
  if (p.km !== undefined) body.km = Number(p.km);
  else body.minutes = Number(p.minutes);
  if (state.closed.size) body.close = Array.from(state.closed);
  if (state.added.length) {
    body.added = state.added.map((a) => ({ lon: Number(a.lon.toFixed(7)),
      lat: Number(a.lat.toFixed(7)), kind: p.kind }));
  }
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

let suggestSeq = 0; /* answers shown so far (tests wait on data-seq) */

function renderSuggestions(d, body) {
  const ol = $('suggestions');
  const sites = Array.isArray(d.sites) ? d.sites : [];
  ol.innerHTML = '';
  layers.suggested.clearLayers();
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
    li.tabIndex = 0;
    li.setAttribute('aria-label', t('add.title') + ': ' + where + ', +' + formatInt(s.population_gained));
    li.addEventListener('click', () => addSite(Number(s.lon), Number(s.lat)));
    li.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Enter' && ev.key !== ' ') return;
      ev.preventDefault();
      addSite(Number(s.lon), Number(s.lat));
    });
    ol.appendChild(li);
    layers.suggested.addLayer(L.circleMarker([s.lat, s.lon], {
      pane: 'coverage', radius: 10, color: PLAN_COLOURS.suggested, weight: 3, fill: false,
      interactive: false, className: 'kkc-suggested',
    }));
  }
  ol.hidden = !sites.length;
  ol.dataset.state = 'done';
  ol.dataset.body = JSON.stringify(body);
  ol.dataset.seq = String(++suggestSeq);
  const after = d.population && d.population.share_after;
  say($('planner-message'), sites.length
    ? t('suggested', {
      n: sites.length, method: d.method ? ' (' + d.method + ')' : '',
      after: after !== undefined ? t('suggested.after', { share: formatShare(after) }) : '',
    }) + (state.added.length ? t('suggested.added', { n: state.added.length }) : '')
    : t('suggested.none'), 'info');
}

function renderWhatIf() {
  const ul = $('whatif-list');
  ul.innerHTML = '';
  layers.whatif.clearLayers();
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
    li.innerHTML = escapeHtml(t('added.item', { where: I.num(a.lat, 4) + '; ' + I.num(a.lon, 4) })) +
      ' <button type="button">' + escapeHtml(t('remove')) + '</button>';
    li.querySelector('button').addEventListener('click', () => removeAdded(i));
    ul.appendChild(li);
    layers.whatif.addLayer(L.circleMarker([a.lat, a.lon], {
      radius: 7, color: '#fff', weight: 2, fillColor: PLAN_COLOURS.added, fillOpacity: 1,
    }).bindPopup(escapeHtml(t('added.popup')) + '<div class="popup-actions"><button type="button" ' +
      'data-action="remove-added" data-index="' + i + '">' + escapeHtml(t('remove')) + '</button></div>'));
  });
  $('whatif').hidden = !state.closed.size && !state.added.length;
  ctx.centres.restyle();
  if (ctx.tools) ctx.tools.fillCloseSelect();
}

function whatIfChanged() {
  renderWhatIf();
  ctx.updateHash();
  if (state.coverageShown) runCoverage();
}

function toggleClosed(id) {
  const c = state.centres.get(id);
  const name = c ? c.feature.properties.name : id;
  const reopen = state.closed.has(id);
  if (reopen) state.closed.delete(id);
  else state.closed.add(id);
  $('planner-status').textContent = t(reopen ? 'status.reopened' : 'status.closed', { name });
  whatIfChanged();
}

function addSite(lon, lat) {
  state.added.push({ lon, lat });
  $('planner-status').textContent = t('status.added', {
    where: I.num(lat, 4) + '; ' + I.num(lon, 4) });
  whatIfChanged();
}

function removeAdded(i) {
  state.added.splice(i, 1);
  $('planner-status').textContent = t('status.removed');
  whatIfChanged();
}


export function createPlanner(c) {
  ctx = c;
  ({ map, layers, state } = c);
  return { runCoverage, showIsochrone, suggestSites, toggleClosed, addSite, removeAdded, whatIfChanged };
}
