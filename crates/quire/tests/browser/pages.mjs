// The accessibility harness: every page in PAGES, at 390 px and 1366 px, in
// the light and the dark theme, checked by axe-core against WCAG 2.2 AA, with
// a screenshot of each; then a keyboard walk through the home page checking
// that the skip link works and that every element focused shows a focus ring.
//
//   node pages.mjs BASE_URL MEMBER LIBRARIAN PASSWORD SCREENSHOT_DIR
//
// crates/quire/tests/browser.rs starts a server with a small demo (Pride and
// Prejudice, a few hundred goodbooks titles, the two Goodreads exports as
// readers `reader2024` and `drrodriguez`), a member account and an
// administrator's (both with PASSWORD), then runs this script. Before the
// pages are checked, the member rates, starts and reviews Pride and
// Prejudice and proposes an edit to it, and the administrator edits it, so
// the pages show those parts too. It prints the number of violations per page and theme, and
// exits non-zero when there is any, listing each one.

import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { current, launch, step } from './lib.mjs';

// ---------------------------------------------------------------------------
// The pages. One line per page; add a page by adding a line. Each is also
// checked to fit a 390 px phone without sideways scrolling, and walked with
// the Tab key to check that every stop shows its focus.
//
//   name   the screenshot's name: SCREENSHOT_DIR/<name>-<width>[-dark].png
//   path   the address; {book}, {series_book}, {reader}, {member} and {librarian} are filled in
//          (below, `findPlaceholders`)
//   via    [page, prefix] instead of path: open `page`, then follow its first
//          link whose address starts with `prefix` (e.g. an author's page
//          from the book page, whatever its id)
//   as     'member' or 'librarian' to be signed in as that account (the
//          librarian is an administrator)
//   status the HTTP status expected (200 when not given)
//   then   what a reader does on the page before it is checked
//   check  further assertions about the page
// ---------------------------------------------------------------------------
const PAGES = [
  { name: 'home', path: '/' },
  { name: 'search', path: '/search?q=pride' },
  { name: 'search-nothing', path: '/search?q=zzxqv' },
  { name: 'book', path: '/books/{book}', check: jumpToIsANav },
  { name: 'book-signed-in', path: '/books/{book}', as: 'member' },
  { name: 'book-in-series', path: '/books/{series_book}' },
  { name: 'profile', path: '/people/{reader}' },
  { name: 'profile-own', path: '/people/{member}', as: 'member' },
  { name: 'book-clubs', path: '/books/{book}/clubs', as: 'member' },
  { name: 'join', path: '/register' },
  { name: 'join-errors', path: '/register', then: joinWithMistakes, status: 422 },
  { name: 'sign-in', path: '/login' },
  { name: 'password', path: '/account/password', as: 'member' },
  { name: 'api-tokens', path: '/account/tokens', as: 'member' },
  { name: 'api', path: '/api' },
  { name: 'add-book', path: '/books/new', as: 'member' },
  { name: 'edit', path: '/books/{book}/edit', as: 'member' },
  { name: 'edit-librarian', path: '/books/{book}/edit', as: 'librarian' },
  { name: 'book-history', path: '/books/{book}/history' },
  { name: 'proposals-librarian', path: '/catalog/proposals', as: 'librarian' },
  { name: 'merge', path: '/books/{book}/merge', as: 'librarian' },
  { name: 'duplicates', path: '/catalog/duplicates', as: 'librarian' },
  { name: 'people-admin', path: '/admin/people?q=read', as: 'librarian' },
  { name: 'not-found', path: '/no/such/page', status: 404 },
  { name: 'sign-in-needed', path: '/books/new', status: 401 },
  { name: 'forbidden', path: '/admin/people', as: 'member', status: 403 },
  // Browsing and a reader's own pages (issue 6).
  { name: 'author', via: ['/books/{book}', '/authors/'] },
  { name: 'series', via: ['/books/{series_book}', '/series/'] },
  { name: 'subject', via: ['/books/{series_book}', '/subjects/'] },
  { name: 'stats', path: '/people/{reader}/stats' },
  { name: 'year', path: '/people/{reader}/year/2023' },
  { name: 'shelf', path: '/people/{reader}/shelves/read' },
  { name: 'shelf-list', path: '/people/{reader}/shelves/read?view=list' },
  { name: 'reviews', path: '/people/{reader}/reviews' },
  // Clubs (issue 7).
  { name: 'clubs', path: '/clubs' },
  { name: 'club', path: '/clubs/the-lamplight-readers' },
  { name: 'club-private', path: '/clubs/slow-readers-circle' },
  { name: 'club-new', path: '/clubs/new', as: 'member' },
  // Reading insights (issue 8): the demo attaches Pride and Prejudice's text.
  { name: 'insights', path: '/books/{book}/insights' },
  { name: 'insights-everything', path: '/books/{book}/insights?reveal=all', as: 'member' },
  { name: 'flashcards', path: '/books/{book}/cards', as: 'member' },
  { name: 'meeting', via: ['/clubs/the-lamplight-readers', '/clubs/the-lamplight-readers/meetings/'] },
  // Your data (issue 9): imports and exports.
  { name: 'your-data', path: '/account/data', as: 'member' },
  // The administrator has shelved nothing: their own page offers the import.
  { name: 'profile-new', path: '/people/{librarian}', as: 'librarian', check: offersImport },
  { name: 'import-preview', path: '/account/data', as: 'member', then: uploadExport, check: previewListsRows },
];

const WIDTHS = [
  ['390', { width: 390, height: 844 }],
  ['1366', { width: 1366, height: 900 }],
];
const THEMES = ['light', 'dark'];
// WCAG 2.0, 2.1 and 2.2 at levels A and AA.
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

const [base0, member, librarian, password, shots] = process.argv.slice(2);
const base = (base0 ?? '').replace(/\/$/, '');
if (!base.startsWith('http') || !member || !librarian || !password || !shots) {
  console.error('usage: node pages.mjs BASE_URL MEMBER LIBRARIAN PASSWORD SCREENSHOT_DIR');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const timeout = 20_000;
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// ---------------------------------------------------------------------------
// What a reader does on some pages, and what else is checked there.

// Join with every field wrong at once (the browser's own checks are turned
// off so that the server's messages show), so the errors are checked too.
async function joinWithMistakes(page) {
  await page.getByLabel(/^Username/).fill('no spaces allowed');
  await page.getByLabel(/^Password/).fill('short');
  await page.getByLabel('The same password again').fill('different');
  await page.locator('form.stack').evaluate((f) => { f.noValidate = true; });
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Join' }).click(),
  ]);
  await page.waitForLoadState();
  return res;
}

// A real Goodreads export from the shared data, uploaded through the form:
// the page it ends on is the preview.
const EXPORT = new URL('../../../../../shared/data/reading-exports/goodreads/goodreads_export_2020_31col_MIT.csv', import.meta.url);

async function uploadExport(page) {
  await page.getByLabel(/^Your export file/).setInputFiles(EXPORT.pathname);
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/account/import/') && r.request().method() === 'GET'),
    page.getByRole('button', { name: 'Upload and preview' }).click(),
  ]);
  await page.waitForLoadState();
  return res;
}

async function offersImport(page) {
  await page.getByRole('link', { name: 'Import my reading history' }).waitFor();
}

async function previewListsRows(page) {
  await page.getByText('Nothing is saved yet').waitFor();
  await page.getByText('326 rows').waitFor();
  await page.getByRole('button', { name: 'Import my books' }).waitFor();
}

// "Jump to" names the book page's section links; it is not a heading.
async function jumpToIsANav(page) {
  await page.getByRole('navigation', { name: 'Jump to' }).waitFor();
  const headings = await page.getByRole('heading', { name: 'Jump to' }).count();
  assert.equal(headings, 0, '"Jump to" is a heading on the book page; it should only name its nav');
}

// ---------------------------------------------------------------------------


// A step whose failure is reported at the end, so that one broken page does
// not hide the state of the others.
const failures = [];
async function check(name, body) {
  try {
    await step(name, body);
  } catch (e) {
    console.log(`FAIL ${name}`);
    failures.push(`${name}:\n    ${String(e.message ?? e).replace(/\n/g, '\n    ')}`);
  }
}

// Ids the page list refers to, found the way a client would: through the API.
async function findPlaceholders(request) {
  async function bookId(title) {
    const res = await request.get(`${base}/api/v1/books?title=${encodeURIComponent(title)}`);
    assert.equal(res.status(), 200, `looking up "${title}" through the API`);
    const found = (await res.json()).results.find((r) => r.title === title);
    assert.ok(found, `the demo has no book titled "${title}"`);
    return found.id;
  }
  return {
    book: await bookId('Pride and Prejudice'),
    // A book in a series (Conqueror, #2) with subjects.
    series_book: await bookId('Genghis: Lords of the Bow'),
    reader: 'reader2024',
    member,
    librarian,
  };
}

function fill(path, vars) {
  return path.replace(/\{(\w+)\}/g, (m, k) => {
    assert.ok(k in vars, `no value for ${m} in ${path}`);
    return vars[k];
  });
}

async function open(page, spec, vars) {
  let res;
  if (spec.via) {
    const [from, prefix] = spec.via;
    await page.goto(base + fill(from, vars));
    const link = page.locator(`a[href^="${prefix}"]`).first();
    assert.ok(await link.count(), `${spec.name}: ${fill(from, vars)} has no link to ${prefix}…`);
    res = await page.goto(new URL(await link.getAttribute('href'), base).href);
  } else {
    res = await page.goto(base + fill(spec.path, vars));
  }
  if (spec.then) {
    res = (await spec.then(page)) ?? res;
  }
  const want = spec.status ?? 200;
  assert.equal(res.status(), want, `${spec.name}: ${page.url()} answered ${res.status()}, expected ${want}`);
}

// axe-core, evaluated through the DevTools protocol: the Content-Security-
// Policy forbids inline scripts, and the page is checked with it in force.
async function axe(page) {
  const loaded = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!loaded) {
    await page.evaluate(axeSource);
  }
  return page.evaluate(async (tags) => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations', 'incomplete'],
    });
    const shape = (list) => list.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target.join(' '),
        summary: n.failureSummary ?? [...n.any, ...n.all, ...n.none].map((c) => c.message).join('; '),
      })),
    }));
    return { violations: shape(r.violations), review: shape(r.incomplete) };
  }, TAGS);
}

// Content reflows on a phone: nothing makes the page scroll sideways
// (WCAG 1.4.10).
async function fitsThePhone(page, where) {
  const m = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > width + 1)
      .slice(0, 5)
      .map((el) => `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : ''}> right edge at ${Math.round(el.getBoundingClientRect().right)}px`);
    return { scrollWidth: document.documentElement.scrollWidth, width, wide };
  });
  assert.ok(
    m.scrollWidth <= m.width + 1,
    `${where}: the page is ${m.scrollWidth}px wide on a ${m.width}px phone, so it scrolls sideways; too wide: ${m.wide.join('; ') || '(no single element found)'}`,
  );
}

// The focus indicator of the focused element: an outline or a box-shadow,
// its colour's contrast against the page, and whether it is on screen.
function focusFacts() {
  const el = document.activeElement;
  if (!el || el === document.body) {
    return null;
  }
  const rgb = (c) => (c.match(/[\d.]+/g) ?? []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  // A control drawn by its label (a visually hidden radio under a star,
  // say) shows its focus on the label or the element drawn beside it.
  const box = el.getBoundingClientRect();
  const hidden = box.width < 4 || box.height < 4;
  const candidates = hidden ? [el.labels?.[0], el.closest('label'), el.nextElementSibling].filter(Boolean) : [el];
  const ringOf = (e) => {
    const c = getComputedStyle(e);
    const outline = c.outlineStyle !== 'none' && parseFloat(c.outlineWidth) > 0;
    const shadow = c.boxShadow !== 'none' && c.boxShadow !== '';
    return { e, outline, shadow, colour: outline ? rgb(c.outlineColor) : rgb(c.boxShadow) };
  };
  const shown = candidates.map(ringOf).find((x) => x.outline || x.shadow) ?? ringOf(candidates[0] ?? el);
  const { outline, shadow } = shown;
  const paper = rgb(getComputedStyle(document.documentElement).backgroundColor);
  const ring = shown.colour;
  const r = shown.e.getBoundingClientRect();
  const name = `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : ''}> "${(el.innerText || el.getAttribute('aria-label') || el.value || el.querySelector('[alt],[aria-label]')?.getAttribute('alt') || el.querySelector('[aria-label]')?.getAttribute('aria-label') || '').trim().slice(0, 40)}"`;
  return {
    name,
    visible: outline || shadow,
    contrast: ratio(ring.slice(0, 3), paper.slice(0, 3)),
    onScreen: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight,
    inMain: !!el.closest('main'),
    isSkip: el.classList.contains('skip'),
  };
}

// Tab through the whole page: every stop shows a ring of at least 3:1
// against the page, on screen.
async function walkWithTab(page, where) {
  await page.locator('body').focus();
  await page.evaluate(() => document.activeElement?.blur());
  const stops = [];
  for (let i = 0; i < 120; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(focusFacts);
    if (!f || (i > 0 && f.isSkip)) {
      break;
    }
    stops.push(f);
  }
  assert.ok(stops.length > 5, `${where}: Tab reached only ${stops.length} elements`);
  const bad = stops.filter((f) => !f.visible || f.contrast < 3 || !f.onScreen).map(
    (f) => `${f.name}: ${!f.visible ? 'no outline or box-shadow' : !f.onScreen ? 'off screen' : `ring at ${f.contrast.toFixed(2)}:1 against the page`}`,
  );
  assert.deepEqual(bad, [], `${where}: focus is not visible on ${bad.length} of ${stops.length} stops`);
  return stops.length;
}

const browser = await launch();

// What the browser said about the security headers while the pages loaded.
const policyComplaints = [];
function watch(page) {
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content Security Policy|Refused to (load|execute|apply|frame|connect)/i.test(text)) {
      policyComplaints.push(`${page.url()}: ${text}`);
    }
  });
}

let exitCode = 0;
try {
  const contexts = {};
  for (const who of ['visitor', 'member', 'librarian']) {
    const ctx = await browser.newContext({ viewport: WIDTHS[1][1], deviceScaleFactor: 1 });
    ctx.setDefaultTimeout(timeout);
    contexts[who] = await ctx.newPage();
    watch(contexts[who]);
  }
  const vars = await findPlaceholders(contexts.visitor.request);

  async function signIn(p, username) {
    await p.goto(`${base}/login`);
    await p.getByLabel('Username').fill(username);
    await p.getByLabel('Password').fill(password);
    await Promise.all([p.waitForURL((u) => !u.pathname.startsWith('/login')), p.getByRole('button', { name: 'Sign in' }).click()]);
  }

  await step(`${librarian} signs in and edits Pride and Prejudice's subtitle`, async () => {
    const p = contexts.librarian;
    await signIn(p, librarian);
    await p.goto(`${base}/books/${vars.book}/edit`);
    await p.getByLabel('Subtitle').fill('A Novel in Three Volumes');
    await Promise.all([p.waitForURL(/\/books\/[^/]+(\/[^/]*)?$/), p.getByRole('button', { name: 'Save changes' }).click()]);
  });

  await step(`${member} signs in, proposes an edit, rates, starts and reviews Pride and Prejudice`, async () => {
    const p = contexts.member;
    await signIn(p, member);
    await p.goto(`${base}/books/${vars.book}/edit`);
    await p.getByLabel('Subtitle').fill('A Novel');
    await p.getByLabel(/Note for the librarian/).fill('As printed on the 1813 title page.');
    await p.getByRole('button', { name: 'Propose this edit' }).click();
    await p.getByRole('status').filter({ hasText: 'Your proposal is sent' }).waitFor();
    // The signed-in book page shows the reader's own rating, progress and
    // review, so those parts are checked too.
    const book = `${base}/books/${vars.book}`;
    for (const [what, form] of [
      ['rating', { stars: '3.5' }],
      ['reading', { action: 'start' }],
      ['review', { body: 'A second reading finds the **jokes** sharper. > Quoted, once.', headline: 'Better the second time' }],
    ]) {
      const res = await p.request.post(`${book}/${what}`, { form, headers: { origin: base }, maxRedirects: 0 });
      assert.ok(res.status() < 400, `POST ${book}/${what} answered ${res.status()}: ${(await res.text()).slice(0, 300)}`);
    }
  });

  // page name → theme → distinct violations (the same rule on the same
  // element at both widths counts once).
  const counts = new Map();
  const found = [];
  // What axe could not decide (text over an image, say): printed, not failed.
  const unsure = [];
  for (const spec of PAGES) {
    await check(`${spec.name}: axe at 390 and 1366 px, light and dark; screenshots`, async () => {
      const page = contexts[spec.as ?? 'visitor'];
      assert.ok(page, `${spec.name}: no account "${spec.as}"`);
      await page.setViewportSize(WIDTHS[1][1]);
      await page.emulateMedia({ colorScheme: 'light' });
      await open(page, spec, vars);
      const perTheme = {};
      for (const theme of THEMES) {
        await page.emulateMedia({ colorScheme: theme });
        const seen = new Set();
        const seenUnsure = new Set();
        for (const [label, size] of WIDTHS) {
          await page.setViewportSize(size);
          const suffix = theme === 'dark' ? '-dark' : '';
          await page.screenshot({ path: `${shots}/${spec.name}-${label}${suffix}.png`, fullPage: true });
          if (label === '390' && theme === 'light') {
            await fitsThePhone(page, spec.name);
          }
          const result = await axe(page);
          for (const [list, into, keys] of [[result.violations, found, seen], [result.review, unsure, seenUnsure]]) {
            for (const v of list) {
              for (const n of v.nodes) {
                const key = `${v.id} ${n.target}`;
                if (!keys.has(key)) {
                  keys.add(key);
                  into.push({ page: spec.name, theme, width: label, ...v, node: n });
                }
              }
            }
          }
        }
        perTheme[theme] = seen.size;
        perTheme[`${theme}Review`] = seenUnsure.size;
      }
      counts.set(spec.name, perTheme);
      // Every stop on the page shows its focus (home and the book page are
      // walked again below at both widths and in both themes).
      await page.setViewportSize(WIDTHS[1][1]);
      await page.emulateMedia({ colorScheme: 'light' });
      await walkWithTab(page, spec.name);
      if (spec.check) {
        await spec.check(page);
      }
    });
  }

  await check('home page: the skip link is the first stop and leads into the main content', async () => {
    const page = contexts.visitor;
    await page.setViewportSize(WIDTHS[1][1]);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${base}/`);
    await page.keyboard.press('Tab');
    const first = await page.evaluate(focusFacts);
    assert.ok(first?.isSkip, `the first Tab stop is ${first?.name ?? 'nothing'}, not the skip link`);
    assert.ok(first.onScreen && first.visible, 'the focused skip link is not shown with a focus ring');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#main$/);
    await page.keyboard.press('Tab');
    const next = await page.evaluate(focusFacts);
    assert.ok(next?.inMain, `after the skip link, Tab goes to ${next?.name ?? 'nothing'}, outside <main>`);
  });

  for (const [label, size] of WIDTHS) {
    for (const theme of THEMES) {
      await check(`home page at ${label} px, ${theme}: every Tab stop shows its focus`, async () => {
        const page = contexts.visitor;
        await page.setViewportSize(size);
        await page.emulateMedia({ colorScheme: theme });
        await page.goto(`${base}/`);
        const n = await walkWithTab(page, `home ${label} ${theme}`);
        console.log(`     ${n} stops`);
      });
      await check(`book page signed in at ${label} px, ${theme}: every Tab stop shows its focus`, async () => {
        const page = contexts.member;
        await page.setViewportSize(size);
        await page.emulateMedia({ colorScheme: theme });
        await page.goto(`${base}/books/${vars.book}`);
        const n = await walkWithTab(page, `book ${label} ${theme}`);
        console.log(`     ${n} stops`);
      });
    }
  }

  await check('the favicon is served and the pages link it', async () => {
    const page = contexts.visitor;
    await page.goto(`${base}/`);
    const href = await page.locator('link[rel="icon"]').getAttribute('href');
    assert.ok(href, 'no <link rel="icon"> on the home page');
    const res = await page.request.get(new URL(href, base).href);
    assert.equal(res.status(), 200, `${href} answered ${res.status()}`);
    assert.match(res.headers()['content-type'] ?? '', /image\/svg\+xml/);
    const ico = await page.request.get(`${base}/favicon.ico`);
    assert.equal(ico.status(), 200, `/favicon.ico answered ${ico.status()}`);
  });

  console.log('\naxe-core (WCAG 2.2 AA) at 390 and 1366 px: violations per page and theme, and what axe left to review by eye');
  console.log(`  ${'page'.padEnd(22)} ${'light'.padStart(5)} ${'dark'.padStart(5)}   ${'review (light/dark)'}`);
  for (const [name, c] of counts) {
    console.log(`  ${name.padEnd(22)} ${String(c.light).padStart(5)} ${String(c.dark).padStart(5)}   ${c.lightReview}/${c.darkReview}`);
  }
  console.log(`  ${'total'.padEnd(22)} ${String(found.length).padStart(11)}   ${unsure.length}`);
  if (unsure.length) {
    // One line per rule and page: the rule, how many elements, the first few.
    const groups = new Map();
    for (const u of unsure) {
      const k = `${u.page} ${u.theme}: ${u.id}`;
      const g = groups.get(k) ?? { u, targets: [] };
      g.targets.push(u.node.target);
      groups.set(k, g);
    }
    console.log('\nleft to review by eye (not failures):');
    for (const [k, g] of groups) {
      console.log(`- ${k} (${g.targets.length}): ${g.targets.slice(0, 3).join(' | ')}\n    ${g.u.node.summary.replace(/\s+/g, ' ').slice(0, 240)}`);
    }
  }
  if (failures.length) {
    console.log(`\n${failures.length} check(s) failed:\n- ${failures.join('\n- ')}`);
    exitCode = 1;
  }
  if (policyComplaints.length) {
    console.log(`\nthe browser reported what the security policy refused:\n  ${policyComplaints.join('\n  ')}`);
    exitCode = 1;
  }
  if (found.length) {
    console.log('\nviolations:');
    for (const v of found) {
      console.log(`- ${v.page} (${v.theme}, ${v.width} px): ${v.id} [${v.impact}] ${v.node.target}\n    ${v.help} (${v.helpUrl})\n    ${v.node.summary.replace(/\n/g, '\n    ')}`);
    }
    exitCode = 1;
  }
} catch (e) {
  console.error(`FAILED at step "${current}":\n${e.stack ?? e}`);
  exitCode = 1;
} finally {
  await browser.close();
}
process.exit(exitCode);
