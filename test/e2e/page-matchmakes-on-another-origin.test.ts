/**
 * A real browser enforces CORS: a page served from one origin matchmakes on an endpoint of
 * another origin (a cluster node's page pointed at another node with `?server=`) only when that
 * endpoint lists the page's origin. The JSON body's Content-Type and a bearer header make the
 * request preflighted, as `matchmakeOverHttp` with `headers` does.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type MatchmakingRig, startMatchmakingRig } from '../support/matchmaking-rig';
import { type Browser, launchChromium } from './chromium';

let browser: Browser;
let page: Server;
let pageOrigin: string;
let allowing: MatchmakingRig;
let plain: MatchmakingRig;

beforeAll(async () => {
  page = createServer((_request, response) => response.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>game</title>'));
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  pageOrigin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
  [browser, allowing, plain] = await Promise.all([
    launchChromium(),
    startMatchmakingRig([['room', { maxClients: 10 }]], { endpoint: { cors: { origins: [pageOrigin] } } }),
    startMatchmakingRig([['room', { maxClients: 10 }]]),
  ]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await allowing?.close();
  await plain?.close();
  await new Promise<void>((resolve) => (page ? page.close(() => resolve()) : resolve()));
});

it('a page of a listed origin gets its seat from another origin; without cors the browser refuses to hand it over', async () => {
  const tab = await browser.context.newPage();
  await tab.goto(`${pageOrigin}/`);
  const ask = (port: number) =>
    tab.evaluate(async (url) => {
      try {
        const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer x' }, body: '{}' });
        const body = (await response.json()) as { seat?: string };
        return `${response.status} ${typeof body.seat}`;
      } catch (error) {
        return `refused: ${(error as Error).name}`;
      }
    }, `http://127.0.0.1:${port}/matchmake/joinOrCreate/room`);
  expect(await ask(allowing.port)).toBe('200 string');
  expect(await ask(plain.port)).toBe('refused: TypeError');
  await tab.close();
}, 30_000);
