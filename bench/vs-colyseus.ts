/**
 * bench:vs-colyseus — the demo game end to end, tickwire against Colyseus 0.18, under the same
 * load: the same bots, orbs, Move steps and 20 Hz, players in groups of 50 that see their own
 * group only (tickwire: the demo server's view groups; Colyseus: one room per group, each with
 * the group's share of bots and orbs). Each server runs fresh in its own child process; runs are
 * interleaved (tickwire, Colyseus, then Colyseus, tickwire, …) so drift in the shared machine's
 * load falls on both. The generator ramps N players (at most 100 handshakes in flight, 10 s
 * timeout each), lets them settle, then holds for a few seconds measuring:
 *
 * - server CPU per delivered update: the server process's user+system CPU time (/proc) over the
 *   hold, divided by the state updates all players received (tickwire Tick frames, Colyseus
 *   state patches);
 * - server RSS at the end of the hold (/proc);
 * - wire bytes per update: what the players' TCP sockets read over the hold, per update;
 * - updates/s per player; handshake failures (joins that failed or timed out).
 *
 * Both kinds of player are lean: tickwire's are those of `npm run load` (handshake, join, steer,
 * count frames); Colyseus's join through @colyseus/sdk, then count patches and steer. Neither
 * decodes state: a busier receiver makes the server's loopback writes cheaper (fewer wake-ups),
 * so unequal clients would skew the server CPU being compared.
 *
 *   npm run bench:vs-colyseus -- [--sizes 100,300,1000,2000] [--rounds 2] [--hold 5] [--only tickwire|Colyseus] [--ports 27000-27999]
 *   (--only: one system, for profiling; nothing is written without both)
 *   BENCH_SMOKE=1 BENCH_NO_WRITE=1 npx tsx bench/vs-colyseus.ts     one tiny round, for CI
 *   VS_COLYSEUS_CPU_PROF=/tmp/prof npm run bench:vs-colyseus -- …    also write each server's V8 CPU profile there
 *                                                                   (bench/load/profile-summary.ts reads them)
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Client } from '@colyseus/sdk';
import { startChild } from './child-process';
import { LeanClient, type LoadCounters } from './load/lean-client';
import { environmentLine, table, writeSection } from './report';
import { fixed, grouped } from './stats';
import { ColyseusPlayer, type PlayerCounters } from './vs-colyseus/colyseus-player';
import { cpuTimes, kernelCounters, rssBytes } from './vs-colyseus/process-usage';

const smoke = process.env.BENCH_SMOKE === '1';
const { values } = parseArgs({ options: { sizes: { type: 'string' }, rounds: { type: 'string' }, hold: { type: 'string' }, only: { type: 'string' }, ports: { type: 'string' } } });
const SIZES = (values.sizes ?? (smoke ? '20' : '100,300,1000,2000')).split(',').map(Number);
const ROUNDS = Number(values.rounds ?? (smoke ? 1 : 2));
const HOLD_S = Number(values.hold ?? (smoke ? 1 : 5));
const BOTS = 250;
const ORBS = 120;
const GROUP = 50;
const TICK_RATE = 20;
const IN_FLIGHT = 100;
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** The whole run, whatever happens. */
const DEADLINE_MS = smoke ? 40_000 : 30 * 60_000;
/** Servers listen on 127.0.0.1, on a free port of this range (issue 17b's by default; `--ports from-to` for another engineer's). */
const PORTS = (() => {
  const [from, to] = (values.ports ?? '27000-27999').split('-').map(Number);
  if (!Number.isInteger(from) || !Number.isInteger(to) || from! < 1024 || to! > 65_535 || to! - from! < 2) throw new Error('--ports takes from-to, e.g. 35000-35999');
  return { from: from!, to: to! };
})();
const ROOT = new URL('../', import.meta.url).pathname;
const PROFILE_DIR = process.env.VS_COLYSEUS_CPU_PROF;
/** V8 names each profile CPU.<date>.<pid>.<thread>…: the largest file of a pid is its main thread. */
const profileFlags = (name: string): string[] => (PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}/${name}`] : []);

for (const n of [...SIZES, ROUNDS, HOLD_S]) if (!Number.isFinite(n) || n <= 0) throw new Error('--sizes, --rounds and --hold take positive numbers');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const started = performance.now();
/** The machine's 1-minute load when the bench started (other engineers' work shares the 2 cores). */
const LOAD_AT_START = os.loadavg()[0]!.toFixed(2);
const overdue = () => performance.now() - started > DEADLINE_MS;

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

let nextPort = PORTS.from;
/** A free port (and the one after it: the tickwire demo puts its metrics listener there). */
async function freePort(): Promise<number> {
  for (let tries = 0; tries < PORTS.to - PORTS.from; tries++) {
    const port = nextPort;
    nextPort = nextPort + 2 > PORTS.to ? PORTS.from : nextPort + 2;
    if ((await portFree(port)) && (await portFree(port + 1))) return port;
  }
  throw new Error(`no free port pair in ${PORTS.from}–${PORTS.to}`);
}

/** A bench player of either kind. */
interface Player {
  open(timeoutMs: number): Promise<boolean>;
  readonly wireBytesRead: number;
  terminate(): void;
}

/** One system under test: how to start its server and make its players. */
interface System {
  readonly name: 'tickwire' | 'Colyseus';
  start(port: number, groups: number, clients: number): Promise<{ pid: number; stop(): Promise<void> }>;
  players(port: number): { make(index: number): Player; updates(): number; failed(): number; why?(): string };
}

const tickwire: System = {
  name: 'tickwire',
  async start(port, groups, clients) {
    const child = spawn(
      process.execPath,
      [...profileFlags('tickwire'), '--import', 'tsx', 'server/src/main.ts', '--port', String(port), '--host', '127.0.0.1', '--tick-rate', String(TICK_RATE), '--bots', String(BOTS), '--orbs', String(ORBS), '--max-players', String(clients), '--view-groups', String(groups), '--log-level', 'error'],
      { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NODE_ENV: 'production', TICKWIRE_ADDRESS_LIMITS: 'off' } },
    );
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const stop = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    };
    for (let i = 0; i < 200; i++) {
      await sleep(100);
      if (child.exitCode !== null) throw new Error(`tickwire demo server exited with ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
      if (ok) return { pid: child.pid!, stop };
    }
    await stop();
    throw new Error('tickwire demo server did not answer /health within 20 s');
  },
  players(port) {
    const counters: LoadCounters = { welcomed: 0, failed: 0, closed: 0, frames: 0, bytes: 0, arrivals: [], sampleLimit: 0, closeCodes: new Map(), failureCodes: new Map() };
    const url = `ws://127.0.0.1:${port}/ws`;
    const why = () => [...counters.failureCodes!].map(([code, n]) => `${code === 0 ? 'timeout' : code}×${n}`).join(', ');
    return { make: (index) => new LeanClient(url, index, counters, false), updates: () => counters.frames, failed: () => counters.failed, why };
  },
};

const colyseus: System = {
  name: 'Colyseus',
  async start(port, groups) {
    const child = await startChild<{ port: number }>(`${ROOT}bench/vs-colyseus/colyseus-server.ts`, ['--port', String(port), '--bots', String(BOTS), '--orbs', String(ORBS), '--groups', String(groups), '--tick-rate', String(TICK_RATE)], {
      env: { ...process.env, NODE_ENV: 'production' },
      nodeArgs: profileFlags('colyseus'),
    });
    return { pid: child.process.pid!, stop: () => child.stop() };
  },
  players(port) {
    const counters: PlayerCounters = { updates: 0, failed: 0 };
    const client = new Client(`http://127.0.0.1:${port}`);
    return { make: (index) => new ColyseusPlayer(client, index, counters), updates: () => counters.updates, failed: () => counters.failed };
  },
};

interface Run {
  system: System['name'];
  clients: number;
  connected: number;
  failed: number;
  cpuUsPerUpdate: number;
  /** The part of cpuUsPerUpdate spent in the kernel. */
  kernelUsPerUpdate: number;
  rssMb: number;
  bytesPerUpdate: number;
  updatesPerClient: number;
  serverCpuPercent: number;
  generatorCpuPercent: number;
}

async function measure(system: System, clients: number): Promise<Run> {
  const groups = Math.max(1, Math.ceil(clients / GROUP));
  const port = await freePort();
  const server = await system.start(port, groups, clients);
  const { make, updates, failed, why } = system.players(port);
  const players: Player[] = [];
  try {
    const pending = new Set<Promise<boolean>>();
    let connected = 0;
    while (players.length < clients && !overdue()) {
      const player = make(players.length);
      players.push(player);
      const opening = player.open(HANDSHAKE_TIMEOUT_MS).then((ok) => {
        if (ok) connected++;
        return ok;
      });
      pending.add(opening);
      void opening.finally(() => pending.delete(opening));
      if (pending.size >= IN_FLIGHT) await Promise.race(pending);
    }
    await Promise.all(pending);
    await sleep(1_000);
    const wire0 = players.reduce((sum, p) => sum + p.wireBytesRead, 0);
    const updates0 = updates();
    const cpu0 = cpuTimes(server.pid);
    const kernel0 = kernelCounters(server.pid);
    const generator0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(HOLD_S * 1_000);
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = cpuTimes(server.pid);
    const kernel1 = kernelCounters(server.pid);
    const kernelCpu = cpu1.kernelMs - cpu0.kernelMs;
    const serverCpu = cpu1.userMs - cpu0.userMs + kernelCpu;
    const generator = process.cpuUsage(generator0);
    const delivered = updates() - updates0;
    const wire = players.reduce((sum, p) => sum + p.wireBytesRead, 0) - wire0;
    const run: Run = {
      system: system.name,
      clients,
      connected,
      failed: failed(),
      cpuUsPerUpdate: (serverCpu * 1000) / delivered,
      kernelUsPerUpdate: (kernelCpu * 1000) / delivered,
      rssMb: rssBytes(server.pid) / 2 ** 20,
      bytesPerUpdate: wire / delivered,
      updatesPerClient: delivered / seconds / Math.max(1, connected),
      serverCpuPercent: (serverCpu / (seconds * 1000)) * 100,
      generatorCpuPercent: ((generator.user + generator.system) / 1000 / (seconds * 1000)) * 100,
    };
    console.log(
      `${run.system} ${grouped(clients)}: ${grouped(connected)} in, ${run.failed} failed | ${fixed(run.cpuUsPerUpdate, 1)} µs CPU/update (kernel ${fixed(run.kernelUsPerUpdate, 1)}) | ` +
        `${grouped(run.rssMb)} MB RSS | ${fixed(run.bytesPerUpdate, 0)} B/update | ${fixed(run.updatesPerClient, 1)} updates/s per player | ` +
        `server CPU ${fixed(run.serverCpuPercent, 0)} % | generator CPU ${fixed(run.generatorCpuPercent, 0)} %` +
        (run.failed > 0 && why ? ` | failures: ${why()}` : '') +
        ` | per 1,000 updates: ${fixed(((kernel1.minorFaults - kernel0.minorFaults) * 1000) / delivered, 1)} page faults, ` +
        `${fixed(((kernel1.voluntarySwitches - kernel0.voluntarySwitches) * 1000) / delivered, 1)} + ${fixed(((kernel1.involuntarySwitches - kernel0.involuntarySwitches) * 1000) / delivered, 1)} context switches (voluntary + not)`,
    );
    return run;
  } finally {
    for (const player of players) player.terminate();
    await server.stop();
    await sleep(500);
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(): Promise<void> {
  const runs: Run[] = [];
  for (const clients of SIZES) {
    for (let round = 0; round < ROUNDS && !overdue(); round++) {
      const order = round % 2 === 0 ? [tickwire, colyseus] : [colyseus, tickwire];
      for (const system of order) if (!overdue() && (values.only === undefined || values.only === system.name)) runs.push(await measure(system, clients));
    }
  }
  const rows: (string | number)[][] = [];
  const ratio = (a: number, b: number, digits = 2) => `${fixed(a / b, digits)}×`;
  for (const clients of SIZES) {
    const of = (name: System['name']) => runs.filter((r) => r.clients === clients && r.system === name);
    const t = of('tickwire');
    const c = of('Colyseus');
    if (t.length === 0 || c.length === 0) continue;
    const avg = (rs: Run[], key: keyof Run) => mean(rs.map((r) => r[key] as number));
    const sum = (rs: Run[], key: keyof Run) => rs.reduce((s, r) => s + (r[key] as number), 0);
    for (const [name, rs] of [['tickwire', t], ['Colyseus', c]] as const) {
      rows.push([
        grouped(clients),
        name,
        `${grouped(avg(rs, 'connected'))}`,
        fixed(avg(rs, 'cpuUsPerUpdate'), 1),
        grouped(avg(rs, 'rssMb')),
        fixed(avg(rs, 'bytesPerUpdate'), 0),
        fixed(avg(rs, 'updatesPerClient'), 1),
        `${sum(rs, 'failed')}`,
        `${fixed(avg(rs, 'serverCpuPercent'), 0)} %`,
        `${fixed(avg(rs, 'generatorCpuPercent'), 0)} %`,
      ]);
    }
    rows.push([
      grouped(clients),
      '**tickwire ÷ Colyseus**',
      '',
      `**${ratio(avg(t, 'cpuUsPerUpdate'), avg(c, 'cpuUsPerUpdate'))}**`,
      `**${ratio(avg(t, 'rssMb'), avg(c, 'rssMb'))}**`,
      `**${ratio(avg(t, 'bytesPerUpdate'), avg(c, 'bytesPerUpdate'))}**`,
      ratio(avg(t, 'updatesPerClient'), avg(c, 'updatesPerClient')),
      `${sum(t, 'failed')} vs ${sum(c, 'failed')}`,
      '',
      '',
    ]);
  }
  const markdown = [
    '## End to end against Colyseus (`npm run bench:vs-colyseus`)',
    '',
    `${environmentLine()} @colyseus/core, @colyseus/ws-transport and @colyseus/sdk 0.18. Load average (1 min) at start: ${LOAD_AT_START}, at the end: ${os.loadavg()[0]!.toFixed(2)}.`,
    '',
    `The demo game on both: ${BOTS} bots (wander, bounce, shove), ${ORBS} orbs (collect, respawn), players stepping on Move, ${TICK_RATE} Hz simulation and updates; ` +
      `players in groups of ${GROUP} that see only their group (tickwire: the demo server's view groups; Colyseus 0.18: one room per group, with the group's share of bots and orbs). ` +
      `Fresh server per run, in its own process, on 127.0.0.1; runs interleaved (${ROUNDS} per system and size, figures averaged); ${IN_FLIGHT} handshakes in flight, ${HANDSHAKE_TIMEOUT_MS / 1000} s timeout; each run held ${HOLD_S} s after a 1 s settle. ` +
      'CPU is the server process\'s user+system time over the hold (from /proc) per update delivered to all players; bytes are what the players\' TCP sockets read, per update. ' +
      'Both kinds of player are lean and alike: tickwire\'s are the clients of `npm run load`; Colyseus\'s join through @colyseus/sdk and then, like them, count updates and steer every 2 s without decoding state ' +
      '(a busy receiver makes the server\'s loopback writes cheaper, so unequal clients would skew server CPU). Generator and servers share the same 2 cores with other work on the machine.',
    '',
    table(['players', 'server', 'joined', 'server CPU µs / update', 'server RSS MB', 'wire bytes / update', 'updates/s per player', 'handshake failures', 'server CPU', 'generator CPU'], rows),
    '',
    'Targets (issue 17): CPU per update ≤ 0.5×, RSS ≤ 1.0×, bytes ≤ 0.5×, no more handshake failures than Colyseus.',
  ].join('\n');
  writeSection('vs-colyseus', markdown);
}

await main();
