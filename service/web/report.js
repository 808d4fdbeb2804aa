/* service/web/report.js -- the planner's report (Zpráva pro plánování / Planner report): response
 * standards, the share of population within them per kraj, okres or ORP, the population by
 * response minute as a chart, the worst municipalities, and exports (CSV of the report, the gaps
 * as GeoJSON). Self-contained: it adds its own button and panel to the page and talks only to
 * GET /v1/standards and GET /v1/coverage, asking for the page's language. Every figure shown is
 * the API's own (the table's covered population is the answer's population_covered), with the
 * value also in a data-value attribute; the table sorts by a header button (mouse or keyboard,
 * aria-sort). Czech first; the page's language switch (<html lang>) rebuilds it in English. Its
 * texts are one table of [Czech, English] pairs split by window.kkcI18n.byLang (i18n.js loads
 * first). window.kkcReport exposes open/run for the tests. */
(function () {
  'use strict';

  const T = window.kkcI18n.byLang({
    open: ['Zpráva', 'Report'],
    title: ['Zpráva pro plánování', 'Planner report'],
    standard: ['Norma', 'Standard'],
    custom: ['vlastní', 'custom'],
    kind: ['Složka', 'Service'],
    threshold: ['Do', 'Within'],
    unit: ['Měřítko', 'Measure'],
    byRoad: ['min dojezdu po silnici', 'min driving by road'],
    byAir: ['km vzdušnou čarou', 'km straight line'],
    region: ['Území (kód)', 'Region (code)'],
    breakdown: ['Členění', 'Breakdown'],
    run: ['Spočítat', 'Compute'],
    csv: ['Stáhnout CSV', 'Download CSV'],
    gaps: ['Mezery (GeoJSON)', 'Gaps (GeoJSON)'],
    close: ['Zavřít', 'Close'],
    within: ['v normě', 'within the standard'],
    people: ['obyvatel', 'people'],
    minute: ['minuta dojezdu', 'response minute'],
    later: ['později / nikdy', 'later / never'],
    worst: ['Nejhorší obce', 'Worst municipalities'],
    name: ['Název', 'Name'],
    code: ['Kód', 'Code'],
    share: ['Podíl', 'Share'],
    pop: ['Obyvatel', 'Population'],
    covered: ['Pokryto', 'Covered'],
    time: ['Čas', 'Time'],
    source: ['Zdroj', 'Source'],
    police: ['policie', 'police'],
    fire: ['hasiči', 'fire'],
    ambulance: ['záchranka', 'ambulance'],
    sortBy: ['Seřadit podle: ', 'Sort by '],
    chart: ['Obyvatelé podle minuty dojezdu', 'People by response minute'],
    noRegions: ['Území nemá členění s údaji.', 'The region has no breakdown with data.'],
    noChart: [
      'Graf podle minut je jen pro dojezd po silnici.',
      'The chart by minute is for driving by road only.'],
    unreachable: ['nedosažitelná', 'unreachable'],
    network: ['území silniční sítě', 'road network area'],
    levels: {
      default: ['o úroveň níž', 'one level down'],
      kraj: ['kraje', 'kraje'],
      okres: ['okresy', 'okresy'],
      orp: ['ORP', 'ORP'],
    },
  });
  const lang = () => (document.documentElement.lang === 'en' ? 'en' : 'cs');
  const tr = () => T[lang()];
  const locale = () => (lang() === 'cs' ? 'cs-CZ' : 'en-GB');
  const fmt = (n) => (n == null ? '–' : Number(n).toLocaleString(locale()));
  const pct = (x) => (x == null ? '–'
    : (100 * x).toLocaleString(locale(), { minimumFractionDigits: 1, maximumFractionDigits: 1 }) + '\u00a0%');
  const el = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => (k === 'text' ? (e.textContent = v) : e.setAttribute(k, v)));
    kids.forEach((k) => k && e.appendChild(k));
    return e;
  };
  let standards = [], panel = null, sortKey = 'share', sortUp = true, last = null;

  /* The query of the form: a standard, or kind + minutes by road (response times) or km. */
  function query(extra) {
    const f = panel.querySelector('form'), q = new URLSearchParams();
    const limit = f.threshold.value || '10';
    if (f.standard.value) q.set('standard', f.standard.value);
    else if (f.unit.value === 'km') { q.set('kind', f.kind.value); q.set('km', limit); }
    else { q.set('minutes', limit); q.set('kind', f.kind.value); q.set('response', 'true'); }
    if (f.region.value.trim()) q.set('region', f.region.value.trim());
    q.set('breakdown', f.breakdown.value);
    Object.entries(extra || {}).forEach(([k, v]) => q.set(k, v));
    return q.toString();
  }

  async function getJSON(url) {
    const r = await fetch(url, { headers: { Accept: 'application/json', 'Accept-Language': lang() } });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.message || r.status + ' ' + r.statusText);
    return body;
  }

  /* Population by response minute as SVG bars: within the threshold blue, later purple (the
   * planner's colours for covered and uncovered, apart from the kinds); the last bar is "later
   * or never"; a dashed line at the threshold; minute labels every 5. */
  function chart(dist, limit) {
    const t = tr(), bins = dist.minutes.map((m) => m.population).concat([dist.later_or_never]);
    const W = 360, H = 120, bw = W / bins.length, max = Math.max(1, ...bins);
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', `0 0 ${W} ${H + 14}`);
    svg.setAttribute('class', 'report-chart');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', t.chart);
    bins.forEach((v, i) => {
      const r = document.createElementNS(ns, 'rect'), h = (H * v) / max, lastBar = i === bins.length - 1;
      r.setAttribute('x', i * bw); r.setAttribute('y', H - h); r.setAttribute('width', Math.max(1, bw - 1));
      r.setAttribute('height', h);
      r.setAttribute('class', lastBar || (limit && i >= limit) ? 'late' : 'bar');
      r.dataset.value = String(v);
      r.dataset.minute = lastBar ? 'later' : String(i);
      const tt = document.createElementNS(ns, 'title');
      tt.textContent = (lastBar ? t.later : `${i}–${i + 1} min`) + ': ' + fmt(v) + ' ' + t.people;
      r.appendChild(tt); svg.appendChild(r);
      if (!lastBar && i % 5 === 0) {
        const x = document.createElementNS(ns, 'text');
        x.setAttribute('x', i * bw); x.setAttribute('y', H + 12); x.setAttribute('class', 'tick');
        x.textContent = String(i);
        svg.appendChild(x);
      }
    });
    if (limit) {
      const l = document.createElementNS(ns, 'line');
      l.setAttribute('x1', limit * bw); l.setAttribute('x2', limit * bw);
      l.setAttribute('y1', 0); l.setAttribute('y2', H); l.setAttribute('class', 'limit');
      svg.appendChild(l);
    }
    return el('figure', { class: 'report-figure' }, svg,
      el('figcaption', { text: t.chart }));
  }

  /* The sortable table of the breakdown's regions: a button in each header sorts by it. */
  function regionTable(rows) {
    const t = tr(), cols = [['name', t.name], ['code', t.code], ['total', t.pop], ['covered', t.covered], ['share', t.share]];
    const sorted = rows.slice().sort((a, b) => {
      const x = a[sortKey], y = b[sortKey];
      const c = typeof x === 'string' ? x.localeCompare(y, 'cs') : (x ?? -1) - (y ?? -1);
      return sortUp ? c : -c;
    });
    const head = el('tr', {}, ...cols.map(([k, label]) => {
      const b = el('button', { type: 'button', text: label + (k === sortKey ? (sortUp ? ' ▲' : ' ▼') : ''),
        'aria-label': t.sortBy + label });
      b.addEventListener('click', () => {
        sortUp = k === sortKey ? !sortUp : true; sortKey = k; render(last);
        panel.querySelector(`.report-table th[data-key="${k}"] button`).focus();
      });
      const th = el('th', { 'data-key': k, scope: 'col' }, b);
      if (k === sortKey) th.setAttribute('aria-sort', sortUp ? 'ascending' : 'descending');
      return th;
    }));
    const cell = (text, value) => el('td', value === undefined ? { text } : { text, 'data-value': String(value) });
    return el('table', { class: 'report-table' }, el('thead', {}, head),
      el('tbody', {}, ...sorted.map((r) => el('tr', { 'data-code': r.code }, cell(r.name), cell(r.code),
        cell(fmt(r.total), r.total), cell(fmt(r.covered), r.covered), cell(pct(r.share), r.share)))));
  }

  /* How far a municipality of the worst list is: minutes, km, or unreachable. */
  function worstTime(m) {
    if (m.duration_s != null) return fmt(Math.round(m.duration_s / 60)) + '\u00a0min';
    if (m.distance_m != null) return fmt(Math.round(m.distance_m / 100) / 10) + '\u00a0km';
    return m.reachable === false ? tr().unreachable : '–';
  }

  function render(rep) {
    const t = tr(), out = panel.querySelector('.report-out');
    out.textContent = '';
    if (!rep) return;
    const pop = rep.population || {};
    const name = rep.region.code === 'network' ? t.network : rep.region.name;
    out.appendChild(el('p', { class: 'report-head', 'data-share': String(pop.share), 'data-covered': String(pop.covered),
      'data-total': String(pop.total),
      text: `${name}: ${pct(pop.share)} ${t.within} (${fmt(pop.covered)} / ${fmt(pop.total)} ${t.people})` }));
    if (rep.standard) out.appendChild(el('p', { class: 'report-source', text: `${rep.standard.description[lang()]} — ${t.source}: ${rep.standard.source}` }));
    if (rep.distribution) out.appendChild(chart(rep.distribution, rep.threshold && rep.threshold.minutes));
    else out.appendChild(el('p', { class: 'report-note', text: t.noChart }));
    const rows = (rep.regions || []).map((r) => ({
      name: r.name, code: r.code, total: r.population, share: r.covered_share, covered: r.population_covered,
    }));
    if (rows.length) out.appendChild(regionTable(rows));
    else out.appendChild(el('p', { class: 'report-note', text: t.noRegions }));
    out.appendChild(el('h4', { text: t.worst }));
    out.appendChild(el('ol', { class: 'report-worst' }, ...(rep.uncovered || []).slice(0, 10).map((m) =>
      el('li', { text: `${m.name} (${fmt(m.population)}) — ${worstTime(m)}` }))));
  }

  async function run() {
    const out = panel.querySelector('.report-out');
    out.textContent = '…';
    out.dataset.state = 'loading';
    panel.querySelector('.report-csv').href = '/v1/coverage?' + query({ format: 'csv', lang: lang() });
    try { last = await getJSON('/v1/coverage?' + query()); render(last); out.dataset.state = 'done'; }
    catch (e) { last = null; out.textContent = e.message; out.dataset.state = 'error'; }
    out.dataset.query = query();
  }

  /* The gaps of the last question as a GeoJSON file. */
  async function downloadGaps() {
    try {
      const fc = await getJSON('/v1/coverage?' + query({ format: 'geojson' }));
      fc.features = fc.features.filter((f) => f.properties.role === 'gap');
      const name = lang() === 'cs' ? 'mezery.geojson' : 'gaps.geojson';
      const a = el('a', { href: URL.createObjectURL(new Blob([JSON.stringify(fc)], { type: 'application/geo+json' })), download: name });
      document.body.appendChild(a); a.click(); a.remove();
    } catch (e) { panel.querySelector('.report-out').textContent = e.message; }
  }

  function build() {
    const t = tr();
    const sel = el('select', { name: 'standard' }, el('option', { value: '', text: t.custom }),
      ...standards.map((s) => el('option', { value: s.id, text: `${s.id} (${s.minutes} min)` })));
    const kind = el('select', { name: 'kind' }, ...['police', 'fire', 'ambulance'].map((k) => el('option', { value: k, text: t[k] })));
    const unit = el('select', { name: 'unit' }, el('option', { value: 'minutes', text: t.byRoad }),
      el('option', { value: 'km', text: t.byAir }));
    const br = el('select', { name: 'breakdown' }, ...Object.entries(t.levels).map(([k, v]) => el('option', { value: k, text: v })));
    const form = el('form', {}, el('label', { text: t.standard }, sel), el('label', { text: t.kind }, kind),
      el('label', { text: t.threshold }, el('input', { name: 'threshold', type: 'number', min: '1', max: '200', value: '10' })),
      el('label', { text: t.unit }, unit),
      el('label', { text: t.region }, el('input', { name: 'region', placeholder: 'CZ052, orp:5205, network' })),
      el('label', { text: t.breakdown }, br),
      el('button', { type: 'submit', class: 'report-run', text: t.run }));
    form.addEventListener('submit', (e) => { e.preventDefault(); run(); });
    const gaps = el('button', { type: 'button', class: 'report-gaps', text: t.gaps });
    gaps.addEventListener('click', downloadGaps);
    const close = el('button', { type: 'button', class: 'report-close', text: t.close });
    close.addEventListener('click', () => panel.classList.add('hidden'));
    panel = el('section', { id: 'report', class: 'report hidden', 'aria-label': t.title },
      el('h3', { text: t.title }), form,
      el('div', { class: 'report-exports' }, el('a', { class: 'report-csv', href: '#', download: lang() === 'cs' ? 'zprava.csv' : 'report.csv', text: t.csv }), gaps, close),
      el('div', { class: 'report-out', 'aria-live': 'polite' }));
    document.body.appendChild(panel);
  }

  /* The page's language changed: the panel again in it, with the same form values and answer. */
  function relabel() {
    const b = document.getElementById('report-open');
    if (b) b.textContent = tr().open;
    if (!panel) return;
    const f = panel.querySelector('form'), keep = {}, hidden = panel.classList.contains('hidden');
    for (const n of ['standard', 'kind', 'threshold', 'unit', 'region', 'breakdown']) keep[n] = f[n].value;
    panel.remove();
    build();
    const g = panel.querySelector('form');
    for (const n of Object.keys(keep)) g[n].value = keep[n];
    panel.classList.toggle('hidden', hidden);
    if (last) { render(last); panel.querySelector('.report-csv').href = '/v1/coverage?' + query({ format: 'csv', lang: lang() }); }
  }

  async function open() {
    if (!panel) {
      standards = (await getJSON('/v1/standards').catch(() => ({ standards: [] }))).standards;
      build();
    }
    panel.classList.remove('hidden');
  }

  function init() {
    const b = el('button', { type: 'button', id: 'report-open', class: 'report-open', text: tr().open });
    b.addEventListener('click', open);
    document.body.appendChild(b);
    if (window.kkcI18n && window.kkcI18n.onChange) window.kkcI18n.onChange(relabel);
  }

  window.kkcReport = { open, run };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
