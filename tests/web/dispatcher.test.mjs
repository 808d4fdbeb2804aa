// tests/web/dispatcher.test.mjs -- the dispatcher's place search (/v1/search, or the municipality
// list while a server has no search) and the route's turn-by-turn steps, in Czech and English.
// Run by tests/scripts/web.sh (KKC_URL set). Oracles: /v1/search, /v1/municipalities and
// /v1/route fetched by the test itself with the parameters the page sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, browser, openPage, apiGet, shot } from './lib.mjs';

let b;

before(async () => {
  b = await browser();
});

after(async () => {
  if (b) await b.close();
});

// Type q into the search box; resolves once the suggestions for q are shown.
async function typeSearch(page, q) {
  await page.fill('#search-input', '');
  await page.type('#search-input', q, { delay: 10 });
  await page.waitForFunction((text) => {
    const ul = document.getElementById('search-suggestions');
    return !ul.hidden && ul.dataset.q === text.trim();
  }, q, { timeout: 10000 }).catch(() => {});
}

for (const lang of ['cs', 'en']) {
  test(`search: the suggestions are the API's, chosen by keyboard (${lang})`, async (t) => {
    const page = await openPage(b.ctx, '#khk&lang=' + lang);
    const search = await apiGet('/v1/search?q=hradec&limit=8');
    await typeSearch(page, 'hradec');
    const source = await page.getAttribute('#search-suggestions', 'data-source');
    let expected;
    if (search.status === 404) {
      t.diagnostic('/v1/search answers 404 on this server: the page asks /v1/municipalities');
      assert.equal(source, 'municipalities');
      expected = (await apiGet('/v1/municipalities?q=hradec&limit=8')).body.municipalities;
    } else {
      assert.equal(search.status, 200, JSON.stringify(search.body));
      assert.equal(source, 'search');
      expected = search.body.results;
    }
    const shown = await page.$$eval('#search-suggestions li[data-testid="suggestion"]', (lis) =>
      lis.map((li) => [li.firstChild.textContent.trim(), Number(li.dataset.lon), Number(li.dataset.lat)]));
    assert.deepEqual(shown, expected.map((p) => [p.name, p.lon, p.lat]));
    assert.ok(shown.length >= 1, 'something is found for "hradec"');
    assert.match(await page.textContent('#status'), lang === 'cs' ? /^Nalezeno míst: \d+\.$/ : /^\d+ place\(s\) found\.$/);
    await page.focus('#search-input');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.getAttribute('#search-input', 'aria-activedescendant'), 'search-option-0');
    const prev = await page.evaluate(() => window.kkc.state.querySeq);
    await page.keyboard.press('Enter');
    await page.waitForFunction((p) => {
      const r = document.getElementById('results');
      return window.kkc.state.querySeq > p && r.dataset.state === 'done';
    }, prev, { timeout: 20000 });
    assert.equal(Number(await page.getAttribute('#results', 'data-lon')), expected[0].lon);
    assert.equal(Number(await page.getAttribute('#results', 'data-lat')), expected[0].lat);
    await shot(page, 'search-' + lang);
    await page.close();
  });
}

test('search: nothing found, FTS syntax and an over-long query never break the page', async () => {
  const page = await openPage(b.ctx, '#khk');
  await typeSearch(page, 'qqxxzzqq');
  assert.match(await page.textContent('#search-suggestions'), /qqxxzzqq/);
  assert.equal(await page.locator('#search-suggestions li[data-testid="suggestion"]').count(), 0);
  for (const q of ['"Hradec', 'Hra* OR NEAR(', 'x'.repeat(300)]) {
    await typeSearch(page, q);
    const shownList = !(await page.isHidden('#search-suggestions'));
    const msg = await page.textContent('#message');
    assert.ok(shownList || msg.length > 0, 'a list or a message for ' + q.slice(0, 20));
    assert.ok(!/HTTP 500/.test(msg), 'no server error for ' + q.slice(0, 20) + ': ' + msg);
  }
  await page.close();
});

for (const lang of ['cs', 'en']) {
  test(`route steps: listed under the route as /v1/route answers them (Heidelberg, ${lang})`, async (t) => {
    const page = await openPage(b.ctx, '#heidelberg&lang=' + lang);
    const sent = [];
    page.on('request', (r) => { if (r.url().includes('/v1/route?')) sent.push(r.url()); });
    await page.evaluate(() => window.kkc.queryPoint({ lon: 8.6724, lat: 49.4094 }));
    await page.waitForFunction(() => document.getElementById('route-info').dataset.state,
      null, { timeout: 30000 });
    if (await page.getAttribute('#route-info', 'data-state') !== 'done') {
      t.diagnostic('no route here: ' + (await page.textContent('#route-info')));
      return page.close();
    }
    const first = new URL(sent[0]);
    assert.equal(first.searchParams.get('steps'), 'true');
    const doc = await apiGet('/v1/openapi.json');
    const documented = doc.body.paths['/v1/route'].get.parameters.some((p) => p.name === 'lang');
    assert.equal(first.searchParams.get('lang'), documented ? lang : null, 'lang= only where documented');
    const oracle = await apiGet(first.pathname + first.search);
    assert.equal(oracle.status, 200);
    const steps = oracle.body.properties.steps;
    const shown = await page.$$eval('#route-steps li[data-testid="route-step"] .step-text',
      (els) => els.map((e) => e.textContent));
    assert.equal(shown.length, steps.length);
    assert.ok(shown.length >= 2, 'a route has steps');
    steps.forEach((s, i) => {
      if (s.instruction) assert.equal(shown[i], s.instruction);
      else if (s.name) assert.ok(shown[i].includes(s.name), shown[i] + ' names ' + s.name);
    });
    await shot(page, 'route-steps-' + lang);
    await page.close();
  });
}

for (const [lang, start, cancel] of [['cs', 'Objízdná oblast', 'Zrušit'], ['en', 'Avoid area', 'Cancel']]) {
  test(`avoid area: while it is drawn a map click adds a corner, no new incident (${lang})`, async () => {
    const page = await openPage(b.ctx, '#khk&lang=' + lang);
    await page.waitForFunction(() => window.kkc.closures, null, { timeout: 10000 });
    const box = await page.locator('#map').boundingBox();
    const button = page.locator('.kkc-avoid button', { hasText: start });
    await button.click();
    const seq = await page.evaluate(() => window.kkc.state.querySeq);
    await page.mouse.click(box.x + box.width * 0.6, box.y + box.height * 0.6);
    await page.mouse.click(box.x + box.width * 0.7, box.y + box.height * 0.6);
    assert.equal(await page.evaluate(() => window.kkc.closures.avoid.points.length), 2);
    assert.equal(await page.evaluate(() => window.kkc.state.querySeq), seq, 'no query while drawing');
    await page.locator('.kkc-avoid button', { hasText: cancel }).click();
    await page.mouse.click(box.x + box.width * 0.6, box.y + box.height * 0.6);
    assert.equal(await page.evaluate(() => window.kkc.state.querySeq), seq + 1, 'a click queries again');
    await page.click('#tab-planner');
    assert.equal(await button.isVisible(), false, 'no avoid area in the planner');
    await page.close();
  });
}

test('no script errors and no request left the machine', () => {
  assert.deepEqual(b.errors, []);
  assert.deepEqual(b.outside, []);
});
