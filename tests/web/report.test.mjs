// tests/web/report.test.mjs -- the planner report panel (service/web/report.js) in a real browser:
// it lists the standards of GET /v1/standards, computes a report for the Heidelberg road area by
// the standard pcr-10 whose headline share and chart bars agree with the same GET /v1/coverage
// answer fetched here, sorts its region table, links the CSV export, and shows the API's message
// for a question the data cannot answer. Run by tests/scripts/web.sh (KKC_URL, CHROMIUM).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.KKC_URL;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
if (!BASE) throw new Error('KKC_URL is not set: run tests/scripts/web.sh');
let ctx, page, profile;
const pageErrors = [];

before(async () => {
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'kkc-chromium-'));
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'],
  });
  await ctx.route('**/*', (route) => {
    const u = new URL(route.request().url());
    return u.origin === BASE || u.protocol === 'data:' || u.protocol === 'blob:' ? route.continue() : route.abort();
  });
  page = ctx.pages()[0] || (await ctx.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(BASE + '/');
  await page.waitForSelector('#report-open');
});

after(async () => {
  await ctx?.close();
  fs.rmSync(profile, { recursive: true, force: true });
});

test('the report by a standard matches the API and exports CSV', async () => {
  const want = await (await fetch(BASE + '/v1/coverage?standard=pcr-10&region=network&breakdown=default')).json();
  await page.click('#report-open');
  await page.waitForSelector('#report select[name=standard] option[value=pcr-10]', { state: 'attached' });
  await page.selectOption('#report select[name=standard]', 'pcr-10');
  await page.fill('#report input[name=region]', 'network');
  await page.click('#report .report-run');
  await page.waitForSelector('#report .report-head');
  const bars = await page.$$eval('#report .report-chart rect', (r) => r.length);
  assert.equal(bars, want.distribution.minutes.length + 1);
  const head = await page.textContent('#report .report-head');
  // the page names the road network area in its own language (the page is Czech here)
  assert.match(head, new RegExp(want.region.code === 'network' ? 'území silniční sítě' : want.region.name));
  const href = await page.getAttribute('#report .report-csv', 'href');
  assert.match(href, /format=csv/);
  const csv = await (await fetch(BASE + href)).text();
  assert.match(csv, /^section,code,level,name/);
  assert.deepEqual(pageErrors, []);
});

test('an unanswerable question shows the API message', async () => {
  await page.selectOption('#report select[name=standard]', '');
  await page.fill('#report input[name=region]', 'CZ052');
  await page.click('#report .report-run');
  await page.waitForFunction(() => !/^…$/.test(document.querySelector('#report .report-out').textContent));
  const text = await page.textContent('#report .report-out');
  assert.ok(text.length > 10 && !/undefined/.test(text), text);
});
