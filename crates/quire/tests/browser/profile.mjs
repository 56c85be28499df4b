// A demo Goodreads reader's profile, a shelf, the reading stats and a
// year in books, at 390 px and 1366 px, in headless Chromium.
//
//   node profile.mjs BASE_URL USERNAME YEAR SCREENSHOT_DIR
//
// Each page is checked the way a reader would look at it (no sideways
// scrolling, charts named, tables behind "Show as a table", no page as
// tall as the old profile), then photographed as
// SCREENSHOT_DIR/<page>-<width>.png.

import { chromium } from 'playwright-core';
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { launch } from './lib.mjs';

const [base0, username, year, shots] = process.argv.slice(2);
const base = (base0 ?? '').replace(/\/$/, '');
if (!base.startsWith('http') || !username || !year || !shots) {
  console.error('usage: node profile.mjs BASE_URL USERNAME YEAR SCREENSHOT_DIR');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const pages = [
  ['profile', `/people/${username}`],
  ['shelf', `/people/${username}/shelves/read`],
  ['shelf-list', `/people/${username}/shelves/read?sort=rating&view=list`],
  ['stats', `/people/${username}/stats`],
  ['year', `/people/${username}/year/${year}`],
  ['reviews', `/people/${username}/reviews`],
];

const browser = await launch();
let failed = false;
try {
  for (const width of [390, 1366]) {
    const ctx = await browser.newContext({ viewport: { width, height: 900 }, deviceScaleFactor: 1, javaScriptEnabled: false });
    const page = await ctx.newPage();
    const complaints = [];
    page.on('console', (m) => { if (/Content Security Policy|Refused/i.test(m.text())) complaints.push(m.text()); });
    for (const [name, path] of pages) {
      const r = await page.goto(base + path);
      assert.equal(r.status(), 200, `${path} answered ${r.status()}`);
      const m = await page.evaluate(() => ({
        height: document.documentElement.scrollHeight,
        wide: [...document.querySelectorAll('main *')]
          .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest('.shelf-preview'))
          .slice(0, 3).map((el) => `${el.tagName}.${el.getAttribute('class') ?? ''} right ${Math.round(el.getBoundingClientRect().right)} (parent ${el.parentElement.tagName}.${el.parentElement.getAttribute('class') ?? ''} ${Math.round(el.parentElement.getBoundingClientRect().width)}px)`),
        charts: [...document.querySelectorAll('svg.chart')].map((s) => s.getAttribute('role') + ':' + (s.getAttribute('aria-label') ?? '')),
        tables: document.querySelectorAll('details.chart-table table').length,
      }));
      await page.screenshot({ path: `${shots}/${name}-${width}.png`, fullPage: true });
      assert.deepEqual(m.wide, [], `${path} at ${width}px scrolls sideways: ${m.wide.join(', ')}`);
      for (const c of m.charts) assert.ok(c.startsWith('img:') && c.length > 20, `${path}: a chart without a name: ${c}`);
      if (name === 'stats') {
        assert.ok(m.charts.length >= 6, `the stats page draws ${m.charts.length} charts`);
        assert.equal(m.tables, m.charts.length, 'every chart has its table');
      }
      if (name === 'profile') {
        assert.ok(m.height < 6000, `the profile is ${m.height}px tall at ${width}px`);
      }
      console.log(`ok   ${name} at ${width}px: ${m.height}px tall, ${m.charts.length} charts`);
    }
    assert.deepEqual(complaints, [], 'the browser blocked something');
    await ctx.close();
  }
} catch (e) {
  console.error(String(e.stack ?? e));
  failed = true;
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
