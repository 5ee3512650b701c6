/**
 * Load generator: ramps up to N lean WebSocket clients against the demo server (bots on, players
 * dealt into view groups, ticking at 20 Hz), measuring at 5/10/25/50/75/100 % of N.
 *
 *   npm run load -- [--clients 10000] [--duration 8] [--group-size 50] [--bots 250] [--send-interval 1]
 *   (--send-interval N: the server sends each client a frame every N ticks — tickwire's
 *   `sendInterval` — still simulating at 20 Hz; its results go to a section of their own)
 *   BENCH_SMOKE=1 BENCH_NO_WRITE=1 npx tsx bench/load/run.ts     ~100 clients, for CI
 *   LOAD_SERVER_CPU_PROF=/tmp/prof npm run load -- …               also profile the server (bench/load/profile-summary.ts reads it)
 *
 * The demo server runs as its own child process (`server/src/main.ts`). Figures:
 * - connections/s: Welcome frames received per second while ramping (at most 200 handshakes in flight);
 * - server tick p50/p99: from the server itself (`/health` → `ticks`, the last 400 ticks);
 * - memory per connection: growth of the server's RSS (`/health` → `memory`) since before the first client, over connections;
 * - state updates/s: Tick frames delivered to all clients per second, and their bytes;
 * - delivery latency: from the start of the server tick that produced a frame (`/health` →
 *   `ticks.starts`, wall clock) to its arrival in a sampled client's socket callback (wall clock,
 *   same machine), so it includes the tick's own work, the flush, loopback, and the generator's
 *   event-loop delay — which is why the generator's CPU is shown too.
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { environmentLine, table, writeSection } from '../report';
import { fixed, grouped, summary } from '../stats';
import { LeanClient, type LoadCounters } from './lean-client';

const smoke = process.env.BENCH_SMOKE === '1';
const { values } = parseArgs({
  options: {
    clients: { type: 'string' },
    duration: { type: 'string' },
    'group-size': { type: 'string' },
    bots: { type: 'string' },
    'send-interval': { type: 'string' },
  },
});
const CLIENTS = Number(values.clients ?? (smoke ? 100 : 10_000));
const HOLD_S = Number(values.duration ?? (smoke ? 1.5 : 8));
const GROUP_SIZE = Number(values['group-size'] ?? 50);
const BOTS = Number(values.bots ?? 250);
const SEND_INTERVAL = Number(values['send-interval'] ?? 1);
const TICK_RATE = 20;
const IN_FLIGHT = 200;
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** Nothing about this run may take longer, whatever the server does. */
const DEADLINE_MS = smoke ? 60_000 : 15 * 60_000;
const SAMPLE_EVERY = Math.max(1, Math.round(CLIENTS / 500));
const ROOT = new URL('../../', import.meta.url).pathname;

for (const [name, value] of [['clients', CLIENTS], ['duration', HOLD_S], ['group-size', GROUP_SIZE], ['bots', BOTS], ['send-interval', SEND_INTERVAL]] as const) {
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number`);
}

/** Both this process and the server need a descriptor per connection. Node cannot call setrlimit, so a shell raises it and runs us again. */
function ensureFileLimit(): void {
  const needed = CLIENTS + 512;
  const soft = Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
  if (!Number.isFinite(soft) || soft >= needed) return;
  if (process.env.TICKWIRE_LOAD_REEXEC === '1') {
    console.error(`open-file limit is ${soft}, ${needed} needed for ${CLIENTS} clients. Raise it and run again:\n  ulimit -n ${needed}    (above the hard limit: as root, or raise "nofile" in /etc/security/limits.conf)`);
    process.exit(2);
  }
  console.log(`raising the open-file limit from ${soft} to ${needed} (ulimit -n) and starting again`);
  const child = spawn('sh', ['-c', `ulimit -n ${needed} 2>/dev/null || ulimit -n hard; exec "$@"`, 'sh', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, TICKWIRE_LOAD_REEXEC: '1' },
  });
  child.on('exit', (code) => process.exit(code ?? 1));
  throw new ReexecStarted();
}

class ReexecStarted extends Error {}

/** `LOAD_SERVER_CPU_PROF=<dir>` writes a V8 CPU profile of the demo server there when it exits (see bench/load/profile-summary.ts). */
function serverProfileFlags(): string[] {
  const dir = process.env.LOAD_SERVER_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

interface Health {
  connections: number;
  players: number;
  ticks: { count: number; p50Ms: number; p99Ms: number; maxMs: number; starts: [number, number][] };
  memory: { rssBytes: number; heapUsedBytes: number };
}

interface StageResult {
  clients: number;
  connectRate: number;
  tickP50: number;
  tickP99: number;
  rssMb: number;
  kbPerConnection: number;
  framesPerSecond: number;
  mbPerSecond: number;
  deliveryP50: number;
  deliveryP99: number;
  generatorCpu: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  ensureFileLimit();
  // The machine is shared: capacity moves with what else runs, so the section says how busy it was.
  const loadAtStart = os.loadavg()[0]!.toFixed(2);
  const started = performance.now();
  const overdue = () => performance.now() - started > DEADLINE_MS;
  const port = await freePort();
  const groups = Math.max(1, Math.ceil(CLIENTS / GROUP_SIZE));
  const server = spawn(
    process.execPath,
    [...serverProfileFlags(), '--import', 'tsx', 'server/src/main.ts', '--port', String(port), '--host', '127.0.0.1', '--tick-rate', String(TICK_RATE), '--send-interval', String(SEND_INTERVAL), '--bots', String(BOTS), '--max-players', String(Math.max(1, CLIENTS)), '--view-groups', String(groups), '--log-level', 'error'],
    // As deployed: NODE_ENV=production, so development-only checks (the every-tick mark verifier) are off.
    // Every generated client comes from 127.0.0.1: lift the per-address limits (see the README's Security section).
    // /health is read on the game port; the metrics listener (port + 1 by default) takes an ephemeral port, so a neighbour holding port + 1 cannot fail the run.
    { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NODE_ENV: 'production', TICKWIRE_ADDRESS_LIMITS: 'off', TICKWIRE_METRICS_PORT: '0' } },
  );
  const serverExited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  const health = async (): Promise<Health> => (await (await fetch(`${base}/health`)).json()) as Health;
  const clients: LeanClient[] = [];
  try {
    let baseline: Health | undefined;
    for (let i = 0; i < 200 && !baseline; i++) {
      await sleep(100);
      if (server.exitCode !== null) throw new Error(`demo server exited with ${server.exitCode}`);
      baseline = await health().catch(() => undefined);
    }
    if (!baseline) throw new Error('demo server did not answer /health within 20 s');
    await sleep(1_000);
    baseline = await health();
    console.log(`demo server on port ${port}: ${BOTS} bots, ${groups} view groups of ~${GROUP_SIZE}, ${TICK_RATE} Hz; ramping to ${grouped(CLIENTS)} clients`);

    const counters: LoadCounters = { welcomed: 0, failed: 0, closed: 0, frames: 0, bytes: 0, arrivals: [], sampleLimit: 400_000, closeCodes: new Map() };
    const tickStarts = new Map<number, number>();
    let latest: Health = baseline;
    const poll = async (): Promise<void> => {
      latest = await health();
      for (const [tick, at] of latest.ticks.starts) tickStarts.set(tick, at);
      if (tickStarts.size > 5_000) for (const tick of [...tickStarts.keys()].slice(0, tickStarts.size - 5_000)) tickStarts.delete(tick);
    };
    let lastProgress = { at: performance.now(), frames: 0, welcomed: 0, cpu: process.cpuUsage() };
    const progress = setInterval(() => {
      void poll()
        .then(() => {
          const now = performance.now();
          const seconds = (now - lastProgress.at) / 1000;
          const cpu = process.cpuUsage(lastProgress.cpu);
          console.log(
            `[${fixed((now - started) / 1000, 0)} s] clients ${grouped(counters.welcomed - counters.closed)}/${grouped(CLIENTS)}` +
              ` | connect ${grouped((counters.welcomed - lastProgress.welcomed) / seconds)}/s | tick p50 ${fixed(latest.ticks.p50Ms)} ms p99 ${fixed(latest.ticks.p99Ms)} ms` +
              ` | server RSS ${grouped(latest.memory.rssBytes / 2 ** 20)} MB | ${grouped((counters.frames - lastProgress.frames) / seconds)} frames/s` +
              ` | generator CPU ${fixed(((cpu.user + cpu.system) / 1000 / (now - lastProgress.at)) * 100, 0)} %` +
              (counters.failed > 0 ? ` | failed ${counters.failed}` : ''),
          );
          lastProgress = { at: now, frames: counters.frames, welcomed: counters.welcomed, cpu: process.cpuUsage() };
        })
        .catch(() => console.log('(health poll failed)'));
    }, 1_000);

    const url = `ws://127.0.0.1:${port}/ws`;
    const results: StageResult[] = [];
    const stages = smoke ? [CLIENTS] : [0.05, 0.1, 0.25, 0.5, 0.75, 1].map((f) => Math.round(CLIENTS * f));
    /** Why the ramp ended before N, if it did: the server can no longer take connections. */
    let stoppedBecause = '';
    try {
      for (const target of stages) {
        const rampStart = performance.now();
        const welcomedBefore = counters.welcomed;
        const pending = new Set<Promise<boolean>>();
        while (clients.length < target && !overdue()) {
          if (server.exitCode !== null) throw new Error('demo server died during the ramp');
          if (counters.failed > Math.max(10, CLIENTS * 0.02)) {
            stoppedBecause = `ramp stopped at ${grouped(clients.length)} attempted clients: ${counters.failed} handshakes failed or timed out (${HANDSHAKE_TIMEOUT_MS / 1000} s)`;
            break;
          }
          const client = new LeanClient(url, clients.length, counters, clients.length % SAMPLE_EVERY === 0);
          clients.push(client);
          const opening = client.open(HANDSHAKE_TIMEOUT_MS);
          pending.add(opening);
          void opening.finally(() => pending.delete(opening));
          if (pending.size >= IN_FLIGHT) await Promise.race(pending);
        }
        await Promise.all(pending);
        const connectRate = (counters.welcomed - welcomedBefore) / ((performance.now() - rampStart) / 1000);
        // Let joins settle into the world before measuring.
        await sleep(1_000);
        counters.arrivals.length = 0;
        const frames0 = counters.frames;
        const bytes0 = counters.bytes;
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        await sleep(HOLD_S * 1_000);
        const seconds = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        await poll();
        const delivery: number[] = [];
        const arrivals = counters.arrivals;
        for (let i = 0; i < arrivals.length; i += 2) {
          const start = tickStarts.get(arrivals[i]!);
          if (start !== undefined) delivery.push(arrivals[i + 1]! - start);
        }
        const d = summary(delivery);
        const connected = counters.welcomed - counters.closed;
        results.push({
          clients: connected,
          connectRate,
          tickP50: latest.ticks.p50Ms,
          tickP99: latest.ticks.p99Ms,
          rssMb: latest.memory.rssBytes / 2 ** 20,
          kbPerConnection: connected > 0 ? (latest.memory.rssBytes - baseline.memory.rssBytes) / 1024 / connected : Number.NaN,
          framesPerSecond: (counters.frames - frames0) / seconds,
          mbPerSecond: (counters.bytes - bytes0) / seconds / 2 ** 20,
          deliveryP50: d.p50,
          deliveryP99: d.p99,
          generatorCpu: ((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 100,
        });
        console.log(`stage ${grouped(target)} measured (${grouped(d.count)} delivery samples)`);
        if (overdue()) stoppedBecause ||= `stopped at the ${DEADLINE_MS / 60_000}-minute deadline`;
        if (stoppedBecause) break;
      }
    } finally {
      clearInterval(progress);
    }

    const rows = results.map((r) => [
      grouped(r.clients),
      grouped(r.connectRate),
      fixed(r.tickP50),
      fixed(r.tickP99),
      grouped(r.rssMb),
      fixed(r.kbPerConnection, 1),
      grouped(r.framesPerSecond),
      fixed(r.mbPerSecond, 1),
      fixed(r.deliveryP50, 1),
      fixed(r.deliveryP99, 1),
      `${fixed(r.generatorCpu, 0)} %`,
    ]);
    const codes = [...counters.closeCodes].map(([code, n]) => `${code}×${n}`).join(', ') || 'none';
    const markdown = [
      SEND_INTERVAL === 1 ? '## Load (`npm run load`)' : `## Load at a ${TICK_RATE / SEND_INTERVAL} Hz update rate (\`npm run load -- --send-interval ${SEND_INTERVAL}\`)`,
      '',
      `${environmentLine()} Load average (1 min) at start: ${loadAtStart}, at the end: ${os.loadavg()[0]!.toFixed(2)}.`,
      '',
      `The demo server (child process, ${TICK_RATE} Hz${SEND_INTERVAL === 1 ? '' : `, each client sent a frame every ${SEND_INTERVAL} ticks`}, ${BOTS} bots, players dealt into ${groups} view groups of ~${GROUP_SIZE} that never see each other) against lean clients ` +
        '(a raw WebSocket over TCP + tickwire handshake; each joins, then steers every 2 s) from a separate generator process on the same 2 cores, over loopback, at 5/10/25/50/75/100 % of ' +
        `${grouped(CLIENTS)} clients, each stage held ${HOLD_S} s. Tick times and memory come from the server's \`/health\`; delivery latency runs from the start of the tick that produced a frame to its arrival at a sampled client (1 in ${SAMPLE_EVERY}), wall clock on one machine, so it includes the generator's own event-loop delay.`,
      '',
      table(['clients', 'connect/s', 'tick p50 ms', 'tick p99 ms', 'server RSS MB', 'KB per connection', 'state frames/s', 'MB/s', 'delivery p50 ms', 'delivery p99 ms', 'generator CPU'], rows),
      '',
      stoppedBecause ? `**Saturated: ${stoppedBecause}.** ` : '',
      `Handshake failures: ${counters.failed}; connections closed by the server during the run: ${counters.closed} (codes: ${codes}). Tick budget at ${TICK_RATE} Hz: ${1000 / TICK_RATE} ms.`,
    ].join('\n');
    writeSection(SEND_INTERVAL === 1 ? 'load' : `load-send-interval-${SEND_INTERVAL}`, markdown);
  } finally {
    for (const client of clients) client.terminate();
    server.kill('SIGTERM');
    const killer = setTimeout(() => server.kill('SIGKILL'), 10_000);
    await serverExited;
    clearTimeout(killer);
  }
}

try {
  await main();
} catch (error) {
  if (!(error instanceof ReexecStarted)) throw error;
}
