/* service/web/coverage-view.js -- how a /v1/coverage answer is shown: the figures, their change
 * against the answer without the what-if ("before"), the covered and gap areas and the
 * uncovered municipalities on the map, and the list of those municipalities. */
import { $, formatDistance, formatDuration, formatShare, formatInt, pick } from './util.js';
import { SERVICE_STYLE, GAP_STYLE, PLAN_COLOURS } from './palette.js';

const I = window.kkcI18n;
const t = I.t;

/* x with its sign (a true minus), digits decimals; ± for nothing. */
function signed(x, digits) {
  if (x === 0) return '±0';
  return (x > 0 ? '+' : '\u2212') + I.num(Math.abs(x), digits);
}

/* The figures a delta compares: share, covered population, covered area share, uncovered. */
function figures(d) {
  const byPop = d.population && d.population.share !== null && d.population.share !== undefined;
  return {
    share: pick(d, 'covered_share'),
    population: byPop ? d.population_covered : undefined,
    area: d.area_km2 ? d.area_km2.share : undefined,
    uncovered: d.municipalities && d.municipalities.total ? d.municipalities.uncovered : undefined,
  };
}

/* The change of every figure from before to d, next to it (hidden without a before). */
export function renderDeltas(d, before) {
  const a = figures(d);
  const b = before ? figures(before) : {};
  const show = {
    share: (x, y) => [t('delta.before', { v: formatShare(y) }), signed((x - y) * 100, 1) + '\u00a0' + t('delta.pp')],
    population: (x, y) => [t('delta.before', { v: formatInt(y) }), signed(x - y, 0)],
    area: (x, y) => [t('delta.before', { v: formatShare(y) }), signed((x - y) * 100, 1) + '\u00a0' + t('delta.pp')],
    uncovered: (x, y) => [t('delta.before', { v: formatInt(y) }), signed(x - y, 0)],
  };
  for (const key of Object.keys(show)) {
    const el = $('delta-' + key);
    const ok = before && a[key] !== undefined && b[key] !== undefined;
    el.hidden = !ok;
    el.dataset.value = ok ? String(a[key] - b[key]) : '';
    el.dataset.before = ok ? String(b[key]) : '';
    if (ok) {
      const [was, diff] = show[key](a[key], b[key]);
      el.textContent = '(' + was + '; ' + diff + ')';
      el.classList.toggle('worse', key === 'uncovered' ? a[key] > b[key] : a[key] < b[key]);
      el.classList.toggle('better', key === 'uncovered' ? a[key] < b[key] : a[key] > b[key]);
    }
  }
  return statusText(a, b, before);
}

/* The sentence for screen readers. */
function statusText(a, b, before) {
  let s = t('status.coverage', { share: formatShare(a.share) });
  if (before && a.share !== undefined && b.share !== undefined) {
    s += ' ' + t('status.delta', { before: formatShare(b.share),
      delta: signed((a.share - b.share) * 100, 1) + ' ' + t('delta.pp') });
  }
  return s;
}

/* The figures of a coverage answer. */
export function renderFigures(d) {
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
}

/* The uncovered municipalities as a list. */
export function renderUncovered(features) {
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
}

/* Service and gap areas and uncovered municipalities into layer (cleared first). */
export function drawCoverage(layer, features) {
  layer.clearLayers();
  for (const f of features) {
    const role = f.properties && f.properties.role;
    if (role === 'service' || role === 'gap') {
      layer.addLayer(L.geoJSON(f, {
        pane: 'coverage', interactive: false, style: role === 'gap' ? GAP_STYLE : SERVICE_STYLE,
      }));
    } else if (role === 'uncovered') {
      const [lon, lat] = f.geometry.coordinates;
      layer.addLayer(L.circleMarker([lat, lon], {
        pane: 'coverage', radius: 4, color: '#000', weight: 1.2, fillColor: PLAN_COLOURS.uncovered,
        fillOpacity: 1, interactive: false, className: 'kkc-uncovered',
      }));
    }
  }
}
