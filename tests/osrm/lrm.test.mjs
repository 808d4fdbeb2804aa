// tests/osrm/lrm.test.mjs -- Leaflet Routing Machine, unchanged, with its default OSRM v1 router
// against our /route/v1, in Debian's headless Chromium (playwright-core; no browser download).
//
// Run by tests/scripts/osrm.sh, which serves tests/osrm/page/ with LRM's dist files and sets
// KKC_URL. For routes between Heidelberg points the itinerary LRM renders must show our API's
// figures: the summary line is LRM's formatter applied to the distance and duration that
// /route/v1 and /v1/route answer (fetched here independently), one row per step with that step's
// distance, and an instruction text for every row naming the road where the step has a name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = process.env.KKC_URL;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

if (!BASE) throw new Error('KKC_URL is not set: run tests/scripts/osrm.sh');

const ROUTES = [
  // Bergheim -> Bismarckplatz / Sofienstraße
  { from: '8.6724,49.4093', to: '8.6934,49.4106' },
  // Altstadt -> Rohrbach
  { from: '8.7100,49.4120', to: '8.6830,49.3850' },
  // Neuenheim -> Pfaffengrund (across the Neckar)
  { from: '8.6950,49.4180', to: '8.6500,49.4030' },
];

let profile;
let ctx;
const pageErrors = [];
const outside = [];

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), CHROMIUM + ' is missing');
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'kkc-lrm-profile-'));
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1200, height: 800 },
  });
  // Nothing may be fetched from anywhere but this server.
  await ctx.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.origin === new URL(BASE).origin) return route.continue();
    outside.push(u.href);
    return route.abort();
  });
});

after(async () => {
  if (ctx) await ctx.close();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

async function getJson(p) {
  const res = await fetch(BASE + p);
  return { status: res.status, body: await res.json() };
}

for (const r of ROUTES) {
  test(`LRM itinerary ${r.from} -> ${r.to} shows our figures`, async (t) => {
    const page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    const requests = [];
    page.on('request', (q) => requests.push(q.url()));
    await page.goto(`${BASE}/?from=${r.from}&to=${r.to}`);
    await page.waitForFunction(() => window.lrm && (window.lrm.routes || window.lrm.error),
      null, { timeout: 30000 });
    const err = await page.evaluate(() => window.lrm.error && JSON.stringify(window.lrm.error));
    assert.equal(err, null, 'LRM reported a routing error');

    // LRM called our OSRM endpoint, the way it calls OSRM.
    const routeCalls = requests.filter((u) => u.startsWith(BASE + '/route/v1/driving/'));
    assert.ok(routeCalls.length >= 1, 'LRM requested /route/v1/driving/...');
    t.diagnostic('LRM asked: ' + routeCalls[0].slice(BASE.length));

    // The oracles: our own API, asked directly.
    const osrm = await getJson(`/route/v1/driving/${r.from};${r.to}?overview=false&steps=true`);
    assert.equal(osrm.status, 200);
    const v1 = await getJson(`/v1/route?from=${r.from}&to=${r.to}`);
    assert.equal(v1.status, 200);
    const route = osrm.body.routes[0];
    const steps = route.legs[0].steps;
    assert.equal(route.distance, v1.body.properties.distance_m);
    assert.equal(route.duration, v1.body.properties.duration_s);

    // What LRM made of the response.
    const got = await page.evaluate(() => {
      const rt = window.lrm.routes[0];
      return { distance: rt.summary.totalDistance, time: rt.summary.totalTime,
        n: rt.instructions.length, alts: window.lrm.routes.length };
    });
    assert.equal(got.alts, 1);
    assert.equal(got.distance, route.distance);
    assert.equal(got.time, route.duration);
    assert.equal(got.n, steps.length);

    // What it rendered, against LRM's own formatter applied to our numbers.
    await page.waitForSelector('.leaflet-routing-alt h3', { timeout: 10000 });
    const shown = await page.evaluate(({ dist, dur, stepDist }) => {
      const f = new L.Routing.Formatter();
      const alt = document.querySelector('.leaflet-routing-alt');
      return {
        h3: alt.querySelector('h3').textContent,
        wantH3: f.formatDistance(dist, -1) + ', ' + f.formatTime(dur),
        rows: [...alt.querySelectorAll('tbody tr')].map((tr) => {
          const td = tr.querySelectorAll('td');
          return { text: td[1].textContent, distance: td[2].textContent };
        }),
        wantDist: stepDist.map((d) => f.formatDistance(d)),
      };
    }, { dist: route.distance, dur: route.duration, stepDist: steps.map((s) => s.distance) });
    t.diagnostic(`summary: ${shown.h3}; ${shown.rows.length} instructions`);
    assert.equal(shown.h3, shown.wantH3);
    assert.equal(shown.rows.length, steps.length);
    shown.rows.forEach((row, i) => {
      const s = steps[i];
      assert.equal(row.distance, shown.wantDist[i], `row ${i} distance`);
      assert.ok(row.text.length > 0 && !/[{}]|undefined/.test(row.text), `row ${i}: '${row.text}'`);
      if (s.name && s.maneuver.type !== 'arrive')
        assert.ok(row.text.includes(s.name), `row ${i} '${row.text}' names ${s.name}`);
    });
    assert.match(shown.rows[0].text, /^Head /);
    assert.match(shown.rows[shown.rows.length - 1].text, /arrived/);

    // The line is drawn.
    assert.ok(await page.locator('path.leaflet-interactive').count() >= 1, 'a route line');
    fs.mkdirSync(path.join(HERE, 'screenshots'), { recursive: true });
    await page.screenshot({ path: path.join(HERE, 'screenshots', `lrm-${ROUTES.indexOf(r)}.png`) });
    await page.close();
  });
}

test('no page errors and nothing fetched from outside', () => {
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(outside, []);
});
