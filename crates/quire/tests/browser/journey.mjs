// A reader's journey through Quire on a phone, in headless Chromium.
//
//   node journey.mjs BASE_URL [SCREENSHOT_PATH]
//
// crates/quire/tests/browser.rs starts a server with Pride and Prejudice in
// its catalog and runs this script against it. Each check names its step;
// the first failing check stops the script with a non-zero exit.

import { chromium } from 'playwright-core';
import { strict as assert } from 'node:assert';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { current, launch, step } from './lib.mjs';

const base = (process.argv[2] ?? '').replace(/\/$/, '');
const screenshotPath = process.argv[3] ?? 'browser-journey.png';
if (!base.startsWith('http')) {
  console.error('usage: node journey.mjs BASE_URL [SCREENSHOT_PATH]');
  process.exit(2);
}
const phone = { width: 390, height: 844 };
const timeout = 15_000;
// A picture of the page as it was when a check failed; none from an old run.
const failureShot = screenshotPath.replace(/\.png$/, '') + '-failure.png';
rmSync(failureShot, { force: true });

// What the browser said about the security headers: a Content-Security-
// Policy that blocked something, or a Permissions-Policy it did not know.
const policyComplaints = [];
function watchPolicies(p) {
  p.on('console', (msg) => {
    const text = msg.text();
    if (/Content Security Policy|Refused to (load|execute|apply|frame|connect)|Permissions-Policy|Unrecognized feature/i.test(text)) {
      policyComplaints.push(`${p.url()}: ${text}`);
    }
  });
}


// A section of the book page found the way a reader finds it: by its heading.
function section(page, heading) {
  return page.locator('section').filter({
    has: page.getByRole('heading', { name: heading, exact: true }),
  });
}

async function noSidewaysScrolling(page, where) {
  const m = await page.evaluate(() => {
    const width = window.innerWidth;
    const wide = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > width + 1)
      .slice(0, 5)
      .map((el) => `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''}> right edge at ${Math.round(el.getBoundingClientRect().right)}px`);
    return { scrollWidth: document.documentElement.scrollWidth, width, wide };
  });
  assert.equal(m.width, phone.width, `${where}: the window should be ${phone.width}px wide, is ${m.width}px`);
  assert.ok(
    m.scrollWidth <= m.width + 1,
    `${where}: the page is ${m.scrollWidth}px wide on a ${m.width}px phone, so it scrolls sideways; too wide: ${m.wide.join('; ') || '(no single element found)'}`,
  );
}

const browser = await launch();

let page;
let exitCode = 0;
try {
  const context = await browser.newContext({ viewport: phone, deviceScaleFactor: 1 });
  context.setDefaultTimeout(timeout);
  page = await context.newPage();
  page.on('pageerror', (e) => console.log(`note: script error on ${page.url()}: ${e.message}`));
  watchPolicies(page);

  let bookUrl;
  await step('search for "Pride" and open Pride and Prejudice', async () => {
    await page.goto(`${base}/search?q=Pride`);
    await page.getByRole('link', { name: 'Pride and Prejudice', exact: true }).first().click();
    await page.waitForURL(/\/books\//);
    bookUrl = page.url().split('#')[0];
  });

  await step('the book page shows the title, jump links, questions, excerpt and editions', async () => {
    const h1 = (await page.getByRole('heading', { level: 1 }).innerText()).trim();
    assert.ok(h1.startsWith('Pride and Prejudice'), `the page's title is "${h1}"`);
    await page.getByRole('navigation', { name: 'Jump to' }).waitFor();
    await page.getByRole('heading', { name: 'Discussion questions', exact: true }).waitFor();
    const excerpt = section(page, 'Excerpt');
    assert.equal(await excerpt.count(), 1, 'there is no section headed "Excerpt"');
    const text = (await excerpt.locator('.material').first().innerText()).trim();
    assert.ok(
      text.startsWith('It is a truth universally acknowledged'),
      `the excerpt begins "${text.slice(0, 80)}…"`,
    );
    const others = (await page.locator('.other-editions').innerText()).trim();
    if (others.startsWith('No other editions')) {
      return;
    }
    const m = others.match(/^(\d+) other editions?$/);
    assert.ok(m, `the editions line says "${others}"`);
    const listed = await section(page, 'Editions').getByRole('listitem').count();
    assert.equal(listed, Number(m[1]) + 1, `"${others}", but the Editions list has ${listed} entries`);
  });

  await step('the book page is sent with a Content-Security-Policy and no frames allowed', async () => {
    const res = await page.goto(bookUrl);
    const h = res.headers();
    assert.match(h['content-security-policy'] ?? '', /script-src 'self'/, 'no Content-Security-Policy on the book page');
    assert.equal(h['x-frame-options'], 'DENY');
    assert.equal(h['x-content-type-options'], 'nosniff');
  });

  await step('the book page fits a phone without sideways scrolling', async () => {
    await noSidewaysScrolling(page, 'book page');
  });

  const username = `reader${Date.now().toString(36)}`;
  const password = 'a long enough password';
  await step(`register as ${username}`, async () => {
    await page.goto(`${base}/register`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel(/^Password/).fill(password);
    await page.getByLabel('The same password again').fill(password);
    await page.getByRole('button', { name: 'Join' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/register'));
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  });

  const activity = page.locator('#activity');
  await step('rate the book 4.5 stars with one tap, without leaving the page', async () => {
    await page.goto(bookUrl);
    assert.ok(await page.evaluate(() => typeof window.htmx === 'object'), 'htmx is not loaded on the book page');
    const stars = page.getByRole('group', { name: /^Rate this book/ });
    await page.evaluate(() => {
      window.__marker = 1;
    });
    // A tap on the left half of the fifth star.
    await stars.locator('label[for="rate-9"]').click();
    await activity.filter({ hasText: '(you gave 4.5 stars)' }).waitFor();
    await page.locator('#flash').filter({ hasText: 'Saved: you gave this book 4.5 stars.' }).waitFor();
    assert.equal(
      await page.evaluate(() => window.__marker),
      1,
      'saving the rating loaded a new page instead of updating the box in place',
    );
    assert.equal(page.url().split('#')[0], bookUrl, 'saving the rating moved to another address');
    const box = await page.locator('#ratings').innerText();
    assert.match(box, /\b1 rating\b/, `the ratings box does not count 1 rating: ${box}`);
    const average = (await page.locator('#ratings .average .big').innerText()).trim();
    assert.equal(Number(average), 4.5, `the average shown is "${average}", not 4.5`);
    assert.ok(
      await stars.getByRole('radio', { name: '4.5 stars', exact: true }).isChecked(),
      'the 4.5 choice is not shown as chosen after saving',
    );
  });

  await step('put the book on "Want to read" without leaving the page', async () => {
    await page.locator('#shelf-control summary').click();
    await page.getByRole('button', { name: /^Want to read/ }).click();
    await activity.filter({ hasText: '#1 in your queue' }).waitFor();
    assert.equal(
      await page.evaluate(() => window.__marker),
      1,
      'adding to the queue loaded a new page instead of updating the box in place',
    );
    await page.locator('#shelf-control summary.shelf-state').filter({ hasText: 'Want to read' }).waitFor();
  });

  await step('the signed-in book page still fits a phone', async () => {
    await noSidewaysScrolling(page, 'signed-in book page');
  });

  await step('an error page shows its request id', async () => {
    const res = await page.goto(`${base}/no/such/page`);
    assert.equal(res.status(), 404);
    await page.getByRole('heading', { name: /^Not found/ }).waitFor();
    const id = res.headers()['x-request-id'];
    assert.ok(id, 'the 404 has no x-request-id header');
    assert.ok((await page.locator('.request-id').innerText()).includes(id), 'the error page does not show its request id');
    await page.goto(bookUrl);
  });

  await step('save a phone-size screenshot of the book page', async () => {
    mkdirSync(dirname(screenshotPath), { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: screenshotPath, fullPage: true });
    console.log(`screenshot of the book page on a ${phone.width}x${phone.height} phone: ${screenshotPath}`);
  });

  await step('without JavaScript: sign in and change the rating to 3 stars', async () => {
    const plain = await browser.newContext({ viewport: phone, javaScriptEnabled: false });
    plain.setDefaultTimeout(timeout);
    page = await plain.newPage();
    watchPolicies(page);
    await page.goto(`${base}/login`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.goto(bookUrl);
    const form = page.getByRole('group', { name: /^Rate this book/ });
    assert.ok(
      await form.getByRole('radio', { name: '4.5 stars', exact: true }).isChecked(),
      'the rating saved a moment ago (4.5) is not shown as chosen',
    );
    await form.locator('label[for="rate-6"]').click();
    const navigated = page.waitForEvent('framenavigated', (f) => f === page.mainFrame());
    await form.getByRole('button', { name: 'Save rating' }).click();
    await navigated;
    await page.waitForLoadState('load');
    assert.equal(page.url().split('?')[0].split('#')[0], bookUrl, 'after saving, the browser is not back on the book page');
    await page.locator('#flash').filter({ hasText: 'Your rating is saved.' }).waitFor();
    const box = page.locator('#activity');
    await box.filter({ hasText: '(you gave 3 stars)' }).waitFor();
    const text = await page.locator('#ratings').innerText();
    assert.match(text, /\b1 rating\b/, `changing my rating should not add a second one: ${text}`);
    const average = (await page.locator('#ratings .average .big').innerText()).trim();
    assert.equal(Number(average), 3, `the average shown is "${average}", not 3`);
    await plain.close();
  });

  await step('no page broke the Content-Security-Policy or the Permissions-Policy', async () => {
    assert.deepEqual(policyComplaints, [], `the browser complained:\n${policyComplaints.join('\n')}`);
  });
} catch (e) {
  exitCode = 1;
  console.error(`FAILED at step "${current}": ${e.message}`);
  if (page) {
    try {
      mkdirSync(dirname(failureShot), { recursive: true });
      await page.screenshot({ path: failureShot, fullPage: true });
      console.error(`the page at ${page.url()} when it failed: ${failureShot}`);
    } catch {
      // The failure itself is what matters.
    }
  }
} finally {
  await browser.close();
}
process.exit(exitCode);
