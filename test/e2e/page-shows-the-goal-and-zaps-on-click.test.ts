import { mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DemoServer, startDemoServer } from '../../server/src/index';
import { type Browser, launchChromium } from './chromium';
import { buildClient } from './client-build';

const CLIENT_BUILD = fileURLToPath(new URL('../../test-output/e2e-goal-client', import.meta.url));

let server: DemoServer | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  await mkdir(CLIENT_BUILD, { recursive: true });
  await buildClient(CLIENT_BUILD);
  server = await startDemoServer({ port: 0, host: '127.0.0.1', shove: false, bots: 40, orbs: 40, logLevel: 'warn', clientDir: CLIENT_BUILD });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await rm(CLIENT_BUILD, { recursive: true, force: true });
});

it('the page says what the bots and orbs are and how to win, counts the round down, and a click zaps', async () => {
  const page = await browser!.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`http://127.0.0.1:${server!.port}/?name=Zed`);
  await page.waitForFunction(() => window.__tickwire?.ownServerId !== undefined && window.__tickwire.ownPosition() !== undefined);

  const rules = (await page.locator('#rules').textContent()) ?? '';
  expect(rules).toMatch(/orbs/i);
  expect(rules).toMatch(/bots/i);
  expect(rules).toMatch(/wins/i);
  expect(await page.locator('#rules').isVisible()).toBe(true);
  await page.waitForFunction(() => /^round 1 · 1:[0-2]\d left$/.test(document.getElementById('round')!.textContent ?? ''));
  expect(await page.locator('#hud').isVisible()).toBe(false); // hidden until H

  // A click on the arena zaps there; the server answers with a verdict.
  const box = (await page.locator('canvas').boundingBox())!;
  await page.mouse.click(box.x + box.width / 2 + 120, box.y + box.height / 2);
  await page.waitForFunction(() => window.__tickwire!.zapResults().length === 1);
  expect(errors).toEqual([]);
});
