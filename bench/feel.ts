/**
 * Game feel in a real browser: the demo in Chromium through a TCP relay adding per-direction delay
 * and jitter and occasional 100 ms stalls. A mover page holds a key; an observer page watches it.
 * Every drawn frame of both pages is sampled (after the scene drew it, so what was on screen):
 *
 * - own player: frames without movement, the per-frame step's coefficient of variation (and how
 *   much of it the frame times themselves explain), input latency from the key event to the first
 *   frame that moved, corrections and their sizes;
 * - observer: freezes (still runs ≥ 50 ms) of the mover while it holds the key;
 * - the mover's inputs: unacknowledged on the client, and waiting in the server's playout buffer
 *   (sampled every tick on the server, and read back from the Tick header and from /health);
 * - the observer's HUD against true values: delay behind the server's current tick (server tick
 *   times and page clocks on one machine, `performance.timeOrigin`), RTT and link jitter against
 *   what the relay really added, page frame lateness against the frame times.
 *
 *   npm run bench:feel                  (FEEL_HOLD_MS=7500 by default; FEEL_HOLD_MS=2000 for a quick run)
 */
import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { ARENA, PLAYER_RADIUS } from '../shared/src/index';
import { startDemoServer } from '../server/src/index';
import { launchChromium } from '../test/e2e/chromium';
import { buildClient } from '../test/e2e/client-build';
import { startDelayRelay } from '../test/support/delay-relay';
import { environmentLine, table, writeSection } from './report';
import { percentile } from './stats';

const SMOKE = process.env.BENCH_SMOKE === '1';
const HOLD_MS = Number(process.env.FEEL_HOLD_MS ?? (SMOKE ? 1500 : 7500));
const LINK = { delayMs: 75, jitterMs: 15, stallChance: 0.02, stallMs: 100 };

const OUT = fileURLToPath(new URL('../test-output/feel-client', import.meta.url));
await mkdir(OUT, { recursive: true });
await buildClient(OUT);
const server = await startDemoServer({ port: 0, host: '127.0.0.1', bots: 40, orbs: 40, logLevel: 'warn', clientDir: OUT });
const net = server.game.net;
const tickRate = server.game.config.tickRate;
const tickMs = 1000 / tickRate;
const relay = await startDelayRelay(server.port, LINK);
// One browser per page: pages sharing a browser are background tabs, and Chromium throttles their frames.
const browsers = [await launchChromium(), await launchChromium()];
const load = os.loadavg()[0]!.toFixed(2);

async function open(name: string, browser: (typeof browsers)[number]) {
  const page = await browser.context.newPage();
  page.on('console', (m) => {
    if (process.env.FEEL_DEBUG) console.log(name, m.text());
  });
  page.on('pageerror', (e) => console.error(name, e.message));
  // The default renderer: what a player on this machine gets (auto picks Canvas over software WebGL).
  await page.goto(`http://127.0.0.1:${relay.port}/?name=${name}`);
  await page
    .waitForFunction(() => window.__tickwire?.ownServerId !== undefined && window.__tickwire.ownPosition() !== undefined, undefined, { timeout: 30_000 })
    .catch(async (error: unknown) => {
      console.error(name, await page.evaluate(() => ({ state: window.__tickwire?.state, own: window.__tickwire?.ownServerId })).catch(() => 'no hook'));
      throw error;
    });
  return page;
}

/** One drawn frame: rAF time, when it was drawn, where the watched player was, and the mover's own netcode state. */
type Frame = { t: number; now: number; x: number; y: number; corrections: number; lastCorrection: number; pending: number; queued: number };
/** The observer's HUD at one moment, with the page's epoch time and the tick it was drawing. */
type HudSample = { epoch: number; renderTick: number; behindServer: number; behindArrival: number; rtt: number; minRtt: number; jitter: number; frameLateness: number };

const mover = await open('mover', browsers[0]!);
const observer = await open('observer', browsers[1]!);
const moverId = await mover.evaluate(() => window.__tickwire!.ownServerId!);
const moverConnection = await mover.evaluate(() => window.__tickwire!.connectionId);
await observer.waitForFunction((id) => window.__tickwire!.players()[id] !== undefined, moverId);
await mover.waitForTimeout(1500);

// Server truth: when each tick was flushed (epoch ms), and the mover's playout queue after it.
const tickTimes: { epoch: number; tick: number }[] = [];
const serverQueue: number[] = [];
const stopObserving = net.endpoint.observe({
  tick: () => {
    tickTimes.push({ epoch: performance.timeOrigin + performance.now(), tick: net.tick });
    serverQueue.push(net.endpoint.connections.get(moverConnection)?.playout?.backlog ?? 0);
  },
});
/** The server's fractional tick at epoch time `epoch`, from the flush times around it. */
function trueServerTick(epoch: number): number {
  let i = tickTimes.length - 1;
  while (i > 0 && tickTimes[i]!.epoch > epoch) i--;
  const at = tickTimes[i]!;
  return at.tick + (epoch - at.epoch) / tickMs;
}

// Every drawn frame in both pages; the observer's HUD every 250 ms. A string, not a function:
// tsx would wrap a named function in a helper the page does not have.
const startSampling = (page: typeof mover, id: number | null) =>
  page.evaluate(`(() => {
    window.__feel = [];
    window.__hud = [];
    window.__pressedAt = -1;
    window.addEventListener('keydown', (e) => { if (window.__pressedAt < 0) window.__pressedAt = e.timeStamp; }, { capture: true });
    const id = ${JSON.stringify(id)};
    const hook = window.__tickwire;
    hook.onDrawn((t) => {
      const p = id === null ? hook.ownPosition() : hook.players()[id];
      const own = hook.net.prediction.get(hook.net.owned()[0]);
      if (p) window.__feel.push({ t, now: performance.now(), x: p.x, y: p.y, corrections: own ? own.corrections : 0, lastCorrection: own ? own.lastCorrection : 0, pending: hook.pendingInputs, queued: hook.net.connection.serverInputQueue.queued });
    });
    setInterval(() => {
      const r = hook.hud();
      if (r) window.__hud.push({ epoch: performance.timeOrigin + performance.now(), renderTick: hook.net.interpolation.timeline.renderTick, behindServer: r.delayBehindServerMs, behindArrival: r.renderDelayMs, rtt: r.rttMs, minRtt: r.minRttMs, jitter: r.jitterMs, frameLateness: r.frameLatenessMs });
    }, 250);
  })()`);
await startSampling(mover, null);
await startSampling(observer, moverId);
const right = await mover.evaluate((middle) => window.__tickwire!.ownPosition()!.x < middle, ARENA.width / 2);
const key = right ? 'ArrowRight' : 'ArrowLeft';
const tickFrom = tickTimes.length;
await mover.keyboard.down(key);
const pressedAt = await mover.evaluate(() => (window as unknown as { __pressedAt: number }).__pressedAt);
await mover.waitForTimeout(HOLD_MS);
const releasedAt = await mover.evaluate(() => performance.now());
await mover.keyboard.up(key);
const tickTo = tickTimes.length;
const health = (await (await fetch(`http://127.0.0.1:${server.port}/health`)).json()) as { inputPlayout: { late: number; starvedTicks: number; caughtUp: number; dropped: number } };
// From the last frame before the key event (the reference the first moved frame differs from) to the release.
const moverFrames = await mover.evaluate(() => (window as unknown as { __feel: Frame[] }).__feel);
const own = moverFrames.filter((frame, i) => (frame.now > pressedAt || (moverFrames[i + 1]?.now ?? 0) > pressedAt) && frame.now < releasedAt);
const seen = await observer.evaluate(() => (window as unknown as { __feel: Frame[] }).__feel);
const huds = (await observer.evaluate(() => (window as unknown as { __hud: HudSample[] }).__hud)).filter((h) => h.epoch > tickTimes[tickFrom]!.epoch);
stopObserving();
for (const browser of browsers) await browser.close();
await relay.close();
await server.stop();
await rm(OUT, { recursive: true, force: true });

if (process.env.FEEL_DUMP) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(process.env.FEEL_DUMP, JSON.stringify({ own, seen, huds, tickTimes, serverQueue, relay: { down: relay.down, up: relay.up }, pressedAt }));
}
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const cv = (xs: readonly number[]) => {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2))) / m;
};
const ms = (v: number, digits = 0) => `${v.toFixed(digits)} ms`;

// Own player, from the first frame that moved; frames against a wall (where the game stops it) left out.
const firstMove = own.findIndex((frame, i) => i > 0 && Math.abs(frame.x - own[i - 1]!.x) > 1e-6);
const inputLatencyMs = firstMove < 0 ? Number.NaN : own[firstMove]!.now - pressedAt;
// Frames drawn after the key event up to and including the first that moved: 1 is the very next frame.
const framesToMotion = firstMove;
const steps: number[] = [];
const intervals: number[] = [];
const wall = PLAYER_RADIUS + 1;
for (let i = Math.max(1, firstMove + 1); i < own.length; i++) {
  const s = own[i]!;
  if (s.x <= wall || s.x >= ARENA.width - wall) break;
  steps.push(Math.abs(s.x - own[i - 1]!.x));
  intervals.push(s.t - own[i - 1]!.t);
}
const still = steps.filter((d) => d < 1e-6).length;
// Steady walking: frames at the display rate (the page skipped none before it) and no correction fading (5 half-lives after one).
const vsync = percentile(intervals, 50);
const steady: number[] = [];
let fadingUntil = Number.NEGATIVE_INFINITY;
for (let i = Math.max(1, firstMove + 1), k = 0; k < steps.length; i++, k++) {
  if (own[i]!.corrections > own[i - 1]!.corrections) fadingUntil = own[i]!.t + 500;
  if (intervals[k]! < vsync * 1.5 && own[i]!.t > fadingUntil) steady.push(steps[k]!);
}
const speeds = steps.map((d, i) => d / intervals[i]!);
const sizes: number[] = [];
for (let i = 1; i < own.length; i++) if (own[i]!.corrections > own[i - 1]!.corrections) sizes.push(own[i]!.lastCorrection);

// Observer: from the mover's first visible motion to its last, runs of still frames lasting ≥ 50 ms.
const seenMoves = seen.map((s, i) => (i === 0 ? 0 : Math.abs(s.x - seen[i - 1]!.x)));
const from = seenMoves.findIndex((d) => d > 1e-6);
const to = seenMoves.length - 1 - [...seenMoves].reverse().findIndex((d) => d > 1e-6);
let freezes = 0;
let longest = 0;
let runStart = -1;
for (let i = from; i <= to; i++) {
  if (seenMoves[i]! < 1e-6) {
    if (runStart < 0) runStart = i - 1;
  } else if (runStart >= 0) {
    const run = seen[i - 1]!.t - seen[runStart]!.t;
    if (run >= 50) freezes++;
    longest = Math.max(longest, run);
    runStart = -1;
  }
}

// HUD against truth.
const trueBehind = huds.map((h) => (trueServerTick(h.epoch) - h.renderTick) * tickMs);
const delays = (chunks: readonly { delayMs: number }[]) => chunks.map((c) => c.delayMs);
const trueRtt = mean(delays(relay.up)) + mean(delays(relay.down));
const trueMinRtt = Math.min(...delays(relay.up)) + Math.min(...delays(relay.down));
// Link jitter as the HUD defines it (p95 lateness behind the fastest frame of its 64-frame, 3.2 s window), from what the relay really did in that window.
const JITTER_WINDOW_MS = 64 * tickMs;
const trueJitters = huds.map((h) => {
  const recent = delays(relay.down.filter((c) => c.deliveredAt <= h.epoch && c.deliveredAt > h.epoch - JITTER_WINDOW_MS));
  const fastest = Math.min(...recent);
  return percentile(recent.map((d) => d - fastest), 95);
});
// The server's own share: how late its ticks were flushed against a perfect 20 Hz, same window (a loaded machine delays the tick loop too).
const flushOffsets = tickTimes.map((t) => t.epoch - t.tick * tickMs);
const tickJitters = huds.map((h) => {
  const recent = flushOffsets.filter((_, i) => tickTimes[i]!.epoch <= h.epoch && tickTimes[i]!.epoch > h.epoch - JITTER_WINDOW_MS);
  const earliest = Math.min(...recent);
  return percentile(recent.map((o) => o - earliest), 95);
});
const observerIntervals = seen.slice(1).map((s, i) => s.t - seen[i]!.t);
// The HUD's definition, from the drawn frames: skipped frames (p95 − median interval) plus late scripts (p95 of drawn − timestamp; after drawing, so a little more).
const trueLateness = percentile(observerIntervals, 95) - percentile(observerIntervals, 50) + percentile(seen.map((s) => s.now - s.t), 95);
const queueWhileHeld = serverQueue.slice(tickFrom, tickTo);
const median = (xs: readonly number[]) => percentile(xs, 50);
const last = <T>(xs: readonly T[]) => xs[xs.length - 1]!;

const rows: (readonly (string | number)[])[] = [
  ['own player: frames sampled while held (mean frame interval)', `${steps.length} (${ms(mean(intervals), 1)})`, ''],
  ['own player: frames without movement', `${((100 * still) / Math.max(1, steps.length)).toFixed(1)} %`, '≤ 2 %'],
  ['own player: per-frame step CV, steady walking (60 fps frames, no correction fading)', `${cv(steady).toFixed(3)} (${steady.length} frames)`, '≤ 0.1'],
  ['own player: per-frame step CV, every held frame', cv(steps).toFixed(3), ''],
  ['own player: per-frame step CV, every held frame the page did not skip (corrections in)', cv(steps.filter((_, k) => intervals[k]! < vsync * 1.5)).toFixed(3), ''],
  ['own player: frame interval CV; frames the page skipped', `${cv(intervals).toFixed(3)}; ${intervals.filter((v) => v >= vsync * 1.5).length}`, ''],
  ['own player: drawn speed CV (step ÷ frame interval)', cv(speeds).toFixed(3), ''],
  ['own player: input latency, key event to first moved frame', `${ms(inputLatencyMs, 1)} (frame ${framesToMotion} after the key)`, '≤ 1 frame added'],
  ['own player: corrections while held (sizes p50 / max)', `${sizes.length} (${sizes.length ? `${median(sizes).toFixed(2)} / ${Math.max(...sizes).toFixed(2)} u` : '–'})`, ''],
  ['observer: freezes ≥ 50 ms of the mover', freezes, '0'],
  ['observer: longest still run of the mover', ms(longest), ''],
  ['mover: inputs queued at the server, per tick max / p95', `${Math.max(0, ...queueWhileHeld)} / ${percentile(queueWhileHeld, 95)}`, '≤ 3'],
  ['mover: inputs queued at the server, as the client heard (Tick header) max', Math.max(0, ...own.map((s) => s.queued)), ''],
  ['mover: unacknowledged inputs on the client, max (in flight + queued)', Math.max(0, ...own.map((s) => s.pending)), ''],
  ['server /health: late inputs · starved ticks · caught up · dropped', `${health.inputPlayout.late} · ${health.inputPlayout.starvedTicks} · ${health.inputPlayout.caughtUp} · ${health.inputPlayout.dropped}`, ''],
];
const hudRows: (readonly (string | number)[])[] = [
  ['delay behind the server\'s tick (time sync)', ms(median(huds.map((h) => h.behindServer))), ms(median(trueBehind))],
  ['delay behind the arrival line (interpolation buffer)', ms(median(huds.map((h) => h.behindArrival))), '–'],
  ['rtt (smoothed · fastest of the last 16)', `${ms(median(huds.map((h) => h.rtt)))} · ${ms(median(huds.map((h) => h.minRtt)))}`, `${ms(trueRtt)} (relay up + down, mean) · ${ms(trueMinRtt)} (fastest up + down)`],
  ['arrival jitter (p95 lateness of frames, 3.2 s window)', ms(median(huds.map((h) => h.jitter)), 1), `link ${ms(median(trueJitters), 1)} (relay) · server tick loop ${ms(median(tickJitters), 1)} (flush times), same window`],
  ['page frame lateness (skipped frames + late scripts, p95)', ms(last(huds).frameLateness, 1), `${ms(trueLateness, 1)} (drawn frames)`],
];

writeSection(
  'feel',
  `## Game feel in Chromium (\`npm run bench:feel\`)

${environmentLine()} Load average at start: ${load}. The demo in headless Chromium (default renderer: Canvas, as software WebGL is uneven), two browsers through a TCP relay adding ${LINK.delayMs} ± ${LINK.jitterMs} ms each way and a ${LINK.stallMs} ms stall on ${LINK.stallChance * 100} % of chunks; the mover holds a key for ${HOLD_MS} ms. Frames are sampled after the scene drew them.

${table(['measure', 'value', 'target'], rows)}

The observer's HUD (median over the hold, sampled every 250 ms; page frame lateness at release) against the true values (server tick times, relay delays, frame timestamps):

${table(['HUD figure', 'HUD shows', 'true'], hudRows)}
`,
);
process.exit(0);
