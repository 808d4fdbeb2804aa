// tests/web/plan-added.test.mjs -- suggestions that count the sites the planner added: the
// page's first suggestion, once added as a what-if, is not suggested again, and every list on
// screen is the answer POST /v1/plan gives the test itself for the body the page sent (the
// oracle: the API, asked here, and the before-state answer without the added site). Run by
// tests/scripts/web.sh (KKC_URL set), in Czech and English.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, browser, openPage, shot, coverageDone } from './lib.mjs';

let b;
before(async () => {
  b = await browser();
});
after(async () => {
  if (b) await b.close();
});

async function plan(body) {
  const res = await fetch(BASE + '/v1/plan', {
    method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' },
  });
  assert.equal(res.status, 200);
  return res.json();
}

async function suggest(page, n) {
  await page.click('#planner-suggest');
  await page.waitForFunction((k) => {
    const ol = document.getElementById('suggestions');
    return ol.dataset.state === 'error' || (ol.dataset.state === 'done' && ol.dataset.seq === k);
  }, String(n), { timeout: 120000 });
  const ol = await page.evaluate(() => Object.assign({}, document.getElementById('suggestions').dataset));
  assert.equal(ol.state, 'done');
  const shown = await page.$$eval('#suggestions li', (lis) => lis.map((li) => ({
    lon: Number(li.dataset.lon), lat: Number(li.dataset.lat), gain: Number(li.dataset.gain) })));
  return { body: JSON.parse(ol.body), shown };
}

const sites = (d) => d.sites.map((s) => ({ lon: s.lon, lat: s.lat, gain: s.population_gained }));

for (const [lang, vp] of [['cs', { width: 1280, height: 800 }], ['en', { width: 390, height: 844 }]]) {
  test(`suggestions count the sites added as a what-if (${lang}, ${vp.width} px)`, async () => {
    const page = await openPage(b.ctx, '#khk-planner&lang=' + lang);
    await page.setViewportSize(vp);
    await page.selectOption('#planner-kind', 'police');
    await page.fill('#planner-threshold', '10');
    await page.selectOption('#planner-unit', 'km');
    await page.click('#planner-run');
    await coverageDone(page, /kind=police.*km=10/);

    const first = await suggest(page, 1);
    assert.equal(first.body.added, undefined, 'nothing added yet');
    assert.deepEqual(first.shown, sites(await plan(first.body)));
    const top = first.shown[0];
    assert.ok(top && top.gain > 0, 'a first suggestion');

    await page.click('#suggestions li:first-child'); // adds it as a what-if
    await coverageDone(page, /add=/);
    const second = await suggest(page, 2);
    assert.deepEqual(second.body.added, [{ lon: top.lon, lat: top.lat, kind: 'police' }]);
    const want = await plan(second.body);
    assert.deepEqual(second.shown, sites(want));
    assert.ok(second.shown.every((s) => s.lon !== top.lon || s.lat !== top.lat),
      'the added site is not suggested again');
    // the API's own before figure counts the added site: what the first answer had after step 1
    assert.equal(want.population.covered_before, (await plan(first.body)).sites[0].population_covered);
    const msg = await page.textContent('#planner-message');
    assert.match(msg, lang === 'cs' ? /Přidaná stanoviště \(1\) se počítají jako stávající/
      : /The sites you added \(1\) count as existing ones/);
    await shot(page, `plan-added-${lang}-${vp.width}`);
    await page.close();
  });
}
