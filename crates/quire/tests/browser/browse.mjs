// Browsing in headless Chromium: the home page, search, a book's author,
// series and subject pages, joining with mistakes and signing in, each
// shot at 390 px and 1366 px.
//
//   node browse.mjs BASE_URL SCREENSHOT_DIR
//
// crates/quire/tests/browser.rs starts a server with the goodbooks subset
// (series, subjects, ratings) and the demo readers' reviews, then runs this.

import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { current, launch, step } from './lib.mjs';

const [base0, shots] = process.argv.slice(2);
const base = (base0 ?? '').replace(/\/$/, '');
if (!base.startsWith('http') || !shots) {
  console.error('usage: node browse.mjs BASE_URL SCREENSHOT_DIR');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const phone = { width: 390, height: 844 };
const desk = { width: 1366, height: 900 };
const timeout = 15_000;


// The page at both widths, whole length, after checking that the phone
// width does not scroll sideways; the page is left at desk width.
async function shoot(page, name) {
  await page.setViewportSize(phone);
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= phone.width + 1, `${name}: ${w}px wide on a ${phone.width}px phone`);
  await page.screenshot({ path: `${shots}/${name}-390.png`, fullPage: true });
  await page.setViewportSize(desk);
  await page.screenshot({ path: `${shots}/${name}-1366.png`, fullPage: true });
}

// Every card on the page is one link: one tab stop.
async function oneLinkPerCard(page, where) {
  const counts = await page.$$eval('li.card', cards => cards.map(c => c.querySelectorAll('a, button, input').length));
  assert.ok(counts.length > 0, `${where}: no cards`);
  assert.ok(counts.every(n => n === 1), `${where}: cards with ${counts.join(',')} focusable parts`);
}

const browser = await launch();

let exitCode = 0;
try {
  const context = await browser.newContext({ viewport: desk });
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);

  await step('the home page says what Quire is, with one search box and a way in', async () => {
    await page.goto(`${base}/`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    assert.equal(await page.locator('input[type=search]').count(), 1, 'one search box');
    assert.ok(await page.getByRole('link', { name: /Join Quire/ }).isVisible());
    for (const h of ['Members are reading now', 'Best rated by members', 'Recent reviews']) {
      assert.ok(await page.getByRole('heading', { name: h }).isVisible(), h);
    }
    assert.ok(await page.locator('.review-card').count() > 0, 'recent reviews');
    await oneLinkPerCard(page, 'home');
    await shoot(page, 'home');
  });

  await step('search finds books from the hero box', async () => {
    await page.getByLabel('Find a book by title, author or ISBN').fill('night');
    await page.getByLabel('Find a book by title, author or ISBN').press('Enter');
    await page.waitForURL(/\/search\?q=/);
    await oneLinkPerCard(page, 'search');
    assert.equal(await page.locator('input[type=search]').count(), 1, 'one search box');
    await shoot(page, 'search');
  });

  let bookUrl;
  await step('a book in a series links to its series, in order', async () => {
    await page.goto(`${base}/search?q=hunger+games`);
    await page.getByRole('link', { name: 'The Hunger Games', exact: true }).first().click();
    await page.waitForURL(/\/books\//);
    bookUrl = page.url();
    await page.locator('p.series a').click();
    await page.waitForURL(/\/series\//);
    const places = await page.locator('.series-item .place').allTextContents();
    assert.ok(places.length >= 2, `places: ${places}`);
    assert.deepEqual(places.slice(0, 3), ['Book 1', 'Book 2', 'Book 3'].slice(0, Math.min(3, places.length)));
    assert.ok(await page.getByText('Sign in').first().isVisible());
  });

  await step('the author page lists their books with ratings', async () => {
    await page.goto(bookUrl);
    await page.locator('.byline a').first().click();
    await page.waitForURL(/\/authors\//);
    assert.equal((await page.locator('h1').textContent()).trim(), 'Suzanne Collins');
    assert.ok(await page.locator('.star-meter').count() > 0, 'ratings shown');
    await oneLinkPerCard(page, 'author');
    await shoot(page, 'author');
  });

  await step('a subject page sorts by rating', async () => {
    // A best-rated book (the goodbooks subset carries its readers' shelves
    // as subjects).
    await page.goto(`${base}/`);
    await page.locator('section[aria-labelledby=best-h] .card-link').first().click();
    await page.waitForURL(/\/books\//);
    await page.locator('ul.tags a').first().click();
    await page.waitForURL(/\/subjects\//);
    await page.getByRole('link', { name: 'Highest rated' }).click();
    await page.waitForURL(/sort=rating/);
    assert.equal(await page.locator('.sort-menu a[aria-current]').textContent(), 'Highest rated');
    await oneLinkPerCard(page, 'subject');
    await shoot(page, 'subject');
  });

  await step('joining with mistakes shows every one beside its field', async () => {
    await page.goto(`${base}/register`);
    await page.getByLabel(/^Username/).fill('ab');
    await page.getByLabel(/^Name shown to others/).fill('Browse Tester');
    await page.getByLabel(/^Password/).fill('short');
    await page.getByLabel('The same password again').fill('different');
    // The server's checks, not the browser's, are what is shown here.
    await page.$eval('form.stack', f => { f.noValidate = true; });
    await page.getByRole('button', { name: 'Join' }).click();
    await page.locator('.field-error').first().waitFor();
    assert.equal(await page.locator('.field-error').count(), 3, 'username, password, again');
    assert.equal(await page.locator('[aria-invalid=true]').count(), 3);
    await shoot(page, 'join');
  });

  await step('signing in with empty fields names both', async () => {
    await page.goto(`${base}/login`);
    await page.$eval('form.stack', f => { f.noValidate = true; });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.field-error').first().waitFor();
    assert.equal(await page.locator('.field-error').count(), 2);
    await shoot(page, 'signin');
  });

  await step('a member sees their progress through the series', async () => {
    await page.goto(`${base}/register`);
    await page.getByLabel(/^Username/).fill(`reader${Date.now() % 1000000}`);
    await page.getByLabel(/^Password/).fill('a long enough password');
    await page.getByLabel('The same password again').fill('a long enough password');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.waitForURL(/\/people\//);
    // Rating a book on none of one's shelves puts it on "read".
    const id = new URL(bookUrl).pathname.split('/')[2];
    const r = await page.request.post(`${base}/api/v1/books/${id}/rating`, { data: { stars: 4.5 } });
    assert.ok(r.ok(), `rating: ${r.status()}`);
    await page.goto(bookUrl);
    await page.locator('p.series a').click();
    await page.waitForURL(/\/series\//);
    const line = await page.locator('.series-progress').textContent();
    assert.match(line, /You have read 1 of \d+/);
    await shoot(page, 'series');
  });

  await step('signed in, the home page has no visitor call to action', async () => {
    await page.goto(`${base}/`);
    assert.equal(await page.getByRole('link', { name: /Join Quire/ }).isVisible(), false);
  });
} catch (e) {
  console.error(`FAILED at "${current}":`, e);
  exitCode = 1;
} finally {
  await browser.close();
}
process.exit(exitCode);
