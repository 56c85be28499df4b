// What the browser scripts share: starting Debian's Chromium headless, and
// named steps, so that a failure says which step it was in.

import { chromium } from 'playwright-core';

/// Chromium from $CHROMIUM (the test passes /usr/bin/chromium), headless,
/// with nothing that reaches the network on its own.
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/// The step running now (a live binding: read it when reporting a failure).
export let current = '(starting)';

/// Run one named step and print how long it took.
export async function step(name, body) {
  current = name;
  const started = Date.now();
  await body();
  console.log(`ok   ${name} (${Date.now() - started} ms)`);
}
