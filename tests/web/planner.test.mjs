// tests/web/planner.test.mjs -- the planner's tools, before/after figures, legend, palette and
// isochrones, keyboard use, screen-reader announcements and axe-core, in Czech and English.
// Run by tests/scripts/web.sh after map.test.mjs (KKC_URL set). Oracles: /v1/coverage and
// POST /v1/plan fetched by the test itself; the kind colours as the page's CSS gives them; a
// deuteranopia simulation written here (lib.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, browser, openPage, apiGet, shot, coverageDone, axeViolations, distance,
  deuteranope } from './lib.mjs';

const KINDS = ['#1f5fbf', '#d62828', '#2a9d3f']; // police, fire, ambulance (style.css)
let b;

before(async () => {
  b = await browser();
});

after(async () => {
  if (b) await b.close();
});

// KHK planner by straight-line km (no Czech roads in the test data): police within 10 km.
async function khkCoverage(page) {
  await page.selectOption('#planner-kind', 'police');
  await page.fill('#planner-threshold', '10');
  await page.selectOption('#planner-unit', 'km');
  await page.click('#planner-run');
  return coverageDone(page, /kind=police.*km=10/);
}

// The pixel of centre id (the map zoomed to it) and an empty spot near it, in page coordinates.
async function centreAndFreeSpot(page, id) {
  const pts = await page.evaluate((cid) => {
    const map = window.kkc.map;
    const c = window.kkc.state.centres.get(cid).marker.getLatLng();
    map.setView(c, 13, { animate: false });
    const at = map.latLngToContainerPoint(c);
    const taken = Array.from(window.kkc.state.centres.values())
      .map((x) => map.latLngToContainerPoint(x.marker.getLatLng()));
    for (const [dx, dy] of [[150, 120], [-150, 120], [150, -120], [-150, -120], [0, 200]]) {
      const p = { x: at.x + dx, y: at.y + dy };
      if (taken.every((q) => Math.hypot(q.x - p.x, q.y - p.y) > 30)) return { at, free: p };
    }
    return { at, free: null };
  }, id);
  assert.ok(pts.free, 'an empty spot near ' + id);
  await page.waitForTimeout(300); // let the map settle after setView (not an assertion)
  const box = await page.locator('#map').boundingBox();
  return { centre: [box.x + pts.at.x, box.y + pts.at.y], free: [box.x + pts.free.x, box.y + pts.free.y] };
}

const whatIf = (page) => page.evaluate(() => ({
  closed: Array.from(window.kkc.state.closed), added: window.kkc.state.added.length,
}));

test('planner tools: Inspect only opens a popup, Close closes a centre, Add adds a site (cs)', async () => {
  const page = await openPage(b.ctx, '#khk-planner');
  assert.equal(await page.getAttribute('#tool-inspect', 'aria-pressed'), 'true');
  assert.match(await page.textContent('#tool-hint'), /Klepnutí na středisko ukáže jeho údaje/);
  const { centre, free } = await centreAndFreeSpot(page, 'PCR1');
  await page.mouse.click(...centre);
  await page.locator('.leaflet-popup').waitFor({ timeout: 5000 });
  await page.mouse.click(...free); // dismisses the popup: must not add a site
  assert.deepEqual(await whatIf(page), { closed: [], added: 0 }, 'inspect changes nothing');
  await page.click('#tool-close');
  assert.equal(await page.getAttribute('#tool-close', 'aria-pressed'), 'true');
  await page.mouse.click(...centre);
  assert.deepEqual(await whatIf(page), { closed: ['PCR1'], added: 0 });
  assert.match(await page.textContent('#planner-status'), /^Zavřeno: /);
  await page.mouse.click(...free);
  assert.deepEqual(await whatIf(page), { closed: ['PCR1'], added: 0 }, 'Close adds no site');
  await page.click('#tool-add');
  await page.mouse.click(...free);
  assert.deepEqual(await whatIf(page), { closed: ['PCR1'], added: 1 });
  await page.mouse.click(...centre); // with Add, a centre click does not reopen it
  assert.deepEqual(await whatIf(page), { closed: ['PCR1'], added: 1 });
  await shot(page, 'planner-tools-cs');
  await page.close();
});

for (const lang of ['cs', 'en']) {
  test(`before/after: every what-if shows its change, equal to /v1/coverage (${lang})`, async (t) => {
    const page = await openPage(b.ctx, '#khk-planner&lang=' + lang);
    const first = await khkCoverage(page);
    const base = await apiGet('/v1/coverage?kind=police&km=10&region=CZ052');
    if (base.status !== 200) {
      t.diagnostic('/v1/coverage answers ' + base.status + ': delta check skipped');
      return page.close();
    }
    assert.equal(first.state, 'done');
    assert.equal(await page.isHidden('#delta-share'), true, 'no delta without a what-if');
    // close PCR9 (alone it covers ~22,600 people within 10 km) by keyboard: the list, Close
    await page.focus('#close-select');
    await page.selectOption('#close-select', 'PCR9');
    await page.focus('#close-go');
    await page.keyboard.press('Enter');
    await coverageDone(page, /close=PCR9/);
    const closed = await apiGet('/v1/coverage?kind=police&km=10&region=CZ052&close=PCR9');
    const delta = async (id) => Number(await page.getAttribute('#delta-' + id, 'data-value'));
    assert.equal(await delta('share'), closed.body.covered_share - base.body.covered_share);
    assert.equal(await delta('population'),
      closed.body.population_covered - base.body.population_covered);
    assert.equal(await delta('uncovered'),
      closed.body.municipalities.uncovered - base.body.municipalities.uncovered);
    assert.ok(await delta('share') < 0, 'closing a centre covers less');
    const text = await page.textContent('#delta-share');
    assert.match(text, lang === 'cs' ? /před změnou \d+,\d\u00a0%; −\d+,\d\u00a0p\. b\./
      : /before \d+\.\d\u00a0%; −\d+\.\d\u00a0pp/);
    assert.match(await page.textContent('#planner-status'), lang === 'cs' ? /Před změnou/ : /Before the change/);
    // and a site added at the map centre: the delta is still against no what-if at all
    await page.click('#add-centre');
    const fig = await coverageDone(page, /close=PCR9.*add=/);
    const add = new URL(BASE + fig.url).searchParams.get('add');
    const both = await apiGet('/v1/coverage?kind=police&km=10&region=CZ052&close=PCR9&add=' +
      encodeURIComponent(add));
    assert.equal(await delta('share'), both.body.covered_share - base.body.covered_share);
    assert.equal(await delta('population'),
      both.body.population_covered - base.body.population_covered);
    await shot(page, 'planner-delta-' + lang);
    await page.close();
  });
}

test('the address holds the planner and its what-if: a reload shows the same (en)', async () => {
  const page = await openPage(b.ctx, '#khk-planner&lang=en');
  await khkCoverage(page);
  await page.selectOption('#close-select', 'PCR9');
  await page.click('#close-go');
  await coverageDone(page, /close=PCR9/);
  await page.click('#add-centre');
  const fig = await coverageDone(page, /close=PCR9.*add=/);
  const read = (p) => p.evaluate(() => ({
    closed: Array.from(window.kkc.state.closed), added: window.kkc.state.added,
    share: document.getElementById('covered-share').dataset.value,
    delta: document.getElementById('delta-share').dataset.value,
  }));
  const was = await read(page);
  const again = await openPage(b.ctx, new URL(page.url()).hash);
  const fig2 = await coverageDone(again, /close=PCR9.*add=/);
  assert.equal(fig2.url, fig.url, 'the same coverage request after the reload');
  assert.deepEqual(await read(again), was);
  assert.equal(await again.textContent('#tool-inspect'), 'Inspect', 'still in English');
  await again.close();
  await page.close();
});

test('legend: every colour the planner draws has its entry; the palette is apart from the kinds', async (t) => {
  const page = await openPage(b.ctx, '#khk-planner&lang=en');
  const fig = await khkCoverage(page);
  if (fig.state !== 'done') {
    t.diagnostic('coverage unavailable: legend check skipped');
    return page.close();
  }
  await page.click('#planner-suggest');
  await page.waitForFunction(() => /done|error/.test(document.getElementById('suggestions').dataset.state || ''),
    null, { timeout: 120000 });
  await page.click('#add-centre');
  await coverageDone(page, /add=/);
  const legend = await page.$$eval('#legend-list li', (lis) => lis.map((li) => li.dataset.colour));
  const drawn = await page.$$eval('.leaflet-coverage-pane path, .leaflet-overlay-pane path',
    (ps) => ps.map((p) => (p.getAttribute('fill') !== 'none' ? p.getAttribute('fill') : p.getAttribute('stroke'))));
  const colours = [...new Set(drawn)];
  assert.ok(colours.length >= 4, 'coverage, gap, uncovered and centres drawn: ' + colours);
  for (const c of colours) assert.ok(legend.includes(c), c + ' drawn but not in the legend ' + legend);
  const plan = [...new Set(await page.$$eval('.leaflet-coverage-pane path',
    (ps) => ps.map((p) => p.getAttribute('fill')).filter((f) => f && f !== 'none')))];
  assert.ok(plan.length >= 3, 'service, gap and uncovered fills: ' + plan);
  for (const c of plan) {
    for (const k of KINDS) {
      assert.ok(distance(c, k) >= 100, `${c} too close to kind colour ${k}`);
      assert.ok(distance(deuteranope(c), deuteranope(k)) >= 80, `${c} ~ ${k} for deuteranopes`);
    }
  }
  const service = await page.getAttribute('#legend-list li[data-layer="service"]', 'data-colour');
  const gap = await page.getAttribute('#legend-list li[data-layer="gap"]', 'data-colour');
  assert.ok(distance(deuteranope(service), deuteranope(gap)) >= 100, 'covered/gap apart for deuteranopes');
  await shot(page, 'planner-legend-en');
  await page.close();
});

test('isochrones replace each other instead of stacking up (Heidelberg, en)', async (t) => {
  const page = await openPage(b.ctx, '#heidelberg-planner&lang=en');
  await page.selectOption('#planner-kind', 'fire');
  await page.fill('#planner-threshold', '8');
  const paths = () => page.locator('.leaflet-coverage-pane path').count();
  const iso = async (n) => {
    await page.click('#planner-isochrones');
    await page.waitForFunction((k) => document.getElementById('planner-figures').dataset.isoSeq === k ||
      !document.getElementById('planner-message').hidden && !/8 min/.test(document.getElementById('planner-message').textContent) &&
      document.getElementById('planner-figures').dataset.isoSeq === undefined, String(n), { timeout: 60000 });
  };
  await iso(1);
  const api = await apiGet('/v1/isochrone?kind=fire&minutes=8');
  if (api.status !== 200) {
    t.diagnostic('/v1/isochrone answers ' + api.status + ': check skipped');
    return page.close();
  }
  const once = await paths();
  assert.ok(once >= 1, 'an isochrone is drawn');
  await iso(2);
  assert.equal(await paths(), once, 'the second isochrone replaced the first');
  await page.close();
});

test('keyboard: view tabs by arrows, suggestions and result markers by Enter; announced', async (t) => {
  const page = await openPage(b.ctx, '#khk&lang=en');
  await page.evaluate(() => window.kkc.queryPoint({ lon: 15.83, lat: 50.21 }));
  await page.waitForFunction(() => document.getElementById('results').dataset.state === 'done');
  assert.match(await page.textContent('#status'), /^Nearest centres: 3\. /);
  const row = page.locator('#results li[data-testid="result"]').first();
  assert.equal(await row.getAttribute('tabindex'), '0');
  const marker = page.locator('.kkc-rank-icon').first();
  assert.equal(await marker.getAttribute('tabindex'), '0');
  assert.ok(await marker.getAttribute('aria-label'), 'the marker is named');
  await marker.focus();
  await page.keyboard.press('Enter');
  await page.locator('.leaflet-popup').waitFor({ timeout: 5000 });
  await page.focus('#tab-dispatcher');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getAttribute('#tab-planner', 'aria-selected'), 'true');
  assert.equal(await page.isVisible('#planner'), true);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-planner');
  const fig = await khkCoverage(page);
  if (fig.state !== 'done') return page.close();
  await page.click('#planner-suggest');
  await page.waitForFunction(() => /done|error/.test(document.getElementById('suggestions').dataset.state || ''),
    null, { timeout: 120000 });
  const res = await fetch(BASE + '/v1/plan', { method: 'POST',
    body: await page.getAttribute('#suggestions', 'data-body'), headers: { 'Content-Type': 'application/json' } });
  if (res.status !== 200) {
    t.diagnostic('POST /v1/plan answers ' + res.status + ': suggestion keyboard check skipped');
    return page.close();
  }
  const site = (await res.json()).sites[0];
  await page.focus('#suggestions li[data-testid="suggested-site"] >> nth=0');
  await page.keyboard.press('Enter');
  const added = await page.evaluate(() => window.kkc.state.added);
  assert.deepEqual(added, [{ lon: site.lon, lat: site.lat }]);
  assert.match(await page.textContent('#planner-status'), /^Site added at /);
  await page.close();
});

for (const [lang, size] of [['cs', { width: 1280, height: 800 }], ['en', { width: 1280, height: 800 }],
  ['cs', { width: 390, height: 844 }]]) {
  test(`axe-core finds no violation: dispatcher and planner (${lang}, ${size.width} px)`, async () => {
    const page = await openPage(b.ctx, '#khk&lang=' + lang);
    await page.setViewportSize(size);
    await page.evaluate(() => window.kkc.queryPoint({ lon: 15.83, lat: 50.21 }));
    await page.waitForFunction(() => document.getElementById('results').dataset.state === 'done');
    assert.deepEqual(await axeViolations(page), [], 'dispatcher with results');
    await page.click('#tab-planner');
    await khkCoverage(page);
    await page.click('#add-centre');
    await coverageDone(page, /add=/);
    assert.deepEqual(await axeViolations(page), [], 'planner with a what-if');
    await shot(page, `axe-planner-${lang}-${size.width}`);
    await page.close();
  });
}

test('no script errors and no request left the machine', () => {
  assert.deepEqual(b.errors, []);
  assert.deepEqual(b.outside, []);
});
