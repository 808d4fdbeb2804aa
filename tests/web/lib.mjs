// tests/web/lib.mjs -- shared by the browser suites after map.test.mjs: a Chromium context that
// lets no request leave the machine, the API fetched by the test itself (the oracle), waits on
// the page's own data-* state, axe-core, and colour arithmetic for the palette checks.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const BASE = process.env.KKC_URL;
if (!BASE) throw new Error('KKC_URL is not set: run tests/scripts/web.sh');
const HERE = path.dirname(fileURLToPath(import.meta.url));
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

// A persistent Chromium context: {ctx, outside (requests that tried to leave), errors, close}.
export async function browser(viewport = { width: 1280, height: 800 }) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'kkc-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const outside = [];
  const errors = [];
  await ctx.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.origin === BASE || u.protocol === 'data:') return route.continue();
    outside.push(u.href);
    return route.abort();
  });
  ctx.on('page', (p) => p.on('pageerror', (e) => errors.push(e.message)));
  const close = async () => {
    await ctx.close();
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { ctx, outside, errors, close };
}

// A new page of ctx at the page's address hash, once its map is ready.
export async function openPage(ctx, hash) {
  const page = await ctx.newPage();
  await page.goto(BASE + '/' + hash);
  await page.waitForSelector('#map[data-ready="true"]', { timeout: 30000 });
  return page;
}

export async function apiGet(p) {
  const res = await fetch(BASE + p);
  return { status: res.status, body: await res.json() };
}

export async function shot(page, name) {
  const dir = path.join(HERE, 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, name + '.png') });
}

// Wait until the planner figures answered a request whose address passes test (a RegExp).
export async function coverageDone(page, re) {
  await page.waitForFunction((src) => {
    const f = document.getElementById('planner-figures');
    return f.dataset.state === 'error' ||
      (f.dataset.state === 'done' && new RegExp(src).test(f.dataset.url || ''));
  }, re.source, { timeout: 60000 });
  return page.evaluate(() => Object.assign({}, document.getElementById('planner-figures').dataset));
}

// axe-core's WCAG 2.1 A/AA and best-practice violations on the page as it is now.
export async function axeViolations(page) {
  await page.addScriptTag({ path: AXE });
  const r = await page.evaluate(() => window.axe.run(document, {
    runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
  }));
  return r.violations.map((v) => v.id + ' (' + v.impact + '): ' +
    v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', '));
}

// '#rrggbb' or 'rgb(r, g, b)' -> [r, g, b].
export function rgb(c) {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(c.trim());
  if (m) return m.slice(1).map((h) => parseInt(h, 16));
  const n = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(c);
  if (n) return n.slice(1, 4).map(Number);
  throw new Error('not a colour: ' + c);
}

// The colour as a deuteranope sees it (Machado, Oliveira & Fernandes 2009, severity 1, applied
// in linear RGB).
export function deuteranope(c) {
  const M = [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881]];
  const lin = (v) => (v /= 255, v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  const srgb = (v) => {
    v = Math.min(1, Math.max(0, v));
    return 255 * (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055);
  };
  const l = rgb(c).map(lin);
  return M.map((row) => srgb(row[0] * l[0] + row[1] * l[1] + row[2] * l[2]));
}

export function distance(a, b) {
  const x = Array.isArray(a) ? a : rgb(a);
  const y = Array.isArray(b) ? b : rgb(b);
  return Math.hypot(x[0] - y[0], x[1] - y[1], x[2] - y[2]);
}
