// The catalog's whole journey in headless Chromium: a member adds a new
// book with a cover (a wrong file first, refused beside the cover field
// with everything typed kept), the book page shows the uploaded cover; a
// librarian edits that book, finds the change in its history and reverts
// it; the member proposes an edit that the librarian accepts.
//
//   node add-edit.mjs BASE_URL LIBRARIAN PASSWORD SCREENSHOT_DIR COVER BAD_FILE
//
// crates/quire/tests/browser.rs starts a server with a librarian account,
// takes COVER out of a Project Gutenberg EPUB and writes BAD_FILE (a web
// page named .jpg), then runs this script. Screenshots at 390 px and
// 1366 px go to SCREENSHOT_DIR.

import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { current, launch, step } from './lib.mjs';

const [base0, librarian, password, shots, coverFile, badFile] = process.argv.slice(2);
const base = (base0 ?? '').replace(/\/$/, '');
if (!base.startsWith('http') || !librarian || !password || !shots || !coverFile || !badFile) {
  console.error('usage: node add-edit.mjs BASE_URL LIBRARIAN PASSWORD SCREENSHOT_DIR COVER BAD_FILE');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const phone = { width: 390, height: 844 };
const desk = { width: 1366, height: 900 };
const timeout = 15_000;
const title = 'The Lighthouse Ledger';


// The same page at both widths, whole length; neither scrolls sideways.
async function shoot(page, name) {
  for (const [label, size] of [['390', phone], ['1366', desk]]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: `${shots}/${name}-${label}.png`, fullPage: true });
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= size.width + 1, `${name}: ${wide}px wide on a ${size.width}px screen`);
  }
}

const browser = await launch();

let exitCode = 0;
let mem;
let lib;
try {
  const memCtx = await browser.newContext({ viewport: phone, deviceScaleFactor: 1 });
  memCtx.setDefaultTimeout(timeout);
  mem = await memCtx.newPage();
  let bookUrl;

  await step('a member joins and opens "Add a book"', async () => {
    await mem.goto(`${base}/register`);
    await mem.locator('#username').fill('bookadder');
    await mem.locator('#password').fill('correct horse battery');
    await mem.locator('#password_again').fill('correct horse battery');
    await mem.getByRole('button', { name: /Join/ }).click();
    await mem.goto(`${base}/books/new`);
    await mem.getByRole('heading', { level: 1, name: 'Add a book' }).waitFor();
  });

  await step('a wrong file is refused beside the cover field, and nothing typed is lost', async () => {
    await mem.getByLabel('Title', { exact: true }).fill(title);
    await mem.getByLabel('Subtitle').fill('Notes from a Northern Light');
    await mem.locator('#contributor-1').fill('Wren Calloway');
    await mem.getByLabel('Format').selectOption('hardcover');
    await mem.getByLabel(/^Pages/).fill('288');
    await mem.getByLabel(/^Publisher/).fill('Tidewater Press');
    await mem.getByLabel(/^Published/).fill('May 2024');
    await mem.getByLabel(/picture of the cover/).setInputFiles(badFile);
    await mem.getByRole('button', { name: 'Add this book' }).click();
    const err = mem.locator('#cover-error');
    await err.waitFor();
    assert.match(await err.innerText(), /JPEG, PNG or WebP/, 'the reason names the formats taken');
    assert.equal(await mem.locator('#cover').getAttribute('aria-describedby'), 'cover-error');
    assert.equal(await mem.getByLabel('Title', { exact: true }).inputValue(), title);
    assert.equal(await mem.getByLabel('Subtitle').inputValue(), 'Notes from a Northern Light');
    assert.equal(await mem.locator('#contributor-1').inputValue(), 'Wren Calloway');
    assert.equal(await mem.getByLabel('Format').inputValue(), 'hardcover');
    assert.equal(await mem.getByLabel(/^Pages/).inputValue(), '288');
    assert.equal(await mem.getByLabel(/^Publisher/).inputValue(), 'Tidewater Press');
    await shoot(mem, 'add-book-error');
  });

  await step('the member chooses the real cover and adds the book', async () => {
    await mem.setViewportSize(phone);
    await mem.getByLabel(/picture of the cover/).setInputFiles(coverFile);
    await mem.getByRole('button', { name: 'Add this book' }).click();
    await mem.waitForURL(/\/books\/[0-9a-f-]{36}/);
    bookUrl = mem.url().split('#')[0].split('?')[0];
    const h1 = await mem.getByRole('heading', { level: 1 }).innerText();
    assert.ok(h1.includes(title), `the new page's heading reads "${h1}"`);
  });

  await step('the book page shows the uploaded cover, served and decoded', async () => {
    // The thumbnails are a background job; the page shows the stored cover
    // once they are made.
    const img = mem.locator('.book-cover img');
    const deadline = Date.now() + 20_000;
    while (await img.count() === 0) {
      assert.ok(Date.now() < deadline, 'the stored cover never replaced the drawn one');
      await mem.waitForTimeout(300);
      await mem.reload();
    }
    await img.scrollIntoViewIfNeeded();
    const shown = await img.evaluate(async (el) => {
      await el.decode();
      return { w: el.naturalWidth, h: el.naturalHeight, src: el.getAttribute('src') };
    });
    assert.ok(shown.w > 100 && shown.h > 150, `the cover decodes at ${shown.w}×${shown.h}`);
    assert.match(shown.src, /^\/covers\/[0-9a-f-]{36}\?size=page$/);
    const original = await mem.request.get(`${base}${shown.src.split('?')[0]}`);
    assert.equal(original.status(), 200);
    assert.equal(original.headers()['content-type'], 'image/jpeg');
    assert.ok((await original.body()).length > 10_000, 'the original cover is served whole');
    await shoot(mem, 'new-book');
  });

  const libCtx = await browser.newContext({ viewport: desk, deviceScaleFactor: 1 });
  libCtx.setDefaultTimeout(timeout);
  lib = await libCtx.newPage();

  await step('a librarian signs in and edits the new book', async () => {
    await lib.goto(`${base}/login`);
    await lib.getByLabel('Username').fill(librarian);
    await lib.getByLabel('Password').fill(password);
    await lib.getByRole('button', { name: 'Sign in' }).click();
    await lib.goto(bookUrl);
    await lib.getByRole('link', { name: 'Edit this book' }).click();
    await lib.getByRole('heading', { level: 1, name: /Edit/ }).waitFor();
    await lib.getByLabel('Subtitle').fill('Notes from the Northern Light');
    await lib.getByRole('button', { name: 'Save changes' }).click();
    const h1 = await lib.getByRole('heading', { level: 1 }).innerText();
    assert.ok(h1.includes('Notes from the Northern Light'), `the title reads "${h1}" after the edit`);
  });

  await step('the history shows the change, and the librarian reverts it', async () => {
    await lib.getByRole('link', { name: 'History', exact: true }).click();
    await lib.getByRole('heading', { level: 1, name: /History of/ }).waitFor();
    const first = lib.locator('li.change').first();
    const text = await first.innerText();
    assert.ok(text.includes('Edited the subtitle'), `the newest change reads "${text}"`);
    assert.ok(text.includes('Notes from the Northern Light'), 'the new value is shown');
    assert.equal(await first.locator('ins').count(), 1, 'the new subtitle is not marked as inserted');
    await first.getByRole('button', { name: 'Revert this change' }).click();
    await lib.getByRole('status').filter({ hasText: 'Reverted' }).waitFor();
    assert.ok((await lib.locator('li.change').first().innerText()).includes('Reverted the subtitle'));
    await lib.goto(bookUrl);
    const h1 = await lib.getByRole('heading', { level: 1 }).innerText();
    assert.ok(h1.includes('Notes from a Northern Light'), `the revert left "${h1}"`);
  });

  await step('the member proposes an edit to the book', async () => {
    await mem.goto(bookUrl);
    await mem.getByRole('link', { name: 'Edit this book' }).click();
    await mem.getByRole('button', { name: 'Propose this edit' }).waitFor();
    await mem.getByLabel('Subtitle').fill('Notes from a Northern Lighthouse');
    await mem.getByLabel(/Note for the librarian/).fill('As printed on the jacket.');
    await mem.getByRole('button', { name: 'Propose this edit' }).click();
    await mem.getByRole('status').filter({ hasText: 'Your proposal is sent' }).waitFor();
    assert.ok((await mem.locator('.proposal').first().innerText()).includes('Waiting for a librarian'));
  });

  await step('the librarian accepts it, and the book and its history show it', async () => {
    await lib.goto(`${base}/catalog/proposals`);
    const p = lib.locator('li.proposal').filter({ hasText: 'As printed on the jacket.' });
    await p.waitFor();
    await p.getByRole('button', { name: 'Accept' }).click();
    await lib.getByRole('status').filter({ hasText: 'Accepted' }).waitFor();
    await lib.goto(bookUrl);
    const h1 = await lib.getByRole('heading', { level: 1 }).innerText();
    assert.ok(h1.includes('Notes from a Northern Lighthouse'), `after accepting, the title reads "${h1}"`);
    await lib.getByRole('link', { name: 'History', exact: true }).click();
    assert.ok((await lib.locator('li.change').first().innerText()).includes('accepted by'));
    await mem.goto(`${base}/catalog/proposals`);
    assert.ok((await mem.locator('.proposal').first().innerText()).includes('Accepted'));
  });
} catch (e) {
  exitCode = 1;
  console.error(`FAILED at step "${current}": ${e.message}`);
  for (const [who, page] of [['member', mem], ['librarian', lib]]) {
    if (page) await page.screenshot({ path: `${shots}/add-edit-failure-${who}.png`, fullPage: true }).catch(() => {});
  }
} finally {
  await browser.close();
}
process.exit(exitCode);
