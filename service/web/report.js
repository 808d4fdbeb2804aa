/* service/web/report.js -- the planner's report (Zpráva pro plánování / Planner report): response
 * standards, the share of population within them per kraj, okres or ORP, the population by
 * response minute as a chart, the worst municipalities, and exports (CSV of the report, the gaps
 * as GeoJSON). Self-contained: it adds its own button and panel to the page and talks only to
 * GET /v1/standards and GET /v1/coverage. Czech first; the page's language switch (<html lang>)
 * picks English. window.kkcReport exposes open/run for the tests. */
(function () {
  'use strict';

  const T = {
    cs: {
      open: 'Zpráva', title: 'Zpráva pro plánování', standard: 'Norma', custom: 'vlastní',
      kind: 'Složka', minutes: 'Minut', region: 'Území (kód)', breakdown: 'Členění',
      run: 'Spočítat', csv: 'Stáhnout CSV', gaps: 'Mezery (GeoJSON)', close: 'Zavřít',
      within: 'v normě', people: 'obyvatel', minute: 'minuta dojezdu', later: 'později / nikdy',
      worst: 'Nejhorší obce', name: 'Název', code: 'Kód', share: 'Podíl', pop: 'Obyvatel',
      covered: 'Pokryto', time: 'Čas', source: 'Zdroj', police: 'policie', fire: 'hasiči',
      ambulance: 'záchranka', levels: { default: 'o úroveň níž', kraj: 'kraje', okres: 'okresy', orp: 'ORP' },
    },
    en: {
      open: 'Report', title: 'Planner report', standard: 'Standard', custom: 'custom',
      kind: 'Service', minutes: 'Minutes', region: 'Region (code)', breakdown: 'Breakdown',
      run: 'Compute', csv: 'Download CSV', gaps: 'Gaps (GeoJSON)', close: 'Close',
      within: 'within the standard', people: 'people', minute: 'response minute', later: 'later / never',
      worst: 'Worst municipalities', name: 'Name', code: 'Code', share: 'Share', pop: 'Population',
      covered: 'Covered', time: 'Time', source: 'Source', police: 'police', fire: 'fire',
      ambulance: 'ambulance', levels: { default: 'one level down', kraj: 'kraje', okres: 'okresy', orp: 'ORP' },
    },
  };
  const tr = () => T[document.documentElement.lang === 'en' ? 'en' : 'cs'];
  const fmt = (n) => (n == null ? '–' : Number(n).toLocaleString(tr() === T.cs ? 'cs-CZ' : 'en-GB'));
  const pct = (x) => (x == null ? '–' : (100 * x).toLocaleString(tr() === T.cs ? 'cs-CZ' : 'en-GB', { maximumFractionDigits: 1 }) + ' %');
  const el = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => (k === 'text' ? (e.textContent = v) : e.setAttribute(k, v)));
    kids.forEach((k) => k && e.appendChild(k));
    return e;
  };
  let standards = [], panel = null, sortKey = 'share', sortUp = true, last = null;

  /* The query of the form: a standard, or kind + minutes. */
  function query(extra) {
    const f = panel.querySelector('form'), q = new URLSearchParams();
    if (f.standard.value) q.set('standard', f.standard.value);
    else { q.set('minutes', f.minutes.value || '10'); q.set('kind', f.kind.value); q.set('response', 'true'); }
    if (f.region.value.trim()) q.set('region', f.region.value.trim());
    q.set('breakdown', f.breakdown.value);
    Object.entries(extra || {}).forEach(([k, v]) => q.set(k, v));
    return q.toString();
  }

  async function getJSON(url) {
    const r = await fetch(url), body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.message || r.status + ' ' + r.statusText);
    return body;
  }

  /* Population by response minute as SVG bars (the last bar: later or never). */
  function chart(dist) {
    const t = tr(), bins = dist.minutes.map((m) => m.population).concat([dist.later_or_never]);
    const W = 360, H = 120, bw = W / bins.length, max = Math.max(1, ...bins);
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('viewBox', `0 0 ${W} ${H + 14}`);
    svg.setAttribute('class', 'report-chart');
    bins.forEach((v, i) => {
      const r = document.createElementNS(svg.namespaceURI, 'rect'), h = (H * v) / max;
      r.setAttribute('x', i * bw); r.setAttribute('y', H - h); r.setAttribute('width', Math.max(1, bw - 1));
      r.setAttribute('height', h); r.setAttribute('class', i === bins.length - 1 ? 'late' : 'bar');
      const tt = document.createElementNS(svg.namespaceURI, 'title');
      tt.textContent = (i === bins.length - 1 ? t.later : `${i}–${i + 1} min`) + ': ' + fmt(v) + ' ' + t.people;
      r.appendChild(tt); svg.appendChild(r);
    });
    const lbl = document.createElementNS(svg.namespaceURI, 'text');
    lbl.setAttribute('x', 0); lbl.setAttribute('y', H + 12); lbl.textContent = t.people + ' / ' + t.minute;
    svg.appendChild(lbl);
    return svg;
  }

  /* The sortable table of the breakdown's regions. */
  function regionTable(rows) {
    const t = tr(), cols = [['name', t.name], ['code', t.code], ['total', t.pop], ['covered', t.covered], ['share', t.share]];
    const sorted = rows.slice().sort((a, b) => {
      const x = a[sortKey], y = b[sortKey];
      const c = typeof x === 'string' ? x.localeCompare(y, 'cs') : (x ?? -1) - (y ?? -1);
      return sortUp ? c : -c;
    });
    const head = el('tr', {}, ...cols.map(([k, label]) => {
      const th = el('th', { text: label + (k === sortKey ? (sortUp ? ' ▲' : ' ▼') : ''), 'data-key': k });
      th.addEventListener('click', () => { sortUp = k === sortKey ? !sortUp : true; sortKey = k; render(last); });
      return th;
    }));
    return el('table', { class: 'report-table' }, el('thead', {}, head),
      el('tbody', {}, ...sorted.map((r) => el('tr', {}, el('td', { text: r.name }), el('td', { text: r.code }),
        el('td', { text: fmt(r.total) }), el('td', { text: fmt(r.covered) }), el('td', { text: pct(r.share) })))));
  }

  function render(rep) {
    const t = tr(), out = panel.querySelector('.report-out');
    out.textContent = '';
    if (!rep) return;
    const pop = rep.population || {};
    out.appendChild(el('p', { class: 'report-head', text: `${rep.region.name}: ${pct(pop.share)} ${t.within} (${fmt(pop.covered)} / ${fmt(pop.total)} ${t.people})` }));
    if (rep.standard) out.appendChild(el('p', { class: 'report-source', text: `${rep.standard.description[tr() === T.cs ? 'cs' : 'en']} — ${t.source}: ${rep.standard.source}` }));
    if (rep.distribution) out.appendChild(chart(rep.distribution));
    const rows = (rep.regions || []).map((r) => ({
      name: r.name, code: r.code, total: r.population, share: r.covered_share,
      covered: r.population == null || r.covered_share == null ? null : Math.round(r.population * r.covered_share),
    }));
    out.appendChild(regionTable(rows));
    out.appendChild(el('h4', { text: t.worst }));
    out.appendChild(el('ol', { class: 'report-worst' }, ...(rep.uncovered || []).slice(0, 10).map((m) =>
      el('li', { text: `${m.name} (${fmt(m.population)}) — ${m.duration_s == null ? '–' : Math.round(m.duration_s / 60) + ' min'}` }))));
  }

  async function run() {
    const out = panel.querySelector('.report-out');
    out.textContent = '…';
    try { last = await getJSON('/v1/coverage?' + query()); render(last); }
    catch (e) { last = null; out.textContent = e.message; }
    panel.querySelector('.report-csv').href = '/v1/coverage?' + query({ format: 'csv' });
  }

  /* The gaps of the last question as a GeoJSON file. */
  async function downloadGaps() {
    try {
      const fc = await getJSON('/v1/coverage?' + query({ format: 'geojson' }));
      fc.features = fc.features.filter((f) => f.properties.role === 'gap');
      const a = el('a', { href: URL.createObjectURL(new Blob([JSON.stringify(fc)], { type: 'application/geo+json' })), download: 'mezery.geojson' });
      document.body.appendChild(a); a.click(); a.remove();
    } catch (e) { panel.querySelector('.report-out').textContent = e.message; }
  }

  function build() {
    const t = tr();
    const sel = el('select', { name: 'standard' }, el('option', { value: '', text: t.custom }),
      ...standards.map((s) => el('option', { value: s.id, text: `${s.id} (${s.minutes} min)` })));
    const kind = el('select', { name: 'kind' }, ...['police', 'fire', 'ambulance'].map((k) => el('option', { value: k, text: t[k] })));
    const br = el('select', { name: 'breakdown' }, ...Object.entries(t.levels).map(([k, v]) => el('option', { value: k, text: v })));
    const form = el('form', {}, el('label', { text: t.standard }, sel), el('label', { text: t.kind }, kind),
      el('label', { text: t.minutes }, el('input', { name: 'minutes', type: 'number', min: '1', max: '120', value: '10' })),
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
      el('div', { class: 'report-exports' }, el('a', { class: 'report-csv', href: '#', download: 'zprava.csv', text: t.csv }), gaps, close),
      el('div', { class: 'report-out' }));
    document.body.appendChild(panel);
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
  }

  window.kkcReport = { open, run };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
