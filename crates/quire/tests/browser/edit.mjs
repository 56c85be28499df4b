// Keeping the catalog in headless Chromium: a librarian edits a book, finds
// the change in its history and reverts it; a member proposes an edit that
// the librarian accepts.
//
//   node edit.mjs BASE_URL LIBRARIAN PASSWORD SCREENSHOT_DIR
//
// crates/quire/tests/browser.rs starts a server with Pride and Prejudice in
// its catalog and an account that may edit it, then runs this script.
// Screenshots at 390 px and 1366 px go to SCREENSHOT_DIR.

import { chromium } from 'playwright-core';
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';

const [base0, librarian, password, shots] = process.argv.slice(2);
const base = (base0 ?? '').replace(/\/$/, '');
if (!base.startsWith('http') || !librarian || !password || !shots) {
  console.error('usage: node edit.mjs BASE_URL LIBRARIAN PASSWORD SCREENSHOT_DIR');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const phone = { width: 390, height: 844 };
const desk = { width: 1366, height: 900 };
const timeout = 15_000;

let current = '(starting)';
async function step(name, body) {
  current = name;
  const started = Date.now();
  await body();
  console.log(`ok   ${name} (${Date.now() - started} ms)`);
}

// The same page at both widths, whole length; the page is left at desk width.
async function shoot(page, name) {
  for (const [label, size] of [['390', phone], ['1366', desk]]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: `${shots}/${name}-${label}.png`, fullPage: true });
  }
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= desk.width + 1, `${name}: the page is ${wide}px wide`);
}

async function sidewaysFree(page, where) {
  await page.setViewportSize(phone);
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= phone.width + 1, `${where}: ${w}px wide on a ${phone.width}px phone, so it scrolls sideways`);
  await page.setViewportSize(desk);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

let exitCode = 0;
let lib;
try {
  const libCtx = await browser.newContext({ viewport: desk, deviceScaleFactor: 1 });
  libCtx.setDefaultTimeout(timeout);
  lib = await libCtx.newPage();
  let bookUrl;

  await step('the librarian signs in and opens Pride and Prejudice', async () => {
    await lib.goto(`${base}/login`);
    await lib.getByLabel('Username').fill(librarian);
    await lib.getByLabel('Password').fill(password);
    await lib.getByRole('button', { name: 'Sign in' }).click();
    await lib.goto(`${base}/search?q=Pride`);
    await lib.getByRole('link', { name: 'Pride and Prejudice', exact: true }).first().click();
    await lib.waitForURL(/\/books\//);
    bookUrl = lib.url().split('#')[0].split('?')[0];
  });

  await step('the librarian edits the subtitle', async () => {
    await lib.getByRole('link', { name: 'Edit this book' }).click();
    await lib.getByRole('heading', { level: 1, name: /Edit/ }).waitFor();
    await shoot(lib, 'edit-form');
    await sidewaysFree(lib, 'the edit form');
    await lib.getByLabel('Subtitle').fill('A Novel in Three Volumes');
    await lib.getByRole('button', { name: 'Save changes' }).click();
    const h1 = await lib.getByRole('heading', { level: 1 }).innerText();
    assert.ok(h1.includes('A Novel in Three Volumes'), `the title reads "${h1}" after the edit`);
  });

  await step('the history shows the change, and the librarian reverts it', async () => {
    await lib.getByRole('link', { name: 'History', exact: true }).click();
    await lib.getByRole('heading', { level: 1, name: /History of/ }).waitFor();
    const first = lib.locator('li.change').first();
    assert.ok((await first.innerText()).includes('Edited the subtitle'), 'the newest change is not the edit');
    assert.equal(await first.locator('ins').count(), 1, 'the new subtitle is not marked as inserted');
    await shoot(lib, 'history');
    await sidewaysFree(lib, 'the history');
    await first.getByRole('button', { name: 'Revert this change' }).click();
    await lib.getByRole('status').filter({ hasText: 'Reverted' }).waitFor();
    assert.ok((await lib.locator('li.change').first().innerText()).includes('Reverted the subtitle'));
    await lib.goto(bookUrl);
    const h1 = await lib.getByRole('heading', { level: 1 }).innerText();
    assert.ok(!h1.includes('A Novel in Three Volumes'), `the revert left "${h1}"`);
  });

  const memCtx = await browser.newContext({ viewport: phone, deviceScaleFactor: 1 });
  memCtx.setDefaultTimeout(timeout);
  const mem = await memCtx.newPage();

  await step('a member joins and proposes an edit', async () => {
    await mem.goto(`${base}/register`);
    await mem.locator('#username').fill('proposer');
    await mem.locator('#password').fill('correct horse battery');
    await mem.locator('#password_again').fill('correct horse battery');
    await mem.getByRole('button', { name: /Join/ }).click();
    await mem.goto(bookUrl);
    await mem.getByRole('link', { name: 'Edit this book' }).click();
    await mem.getByRole('button', { name: 'Propose this edit' }).waitFor();
    await mem.getByLabel('Subtitle').fill('A Novel');
    await mem.getByLabel(/Note for the librarian/).fill('As printed on the 1813 title page.');
    await mem.getByRole('button', { name: 'Propose this edit' }).click();
    await mem.getByRole('status').filter({ hasText: 'Your proposal is sent' }).waitFor();
    assert.ok((await mem.locator('.proposal').first().innerText()).includes('Waiting for a librarian'));
    await shoot(mem, 'my-proposals');
  });

  await step('the librarian accepts the proposal', async () => {
    await lib.goto(`${base}/catalog/proposals`);
    const p = lib.locator('li.proposal').filter({ hasText: 'As printed on the 1813 title page.' });
    await p.waitFor();
    await shoot(lib, 'proposals');
    await sidewaysFree(lib, 'the proposals');
    await p.getByRole('button', { name: 'Accept' }).click();
    await lib.getByRole('status').filter({ hasText: 'Accepted' }).waitFor();
    await lib.goto(bookUrl);
    const h1 = await lib.getByRole('heading', { level: 1 }).innerText();
    assert.ok(h1.includes('A Novel'), `after accepting, the title reads "${h1}"`);
    await shoot(lib, 'book-after');
    await lib.getByRole('link', { name: 'History', exact: true }).click();
    assert.ok((await lib.locator('li.change').first().innerText()).includes('accepted by'));
    await mem.goto(`${base}/catalog/proposals`);
    assert.ok((await mem.locator('.proposal').first().innerText()).includes('Accepted'));
  });
} catch (e) {
  exitCode = 1;
  console.error(`FAILED at step "${current}": ${e.message}`);
  if (lib) await lib.screenshot({ path: `${shots}/edit-failure.png`, fullPage: true }).catch(() => {});
} finally {
  await browser.close();
}
process.exit(exitCode);
