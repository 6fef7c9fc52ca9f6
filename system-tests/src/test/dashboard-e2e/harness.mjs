// What every dashboard suite shares: Debian's Chromium, 1280×800 pages, a screenshot with
// axe-core's check per page, JSON calls to the API, and steps that stop after the first failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const BASE = process.env.WRENN_URL;
export const SHOTS = process.env.SCREENSHOTS;

mkdirSync(SHOTS, { recursive: true });

/** The pages opened so far: a failed step screenshots each. */
export const open = [];

export function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** A page in a context of its own (its own storage: another person, or another tab's session). */
export async function newPage(browser) {
  // bypassCSP: axe-core is injected as an inline script, which the dashboard's policy forbids.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
  const p = await context.newPage();
  open.push(p);
  p.setDefaultTimeout(30_000);
  p.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
  return p;
}

/** A screenshot for people to look at, and axe-core's check: no serious or critical violation. */
export async function check(p, name) {
  await p.waitForLoadState('networkidle').catch(() => {});
  await p.screenshot({ path: `${SHOTS}/${name}.png` });
  await p.addScriptTag({ content: AXE });
  const result = await p.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`), [], `axe on ${name}`);
}

export async function api(method, path, body, token) {
  const response = await fetch(BASE + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: response.status === 204 ? null : await response.json() };
}

/** The steps build on each other: after a failed one, the rest are skipped instead of timing out one by one. */
let broken = false;
export function step(name, body) {
  test(name, async (t) => {
    if (broken) {
      t.skip('an earlier step failed');
      return;
    }
    try {
      await body();
    } catch (e) {
      broken = true;
      for (const [i, p] of open.entries()) await p.screenshot({ path: `${SHOTS}/failed-${i}.png` }).catch(() => {});
      throw e;
    }
  });
}
