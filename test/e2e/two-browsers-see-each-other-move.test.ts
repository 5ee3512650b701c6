import { mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ARENA, Position } from '@tickwire/demo-shared';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DemoServer, startDemoServer } from '../../server/src/index';
import { type Browser, launchChromium, recordPageErrors } from './chromium';
import { buildClient } from './client-build';

const OUTPUT = fileURLToPath(new URL('../../test-output/', import.meta.url));
const CLIENT_BUILD = `${OUTPUT}e2e-client`;
const SCREENSHOT = `${OUTPUT}e2e-two-players.png`;
const SCREENSHOT_TOGGLED = `${OUTPUT}e2e-netcode-off.png`;

let server: DemoServer | undefined;
let browser: Browser | undefined;
const pageErrors: string[] = [];

beforeAll(async () => {
  await mkdir(OUTPUT, { recursive: true });
  await buildClient(CLIENT_BUILD);
  server = await startDemoServer({ port: 0, host: '127.0.0.1', shove: false, bots: 40, orbs: 40, logLevel: 'warn', clientDir: CLIENT_BUILD });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await rm(CLIENT_BUILD, { recursive: true, force: true });
});

async function openPlayer(name: string): Promise<Page> {
  const page = await browser!.context.newPage();
  recordPageErrors(page, name, pageErrors);
  await page.goto(`http://127.0.0.1:${server!.port}/?name=${name}`);
  await page.waitForFunction(() => window.__tickwire?.ownServerId !== undefined && window.__tickwire.ownPosition() !== undefined);
  return page;
}

it('two browsers join; one holds a key, the other sees that player move', async () => {
  const mover = await openPlayer('Alice');
  const observer = await openPlayer('Bob');

  // Both found their arena through matchmaking and connected with their seat: the same one.
  const arenas = [await mover.evaluate(() => window.__tickwire!.arenaId), await observer.evaluate(() => window.__tickwire!.arenaId)];
  expect(arenas[0]).toBeDefined();
  expect(arenas[1]).toBe(arenas[0]);
  expect(server!.game.net.matchmaker.room(arenas[0]!)!.connections.size).toBe(2);

  const moverId = await mover.evaluate(() => window.__tickwire!.ownServerId!);
  await observer.waitForFunction((id) => window.__tickwire!.players()[id] !== undefined, moverId);
  const start = await observer.evaluate((id) => window.__tickwire!.players()[id]!, moverId);
  expect(start.name).toBe('Alice');

  // Walk toward the far wall, so the wall cannot cut the walk short.
  const right = start.x < ARENA.width / 2;
  await mover.keyboard.down(right ? 'ArrowRight' : 'KeyA');
  await observer.waitForFunction(
    ({ id, x0, sign }) => (window.__tickwire!.players()[id]!.x - x0) * sign > 150,
    { id: moverId, x0: start.x, sign: right ? 1 : -1 },
    { timeout: 10_000 },
  );
  await mover.keyboard.up(right ? 'ArrowRight' : 'KeyA');

  const seen = await observer.evaluate((id) => window.__tickwire!.players()[id]!, moverId);
  expect(seen.y).toBeCloseTo(start.y, 1);

  // The mover's predicted player, at rest, is where the server (this process) has it.
  await mover.waitForFunction(() => window.__tickwire!.pendingInputs === 0);
  await mover.waitForTimeout(500); // a correction fades with a 100 ms half-life
  const own = await mover.evaluate(() => window.__tickwire!.ownPosition()!);
  expect(Math.abs(own.x - Position.x[moverId]!)).toBeLessThan(1);
  expect(Math.abs(own.y - Position.y[moverId]!)).toBeLessThan(1);

  // The HUD is hidden until H shows it.
  expect(await observer.locator('#hud').isHidden()).toBe(true);
  await observer.keyboard.press('KeyH');
  await observer.waitForFunction(() => /server tick/.test(document.getElementById('hud')!.textContent ?? ''));
  const hud = (await observer.locator('#hud').textContent()) ?? '';
  expect(hud).toMatch(/interpolation · Ion/);
  expect(hud).toMatch(/render delay\d+ ms/);
  expect(hud).toMatch(/delay behind server\d+ ms/);
  // Behind the server's tick is the one-way trip more than behind the arrival line.
  const [, behindServer] = /delay behind server(\d+) ms/.exec(hud)!;
  const [, behindArrival] = /render delay(\d+) ms/.exec(hud)!;
  expect(Number(behindServer)).toBeGreaterThanOrEqual(Number(behindArrival));
  await observer.screenshot({ path: SCREENSHOT });
  expect(pageErrors).toEqual([]);
}, 60_000);

it('I and P on the keyboard switch interpolation and prediction, and the HUD says so', async () => {
  const page = await openPlayer('Carol');
  const switches = () => page.evaluate(() => ({ i: window.__tickwire!.net.interpolation.enabled, p: window.__tickwire!.net.prediction.enabled }));
  expect(await switches()).toEqual({ i: true, p: true });
  await page.keyboard.press('KeyH');
  await page.keyboard.press('KeyI');
  expect(await switches()).toEqual({ i: false, p: true });
  await page.keyboard.press('KeyP');
  expect(await switches()).toEqual({ i: false, p: false });
  await page.waitForFunction(() => /interpolation · Ioff.*prediction · Poff/.test(document.getElementById('hud')!.textContent ?? ''));
  await page.screenshot({ path: SCREENSHOT_TOGGLED });

  // With prediction off a key press reaches the screen only when the server's state does.
  const before = await page.evaluate(() => window.__tickwire!.ownPosition()!.x);
  await page.keyboard.down('KeyD');
  await page.waitForFunction((x0) => window.__tickwire!.ownPosition()!.x !== x0, before);
  await page.keyboard.up('KeyD');

  await page.keyboard.press('KeyI');
  await page.keyboard.press('KeyP');
  expect(await switches()).toEqual({ i: true, p: true });
  expect(pageErrors).toEqual([]);
}, 30_000);
