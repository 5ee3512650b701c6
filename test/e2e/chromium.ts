/**
 * Debian's Chromium driven by playwright-core. A missing browser is a failure, never a skip: CI
 * installs it, and a green run without a browser would prove nothing.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';

/** Where the e2e tests expect the browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A browser with a fresh profile; `close` also deletes the profile. */
export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Launch Chromium with a fresh `--user-data-dir`, or fail saying how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. The end-to-end tests drive Debian's Chromium: install it with ` +
        '"apt-get update && apt-get install -y chromium" (CI does this), or point CHROMIUM_PATH at another build.',
    );
  const profile = await mkdtemp(join(tmpdir(), 'tickwire-e2e-'));
  // Playwright passes the profile to Chromium as --user-data-dir; it refuses that flag in `args`.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: FLAGS,
    viewport: { width: 1100, height: 720 },
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Push every uncaught error and `console.error` of `page` onto `into`, prefixed with the player's name. */
export function recordPageErrors(page: Page, name: string, into: string[]): void {
  page.on('pageerror', (error) => into.push(`${name}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') into.push(`${name} console: ${message.text()}`);
  });
}
