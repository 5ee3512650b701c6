/**
 * Game feel in a real browser: the demo in Chromium (Canvas renderer) through a TCP relay adding
 * per-direction delay and jitter and occasional 100 ms stalls. A mover page holds a key; an
 * observer page watches it. Every rendered frame of both pages is sampled: the mover's own drawn
 * position (still frames, per-frame step CV), the observer's view of the mover (freezes of
 * ≥ 50 ms), plus the HUD's delay figures and the mover's corrections.
 *
 *   npm run bench:feel                  (FEEL_HOLD_MS=7500 by default; FEEL_HOLD_MS=2000 for a quick run)
 */
import { mkdir, rm } from 'node:fs/promises';
import { type Server, type Socket, connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { startDemoServer } from '../server/src/index';
import { launchChromium } from '../test/e2e/chromium';
import { buildClient } from '../test/e2e/client-build';
import { environmentLine, table, writeSection } from './report';

const HOLD_MS = Number(process.env.FEEL_HOLD_MS ?? (process.env.BENCH_SMOKE === '1' ? 1500 : 7500));
const DELAY_MS = 75;
const JITTER_MS = 15;
const STALL_CHANCE = 0.02;
const STALL_MS = 100;

/** A relay whose every chunk, each direction, waits 75 ± 15 ms (2 % of them 100 ms more), in order. */
async function startDelayRelay(targetPort: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const pipe = (from: Socket, to: Socket): void => {
    // One queue and one timer per direction: separate timers per chunk could fire out of order.
    const queue: { at: number; chunk: Buffer }[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = 0;
    const pump = (): void => {
      timer = undefined;
      const now = performance.now();
      while (queue.length > 0 && queue[0]!.at <= now + 0.5) {
        const { chunk } = queue.shift()!;
        if (!to.destroyed) to.write(chunk);
      }
      if (queue.length > 0) timer = setTimeout(pump, Math.max(0, queue[0]!.at - now));
    };
    from.on('data', (chunk: Buffer) => {
      let at = performance.now() + DELAY_MS + (Math.random() * 2 - 1) * JITTER_MS;
      if (Math.random() < STALL_CHANCE) at += STALL_MS;
      at = Math.max(at, last); // TCP keeps order: a stalled chunk holds up the ones behind it
      last = at;
      queue.push({ at, chunk });
      if (timer === undefined) timer = setTimeout(pump, Math.max(0, queue[0]!.at - performance.now()));
    });
    from.on('close', () => setTimeout(() => to.destroy(), DELAY_MS + JITTER_MS + STALL_MS));
    from.on('error', () => from.destroy());
  };
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const OUT = fileURLToPath(new URL('../test-output/feel-client', import.meta.url));
await mkdir(OUT, { recursive: true });
await buildClient(OUT);
const server = await startDemoServer({ port: 0, host: '127.0.0.1', bots: 40, orbs: 40, logLevel: 'warn', clientDir: OUT });
const relay = await startDelayRelay(server.port);
// One browser per page: pages sharing a browser are background tabs, and Chromium throttles their frames.
const browsers = [await launchChromium(), await launchChromium()];
const load = os.loadavg()[0]!.toFixed(2);

async function open(name: string, browser: (typeof browsers)[number]) {
  const page = await browser.context.newPage();
  page.on('console', (m) => { if (process.env.FEEL_DEBUG) console.log(name, m.text()); });
  page.on('pageerror', (e) => console.error(name, e.message));
  await page.goto(`http://127.0.0.1:${relay.port}/?name=${name}`);
  await page
    .waitForFunction(() => window.__tickwire?.ownServerId !== undefined && window.__tickwire.ownPosition() !== undefined, undefined, { timeout: 30_000 })
    .catch(async (error: unknown) => {
      console.error(name, await page.evaluate(() => ({ state: window.__tickwire?.state, own: window.__tickwire?.ownServerId })).catch(() => 'no hook'));
      throw error;
    });
  return page;
}

type Sample = { t: number; x: number; y: number };
const mover = await open('mover', browsers[0]!);
const observer = await open('observer', browsers[1]!);
const moverId = await mover.evaluate(() => window.__tickwire!.ownServerId!);
await observer.waitForFunction((id) => window.__tickwire!.players()[id] !== undefined, moverId);
await mover.waitForTimeout(1500);

// Sample every rendered frame in both pages.
// A string, not a function: tsx would wrap a named function in a helper the page does not have.
const startSampling = (page: typeof mover, id: number | null) =>
  page.evaluate(`(() => {
    window.__feel = [];
    const id = ${JSON.stringify(id)};
    function frame(t) {
      const hook = window.__tickwire;
      const p = id === null ? hook.ownPosition() : hook.players()[id];
      if (p) window.__feel.push({ t, x: p.x, y: p.y });
      requestAnimationFrame(frame);
    }
    requestAnimationFrame(frame);
  })()`);
await startSampling(mover, null);
await startSampling(observer, moverId);
const right = await mover.evaluate(() => window.__tickwire!.ownPosition()!.x < 1200);
const correctionsBefore = await mover.evaluate(() => window.__tickwire!.net.prediction.get(window.__tickwire!.net.owned()[0]!)?.corrections ?? 0);
await mover.keyboard.down(right ? 'ArrowRight' : 'ArrowLeft');
const pressedAt = await mover.evaluate(() => performance.now());
await mover.waitForTimeout(HOLD_MS);
const releasedAt = await mover.evaluate(() => performance.now());
await mover.keyboard.up(right ? 'ArrowRight' : 'ArrowLeft');
const hud = await observer.evaluate(() => ({
  behindServer: window.__tickwire!.net.delayBehindServerMs,
  behindArrival: window.__tickwire!.net.renderDelayMs,
  rtt: window.__tickwire!.net.rtt,
}));
const moverPending = await mover.evaluate(() => window.__tickwire!.pendingInputs);
const corrections = (await mover.evaluate(() => window.__tickwire!.net.prediction.get(window.__tickwire!.net.owned()[0]!)?.corrections ?? 0)) - correctionsBefore;
const ownSamples = (await mover.evaluate(() => (window as unknown as { __feel: Sample[] }).__feel)).filter((s) => s.t > pressedAt && s.t < releasedAt);
const seenSamples = await observer.evaluate(() => (window as unknown as { __feel: Sample[] }).__feel);
for (const browser of browsers) await browser.close();
await relay.close();
await server.stop();
await rm(OUT, { recursive: true, force: true });

// Own player: skip the first frame (the press), stop where a wall would stop it.
const steps = ownSamples.slice(1).map((s, i) => Math.abs(s.x - ownSamples[i]!.x));
const firstMove = steps.findIndex((d) => d > 1e-6);
const held = steps.slice(Math.max(0, firstMove));
const still = held.filter((d) => d < 1e-6).length;
const moving = held.filter((d) => d >= 1e-6);
const mean = moving.reduce((a, b) => a + b, 0) / Math.max(1, moving.length);
const cv = Math.sqrt(moving.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, moving.length)) / mean;
const frameMs = ownSamples.length > 1 ? (ownSamples.at(-1)!.t - ownSamples[0]!.t) / (ownSamples.length - 1) : 0;

// Observer: from the mover's first visible motion to its last, runs of still frames lasting ≥ 50 ms.
const seenMoves = seenSamples.map((s, i) => (i === 0 ? 0 : Math.abs(s.x - seenSamples[i - 1]!.x)));
const from = seenMoves.findIndex((d) => d > 1e-6);
const to = seenMoves.length - 1 - [...seenMoves].reverse().findIndex((d) => d > 1e-6);
let freezes = 0;
let longest = 0;
let runStart = -1;
for (let i = from; i <= to; i++) {
  if (seenMoves[i]! < 1e-6) {
    if (runStart < 0) runStart = i - 1;
  } else if (runStart >= 0) {
    const ms = seenSamples[i - 1]!.t - seenSamples[runStart]!.t;
    if (ms >= 50) freezes++;
    longest = Math.max(longest, ms);
    runStart = -1;
  }
}

writeSection(
  'feel',
  `## Game feel in Chromium (\`npm run bench:feel\`)

${environmentLine()} Load average at start: ${load}. Demo in headless Chromium (Canvas), two pages through a TCP relay adding ${DELAY_MS} ± ${JITTER_MS} ms each way and a ${STALL_MS} ms stall on ${STALL_CHANCE * 100} % of chunks; the mover holds a key for ${HOLD_MS} ms.

${table(
  ['measure', 'value'],
  [
    ['mover frames sampled while held', held.length],
    ['mean frame interval', `${frameMs.toFixed(1)} ms`],
    ['own player: frames without movement', `${((100 * still) / Math.max(1, held.length)).toFixed(1)} %`],
    ['own player: per-frame step CV', cv.toFixed(3)],
    ['own player: frames from press to first motion', firstMove + 1],
    ['observer: freezes ≥ 50 ms of the mover', freezes],
    ['observer: longest still run', `${longest.toFixed(0)} ms`],
    ['mover: pending inputs at release', moverPending],
    ['mover: corrections while held', corrections],
    ['observer HUD: delay behind server', `${hud.behindServer.toFixed(0)} ms`],
    ['observer HUD: delay behind arrival line', `${hud.behindArrival.toFixed(0)} ms`],
    ['observer HUD: rtt', `${hud.rtt.toFixed(0)} ms`],
  ],
)}
`,
);
process.exit(0);
