import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium, installed by scripts/ci-extras.sh. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The repository root (this file is libs/trader-page/src/test-support). */
export const REPO_ROOT = path.resolve(__dirname, '../../../..');

/** Launches headless Chromium with flags that keep it off the network except for loopback. */
export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: run scripts/ci-extras.sh (apt-get install chromium)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Fails early with a clear message when the page bundle was not built. */
export function assertPageBuilt(): void {
  const bundle = path.join(REPO_ROOT, 'libs/trader-page/dist/page.js');
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build\` first`);
}

/** A tab in a fresh browser context, with the CSP refusals Chromium reports on its console (a page's CSP must allow everything it uses). */
export async function openWatchedTab(browser: Browser): Promise<{ tab: Page; cspRefusals: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext();
  const tab = await context.newPage();
  const cspRefusals: string[] = [];
  tab.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspRefusals.push(m.text());
  });
  return { tab, cspRefusals, close: () => context.close() };
}
