// tests/web/report-figures.test.mjs -- the planner report's figures on screen are the API's, in
// Czech and English, at desktop and phone size: the headline, every bar of the chart (population
// by response minute, its height proportional), every row of the per-region table and its
// sorting by mouse and keyboard, the CSV download byte for byte, and the GeoJSON gaps download.
// axe-core finds nothing with the report open. The oracle is GET /v1/coverage fetched here for the query the page shows (out.dataset.query),
// its numbers formatted here with Intl for the page's locale. Run by tests/scripts/web.sh against
// a server on a copy of the database with made-up municipalities near the Heidelberg roads
// (KKC_REPORT_URL): the default data has no population inside a road network, so its chart
// would be all zeros. The table uses the KHK kraj by straight line (the census okresy).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { browser, shot, axeViolations } from './lib.mjs';

const BASE = process.env.KKC_REPORT_URL || process.env.KKC_URL;
let b;
before(async () => {
  b = await browser();
});
after(async () => {
  if (b) {
    assert.deepEqual(b.outside.filter((u) => !u.startsWith('blob:')), [], 'no request leaves the machine');
    await b.close();
  }
});

const LOCALE = { cs: 'cs-CZ', en: 'en-GB' };
const fmt = (lang, n) => (n == null ? '–' : Number(n).toLocaleString(LOCALE[lang]));
const pct = (lang, x) => (x == null ? '–' : (100 * x).toLocaleString(LOCALE[lang],
  { minimumFractionDigits: 1, maximumFractionDigits: 1 }) + '\u00a0%');

async function api(query, lang) {
  const r = await fetch(BASE + '/v1/coverage?' + query, { headers: { 'Accept-Language': lang } });
  assert.equal(r.status, 200, query);
  return r.json();
}

async function openReport(lang, vp) {
  const page = await b.ctx.newPage();
  await page.setViewportSize(vp);
  await page.goto(BASE + '/#heidelberg-planner&lang=' + lang);
  await page.waitForSelector('#map[data-ready="true"]', { timeout: 30000 });
  await page.click('#report-open');
  await page.waitForSelector('#report select[name=standard] option[value=pcr-10]', { state: 'attached' });
  return page;
}

async function runReport(page, fields) {
  for (const [name, value] of Object.entries(fields)) {
    const sel = `#report [name=${name}]`;
    if (await page.$eval(sel, (e) => e.tagName) === 'SELECT') await page.selectOption(sel, value);
    else await page.fill(sel, value);
  }
  const before = await page.$eval('#report .report-out', (o) => o.dataset.query || '');
  await page.click('#report .report-run');
  await page.waitForFunction((q) => {
    const o = document.querySelector('#report .report-out');
    return o.dataset.state !== 'loading' && (o.dataset.query || '') !== q && o.dataset.state;
  }, before, { timeout: 60000 });
  const out = await page.$eval('#report .report-out', (o) => Object.assign({}, o.dataset));
  assert.equal(out.state, 'done', await page.textContent('#report .report-out'));
  return out.query;
}

async function headMatches(page, lang, want) {
  const head = await page.$eval('#report .report-head', (p) => Object.assign({ text: p.textContent }, p.dataset));
  const p = want.population;
  assert.equal(head.share, String(p.share));
  assert.equal(head.covered, String(p.covered));
  assert.equal(head.total, String(p.total));
  assert.ok(head.text.includes(pct(lang, p.share)), head.text + ' lacks ' + pct(lang, p.share));
  assert.ok(head.text.includes(fmt(lang, p.covered) + ' / ' + fmt(lang, p.total)), head.text);
}

const rowsShown = (page) => page.$$eval('#report .report-table tbody tr', (trs) => trs.map((tr) => ({
  code: tr.dataset.code,
  text: Array.from(tr.cells).map((c) => c.textContent),
  values: Array.from(tr.cells).slice(2).map((c) => c.dataset.value),
})));

for (const lang of ['cs', 'en']) {
  for (const vp of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
    const where = `${lang}, ${vp.width} px`;

    test(`report chart: every bar is the API's population of its minute (${where})`, async () => {
      const page = await openReport(lang, vp);
      const q = await runReport(page, { standard: 'pcr-10', region: 'network', breakdown: 'default' });
      const want = await api(q, lang);
      await headMatches(page, lang, want);
      const bins = want.distribution.minutes.map((m) => m.population).concat([want.distribution.later_or_never]);
      assert.ok(bins.some((v) => v > 0), 'the made-up municipalities give the chart people');
      const bars = await page.$$eval('#report .report-chart rect', (rs) => rs.map((r) => ({
        v: Number(r.dataset.value), h: Number(r.getAttribute('height')), late: r.classList.contains('late'),
        title: r.querySelector('title').textContent })));
      assert.deepEqual(bars.map((x) => x.v), bins);
      const max = Math.max(...bins);
      bars.forEach((x, i) => {
        assert.ok(Math.abs(x.h - (120 * x.v) / max) < 1e-9, `bar ${i} height ${x.h}`);
        assert.equal(x.late, i >= want.threshold.minutes, `bar ${i} colour`);
        assert.ok(x.title.includes(fmt(lang, x.v)), x.title);
      });
      await page.waitForTimeout(200); // let the panel settle before the picture (not an assertion)
      await shot(page, `report-chart-${lang}-${vp.width}`);
      await page.close();
    });

    test(`report table, sorting, CSV and GeoJSON exports equal the API (${where})`, async () => {
      const page = await openReport(lang, vp);
      const q = await runReport(page, { standard: '', kind: 'police', threshold: '10', unit: 'km',
        region: 'CZ052', breakdown: 'okres' });
      assert.match(q, /km=10/);
      const want = await api(q, lang);
      await headMatches(page, lang, want);
      assert.ok(want.regions.length >= 5, 'the KHK okresy');
      const byCode = new Map(want.regions.map((r) => [r.code, r]));
      const order = (key, up) => want.regions.slice().sort((x, y) => {
        const c = typeof x[key] === 'string' ? x[key].localeCompare(y[key], 'cs') : x[key] - y[key];
        return up ? c : -c;
      }).map((r) => r.code);
      let rows = await rowsShown(page);
      assert.deepEqual(rows.map((r) => r.code), order('covered_share', true), 'sorted by share, lowest first');
      for (const r of rows) {
        const a = byCode.get(r.code);
        assert.deepEqual(r.values, [String(a.population), String(a.population_covered), String(a.covered_share)]);
        assert.deepEqual(r.text, [a.name, a.code, fmt(lang, a.population), fmt(lang, a.population_covered),
          pct(lang, a.covered_share)]);
      }
      // sort by population with the keyboard, then reverse with the mouse
      await page.focus('#report .report-table th[data-key=total] button');
      await page.keyboard.press('Enter');
      rows = await rowsShown(page);
      assert.deepEqual(rows.map((r) => r.code), order('population', true));
      assert.equal(await page.getAttribute('#report .report-table th[data-key=total]', 'aria-sort'), 'ascending');
      await page.click('#report .report-table th[data-key=total] button');
      rows = await rowsShown(page);
      assert.deepEqual(rows.map((r) => r.code), order('population', false));
      assert.equal(await page.getAttribute('#report .report-table th[data-key=total]', 'aria-sort'), 'descending');

      // the CSV download is the API's CSV, whose breakdown rows are the table's figures
      const href = await page.getAttribute('#report .report-csv', 'href');
      const [csvDl] = await Promise.all([page.waitForEvent('download'), page.click('#report .report-csv')]);
      const csv = fs.readFileSync(await csvDl.path(), 'utf8');
      assert.equal(csv, await (await fetch(BASE + href)).text());
      const lines = csv.split('\n').filter((l) => l.startsWith('breakdown,'));
      assert.equal(lines.length, want.regions.length);
      for (const l of lines) {
        const [, code, , , , , population, covered] = l.split(',');
        assert.equal(Number(population), byCode.get(code).population);
        assert.equal(Number(covered), byCode.get(code).population_covered);
      }
      // the gaps download: the API's gap features, nothing else
      const [gapDl] = await Promise.all([page.waitForEvent('download'), page.click('#report .report-gaps')]);
      assert.equal(gapDl.suggestedFilename(), lang === 'cs' ? 'mezery.geojson' : 'gaps.geojson');
      const gaps = JSON.parse(fs.readFileSync(await gapDl.path(), 'utf8'));
      const geo = await api(q + '&format=geojson', lang);
      const wantGaps = geo.features.filter((f) => f.properties.role === 'gap');
      assert.ok(wantGaps.length > 0, 'KHK has gaps within 10 km');
      assert.equal(gaps.type, 'FeatureCollection');
      assert.deepEqual(gaps.features, wantGaps);
      assert.deepEqual(await axeViolations(page), [], 'axe-core with the report open');
      await shot(page, `report-table-${lang}-${vp.width}`);
      await page.close();
    });
  }
}

test('the report follows the language switch and shows API errors in the page language', async () => {
  const page = await openReport('cs', { width: 1280, height: 900 });
  await runReport(page, { standard: '', kind: 'police', threshold: '10', unit: 'km', region: 'CZ052', breakdown: 'okres' });
  assert.match(await page.textContent('#report .report-table thead'), /Obyvatel/);
  await page.click('#lang-switch');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.match(await page.textContent('#report .report-table thead'), /Population/);
  assert.match(await page.textContent('#report-open'), /Report/);
  // a region code the API does not know: its message, in English now, then in Czech
  await page.fill('#report [name=region]', 'XX999');
  await page.click('#report .report-run');
  await page.waitForFunction(() => document.querySelector('#report .report-out').dataset.state === 'error');
  const en = await (await fetch(BASE + '/v1/coverage?kind=police&km=10&region=XX999&breakdown=okres&lang=en')).json();
  assert.equal(await page.textContent('#report .report-out'), en.message);
  await page.click('#lang-switch');
  await page.click('#report .report-run');
  await page.waitForFunction(() => /neexistuje/.test(document.querySelector('#report .report-out').textContent));
  const cs = await (await fetch(BASE + '/v1/coverage?kind=police&km=10&region=XX999&breakdown=okres')).json();
  assert.equal(await page.textContent('#report .report-out'), cs.message);
  assert.notEqual(cs.message, en.message);
  await page.close();
});
