// The book page in headless Chromium: rating and shelving with JavaScript
// off and on, the keyboard-only journey of issue 6, and screenshots.
//
//   node book.mjs BASE_URL SCREENSHOT_DIR
//
// crates/quire/tests/browser.rs starts a server with Pride and Prejudice in
// its catalog and runs this script. Each check names its step; the first
// failing check stops the script with a non-zero exit.

import { chromium } from 'playwright-core';
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { current, launch, step } from './lib.mjs';

const base = (process.argv[2] ?? '').replace(/\/$/, '');
const shots = process.argv[3] ?? 'screenshots';
if (!base.startsWith('http')) {
  console.error('usage: node book.mjs BASE_URL SCREENSHOT_DIR');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const phone = { width: 390, height: 844 };
const desktop = { width: 1366, height: 900 };
const timeout = 15_000;
const password = 'a long enough password';


const browser = await launch();

async function joinAs(page, username) {
  await page.goto(`${base}/register`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByLabel('The same password again').fill(password);
  await page.getByRole('button', { name: 'Join' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/register'));
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

async function signIn(page, username) {
  await page.goto(`${base}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

// The words on the primary control: the state summary, or "Want to read".
async function shelfState(page) {
  const summary = page.locator('#shelf-control summary.shelf-state');
  if (await summary.count()) {
    // What is drawn: the hint for screen readers left out.
    return summary.evaluate((el) => {
      const c = el.cloneNode(true);
      c.querySelectorAll('.visually-hidden').forEach((h) => h.remove());
      return c.textContent.replace('✓', '').trim();
    });
  }
  return (await page.locator('#shelf-control .shelf-main button').innerText()).trim() + ' (button)';
}

async function checkedStars(page) {
  return page.evaluate(() => document.querySelector('.star-input input:checked')?.value ?? null);
}

// The focused element, and whether a focus ring is drawn for it: its own
// outline, or (for a star, whose radio is hidden) its label's.
async function focusInfo(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { tag: 'body', visible: false };
    let shown = el;
    if (el.matches('.star-input input')) shown = document.querySelector(`label[for="${el.id}"]`);
    const cs = getComputedStyle(shown);
    const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2;
    const r = shown.getBoundingClientRect();
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      type: el.type ?? '',
      value: el.value ?? '',
      text: (el.innerText || el.getAttribute('aria-label') || el.value || '').trim().slice(0, 80),
      href: el.getAttribute('href') ?? '',
      visible: outline && r.width > 0 && r.height > 0,
      outline: `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}`,
    };
  });
}

async function assertFocusVisible(page, where) {
  const f = await focusInfo(page);
  assert.ok(f.visible, `${where}: the focused <${f.tag}${f.id ? '#' + f.id : ''}> "${f.text}" has no visible focus ring (outline: ${f.outline})`);
  return f;
}

// Press Tab (or Shift+Tab) until `wanted(focus)` holds, checking at every
// stop that focus can be seen.
async function tabTo(page, what, wanted, { back = false, limit = 80 } = {}) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focusInfo(page);
    if (f.tag !== 'body') await assertFocusVisible(page, `tabbing to ${what}`);
    if (wanted(f)) return f;
  }
  throw new Error(`${limit} presses of ${back ? 'Shift+Tab' : 'Tab'} never reached ${what}`);
}

let page;
let exitCode = 0;
try {
  const context = await browser.newContext({ viewport: phone, deviceScaleFactor: 1 });
  context.setDefaultTimeout(timeout);
  page = await context.newPage();

  let bookUrl;
  await step('find Pride and Prejudice', async () => {
    await page.goto(`${base}/search?q=Pride`);
    await page.getByRole('link', { name: 'Pride and Prejudice', exact: true }).first().click();
    await page.waitForURL(/\/books\//);
    bookUrl = page.url().split('#')[0];
  });

  await step('signed out: rating and "Want to read" are on the first screen of a phone', async () => {
    const signIn = page.getByRole('link', { name: 'Sign in to rate this book' });
    const want = page.locator('#activity').getByRole('link', { name: 'Want to read' });
    for (const [what, l] of [['the rating link', signIn], ['"Want to read"', want]]) {
      const box = await l.boundingBox();
      assert.ok(box && box.y + box.height <= phone.height, `${what} ends at ${box && box.y + box.height}px, below the ${phone.height}px screen`);
    }
    await page.screenshot({ path: join(shots, 'book-journey-390.png'), fullPage: true });
    await page.setViewportSize(desktop);
    await page.screenshot({ path: join(shots, 'book-journey-1366.png'), fullPage: true });
    await page.setViewportSize(phone);
  });

  const username = `stars${Date.now().toString(36)}`;
  await step(`join as ${username}`, async () => {
    await joinAs(page, username);
  });

  await step('with JavaScript: tapping a half star saves it in place and says so', async () => {
    await page.goto(bookUrl);
    const star = page.locator('#activity .star-input');
    const box = await star.boundingBox();
    const shelf = await page.locator('#shelf-control').boundingBox();
    assert.ok(box.y + box.height <= phone.height && shelf.y + shelf.height <= phone.height, `the stars (to ${box.y + box.height}px) and the shelf button (to ${shelf.y + shelf.height}px) should be on the first ${phone.height}px`);
    const labels = await page.locator('.star-input label.half').evaluateAll((ls) => ls.map((l) => l.getBoundingClientRect()).map((r) => [r.width, r.height]));
    assert.equal(labels.length, 10, 'ten half stars');
    for (const [w, h] of labels) assert.ok(w >= 24 && h >= 44, `a half star is ${w}x${h}px; at least 24x44 wanted`);
    const ratings = async () => Number(((await page.locator('#ratings').innerText()).match(/(\d+) ratings?\b/) ?? [0, 0])[1]);
    const before = await ratings();
    await page.evaluate(() => { window.__stay = 1; });
    await page.locator('label[for="rate-8"]').click();
    await page.locator('#flash').filter({ hasText: 'Saved: you gave this book 4 stars.' }).waitFor();
    assert.equal(await page.evaluate(() => window.__stay), 1, 'rating loaded a new page instead of saving in place');
    assert.equal(await checkedStars(page), '4');
    assert.equal((await page.locator('#my-rating').innerText()).trim(), '(you gave 4 stars)');
    assert.equal(await shelfState(page), 'Read', 'a rated book on no shelf counts as read');
    assert.equal(await ratings(), before + 1, 'the ratings box counts the new rating');
    assert.equal(await page.getByRole('radio', { name: '4 stars', exact: true }).isChecked(), true, 'the radio is named "4 stars"');
  });

  await step('with JavaScript: the shelf menu puts the book on "Want to read" in place', async () => {
    await page.locator('#shelf-control summary').click();
    await page.getByRole('button', { name: /^Want to read/ }).click();
    await page.locator('#flash').filter({ hasText: 'Added to Want to read.' }).waitFor();
    assert.equal(await page.evaluate(() => window.__stay), 1, 'shelving loaded a new page');
    assert.equal(await shelfState(page), 'Want to read');
    await page.locator('#shelf-control summary').click();
    await page.screenshot({ path: join(shots, 'book-journey-menu-390.png') });
    await page.locator('#shelf-control summary').click();
    await page.screenshot({ path: join(shots, 'book-journey-signed-in-390.png'), fullPage: true });
    await page.setViewportSize(desktop);
    await page.screenshot({ path: join(shots, 'book-journey-signed-in-1366.png'), fullPage: true });
    await page.setViewportSize(phone);
  });

  await step('without JavaScript: rate 2.5, clear, rate again and shelve; each saved after a reload', async () => {
    const plain = await browser.newContext({ viewport: phone, javaScriptEnabled: false });
    plain.setDefaultTimeout(timeout);
    const p = await plain.newPage();
    await signIn(p, username);
    await p.goto(bookUrl);
    assert.equal(await checkedStars(p), '4', 'the rating saved with JavaScript is shown');
    await p.locator('label[for="rate-5"]').click();
    await p.getByRole('button', { name: 'Save rating' }).click();
    await p.waitForURL(/done=rated/);
    assert.match(await p.locator('#flash').innerText(), /Your rating is saved\./);
    await p.reload();
    assert.equal(await checkedStars(p), '2.5', 'after a reload the rating is 2.5');
    await p.locator('label[for="rate-clear"]').click();
    await p.getByRole('button', { name: 'Save rating' }).click();
    await p.waitForURL(/done=unrated/);
    await p.goto(bookUrl);
    assert.equal(await checkedStars(p), 'clear', 'the rating is cleared');
    assert.equal((await p.locator('#my-rating').innerText()).trim(), '(not rated yet)');
    // Shelving: the menu is a <details>, so it opens without a script.
    await p.locator('#shelf-control summary').click();
    await p.getByRole('button', { name: /^Did not finish/ }).click();
    await p.waitForURL(/done=dnf/);
    await p.goto(bookUrl);
    assert.equal(await shelfState(p), 'Did not finish');
    await p.locator('#shelf-control summary').click();
    await p.getByLabel('New shelf').fill('Summer by the sea');
    await p.getByRole('button', { name: 'Add', exact: true }).click();
    await p.waitForURL(/done=shelved/);
    await p.locator('#shelf-control summary').click();
    assert.equal(await p.getByRole('button', { name: 'Summer by the sea' }).getAttribute('aria-pressed'), 'true');
    await p.getByRole('button', { name: /^Remove from my shelves/ }).click();
    await p.waitForURL(/done=removed/);
    await p.goto(bookUrl);
    assert.equal(await shelfState(p), 'Want to read (button)', 'removed from every shelf');
    await plain.close();
  });

  await step('keyboard only: from the home page, find the book with the search box', async () => {
    const kctx = await browser.newContext({ viewport: desktop });
    kctx.setDefaultTimeout(timeout);
    page = await kctx.newPage();
    // The same reader, whose rating and shelves were cleared above.
    await signIn(page, username);
    page.__user = username;
    await page.goto(`${base}/`);
    await tabTo(page, 'the search box', (f) => f.tag === 'input' && f.type === 'search');
    await page.keyboard.type('Pride and Prejudice');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/search\?/);
    await tabTo(page, 'the book in the results', (f) => f.tag === 'a' && f.href.includes('/books/') && f.text.includes('Pride and Prejudice'));
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/books\//);
  });

  await step('keyboard only: rate it 3.5 with the arrow keys', async () => {
    const f = await tabTo(page, 'the stars', (x) => x.tag === 'input' && x.type === 'radio' && x.id.startsWith('rate-'));
    assert.equal(f.id, 'rate-clear', 'the group is entered on its chosen value, "no rating"');
    await page.evaluate(() => { window.__stay = 1; });
    for (let i = 0; i < 7; i++) {
      await page.keyboard.press('ArrowRight');
      await assertFocusVisible(page, `arrow ${i + 1}`);
    }
    const at = await focusInfo(page);
    assert.equal(at.value, '3.5', 'seven steps right of "no rating" is 3.5 stars');
    await page.locator('#flash').filter({ hasText: 'Saved: you gave this book 3.5 stars.' }).waitFor();
    assert.equal(await page.evaluate(() => window.__stay), 1, 'rating left the page');
    const still = await assertFocusVisible(page, 'after saving');
    assert.equal(still.id, 'rate-7', 'focus stays on the chosen star after saving');
    assert.equal(await page.getByRole('radio', { name: '3.5 stars' }).isChecked(), true);
  });

  await step('keyboard only: put it on "currently reading" at page 50', async () => {
    await tabTo(page, 'the shelf menu', (f) => f.tag === 'summary');
    await page.keyboard.press('Enter');
    await tabTo(page, 'the page field', (f) => f.id === 'progress-value');
    await page.keyboard.type('50');
    await page.keyboard.press('Enter');
    await page.locator('#flash').filter({ hasText: 'Your progress is saved.' }).waitFor();
    const f = await assertFocusVisible(page, 'after saving the progress');
    assert.equal(f.tag, 'summary', `focus returns to the shelf button, not <${f.tag}>`);
    assert.match(await shelfState(page), /^Reading · (page 50|\d+%)$/);
  });

  await step('keyboard only: open the profile, which lists the book at page 50', async () => {
    await tabTo(page, 'the link to my profile', (f) => f.tag === 'a' && f.href === `/people/${page.__user}`, { back: true });
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/people\//);
    const text = await page.locator('main').innerText();
    assert.match(text, /Pride and Prejudice/);
    assert.match(text, /Reading · p\. 50\b/);
  });
} catch (e) {
  exitCode = 1;
  console.error(`FAILED at step "${current}": ${e.message}`);
  if (page) {
    try {
      await page.screenshot({ path: join(shots, 'book-failure.png'), fullPage: true });
      console.error(`the page at ${page.url()} when it failed: ${join(shots, 'book-failure.png')}`);
    } catch {
      // The failure itself is what matters.
    }
  }
} finally {
  await browser.close();
}
process.exit(exitCode);
