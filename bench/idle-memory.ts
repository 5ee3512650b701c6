/**
 * Server memory per idle connection: tickwire (demo protocol, 20 Hz, handshaken clients that
 * send nothing but Pongs) against a bare `ws` server holding the same number of sockets, in one run.
 *
 *   npm run bench:idle-memory -- [--clients 2000] [--rounds 2]
 *   BENCH_SMOKE=1 BENCH_NO_WRITE=1 npx tsx bench/idle-memory.ts     50 clients, for CI
 *   IDLE_MEMORY_SERVER_FLAGS='--max-semi-space-size=1' BENCH_NO_WRITE=1 npm run bench:idle-memory   extra node flags for both servers (V8 tuning experiments)
 *   IDLE_MEMORY_HEAP_SNAPSHOT=/tmp/snap BENCH_NO_WRITE=1 npm run bench:idle-memory -- --rounds 1   also a heap snapshot of each server with every client held
 *
 * Each server runs in a fresh child process with `--expose-gc`. Before the first client and after
 * the last one settled it collects garbage twice and reports heap used, external (ArrayBuffers,
 * sockets' native buffers) and RSS; the figure is the growth divided by the clients held. Clients
 * connect 100 at a time from this process (raw WebSocket over TCP + tickwire Hello); handshakes
 * that fail or time out (10 s) are counted. Last, in this process, what an idle tick costs per
 * connection held, in time and garbage (bench/idle-memory/tick-cost.ts, no sockets).
 */
import { protocol } from '@tickwire/demo-shared';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { ByteReader, FrameKind, PROTOCOL_VERSION, encodeHello, encodePong } from '../engine-plugin/src/protocol';
import { type BenchChild, startChild } from './child-process';
import { measureIdleTick } from './idle-memory/tick-cost';
import { RawWebSocket } from './load/raw-websocket';
import { environmentLine, table, writeSection } from './report';

const smoke = process.env.BENCH_SMOKE === '1';
const { values } = parseArgs({ options: { clients: { type: 'string' }, rounds: { type: 'string' } } });
const CLIENTS = Number(values.clients ?? (smoke ? 50 : 2_000));
const ROUNDS = Number(values.rounds ?? (smoke ? 1 : 2));
const IN_FLIGHT = 100;
const HANDSHAKE_TIMEOUT_MS = 10_000;
const SETTLE_MS = smoke ? 500 : 3_000;
const TARGET_BYTES = 16 * 1024;
const LOAD_AT_START = os.loadavg()[0]!.toFixed(2);
const SCRIPT = new URL('./idle-memory/server.ts', import.meta.url).pathname;

type Mode = 'tickwire' | 'raw';
interface Memory {
  heap: number;
  external: number;
  rss: number;
}
interface Sample {
  held: number;
  failed: number;
  heap: number;
  external: number;
  rss: number;
}

const hello = encodeHello({ version: PROTOCOL_VERSION, fingerprint: protocol.fingerprint, resumeToken: '', received: 0 });

/** Connect one client; resolves with its socket once Welcome (tickwire) or the upgrade (raw) arrived, or undefined. */
function connect(mode: Mode, port: number): Promise<RawWebSocket | undefined> {
  return new Promise((resolve) => {
    let done = false;
    const settle = (ok: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (!ok) socket.terminate();
      resolve(ok ? socket : undefined);
    };
    const timer = setTimeout(() => settle(false), HANDSHAKE_TIMEOUT_MS);
    const socket: RawWebSocket = new RawWebSocket(`ws://127.0.0.1:${port}/ws`, {
      open: () => {
        if (mode === 'raw') settle(true);
        else socket.send(hello);
      },
      message: (data) => {
        if (data[0] === FrameKind.Welcome) settle(true);
        else if (data[0] === FrameKind.Ping) socket.send(encodePong({ echo: new ByteReader(data, 1).f64(), time: Date.now(), tick: 0 }));
      },
      close: () => settle(false),
    });
  });
}

async function measure(child: BenchChild<{ port: number }>): Promise<Memory> {
  const from = child.lines.length;
  child.process.stdin!.write('measure\n');
  for (;;) {
    const line = child.lines.slice(from).find((l) => l.startsWith('MEM '));
    if (line) return JSON.parse(line.slice(4)) as Memory;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function snapshot(child: BenchChild<{ port: number }>, file: string): Promise<void> {
  const from = child.lines.length;
  child.process.stdin!.write(`snapshot ${file}\n`);
  while (!child.lines.slice(from).some((l) => l.startsWith('SNAPSHOT '))) await new Promise((resolve) => setTimeout(resolve, 50));
  console.log(`heap snapshot: ${file}`);
}

async function run(mode: Mode): Promise<Sample> {
  const extraFlags = (process.env.IDLE_MEMORY_SERVER_FLAGS ?? '').split(' ').filter(Boolean);
  const child = await startChild<{ port: number }>(SCRIPT, [mode], { nodeArgs: ['--expose-gc', ...extraFlags] });
  const sockets: RawWebSocket[] = [];
  let failed = 0;
  try {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const before = await measure(child);
    for (let i = 0; i < CLIENTS; i += IN_FLIGHT) {
      const batch = await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, CLIENTS - i) }, () => connect(mode, child.ready.port)));
      for (const socket of batch) socket ? sockets.push(socket) : failed++;
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const after = await measure(child);
    const snapshots = process.env.IDLE_MEMORY_HEAP_SNAPSHOT;
    if (snapshots) await snapshot(child, `${snapshots}/${mode}-${CLIENTS}.heapsnapshot`);
    const held = sockets.filter((s) => s.isOpen).length;
    const per = (key: keyof Memory) => (after[key] - before[key]) / Math.max(1, held);
    return { held, failed, heap: per('heap'), external: per('external'), rss: per('rss') };
  } finally {
    for (const socket of sockets) socket.terminate();
    await child.stop();
  }
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const samples: Record<Mode, Sample[]> = { tickwire: [], raw: [] };
for (let round = 0; round < ROUNDS; round++) {
  // Interleaved, the order flipped each round, so drift on the shared machine hits both alike.
  for (const mode of (round % 2 === 0 ? ['tickwire', 'raw'] : ['raw', 'tickwire']) as Mode[]) {
    const sample = await run(mode);
    samples[mode].push(sample);
    console.log(`${mode}: held ${sample.held}, failed ${sample.failed}, heap ${kb(sample.heap)} KB, external ${kb(sample.external)} KB, rss ${kb(sample.rss)} KB per connection`);
  }
}

const mean = (list: Sample[], key: keyof Sample) => list.reduce((sum, s) => sum + s[key], 0) / list.length;
const row = (name: string, list: Sample[]) => [
  name,
  Math.round(mean(list, 'held')).toLocaleString('en-US'),
  mean(list, 'failed'),
  kb(mean(list, 'heap')),
  kb(mean(list, 'external')),
  kb(mean(list, 'heap') + mean(list, 'external')),
  kb(mean(list, 'rss')),
];
const t = samples.tickwire;
const r = samples.raw;
const ownHeap = mean(t, 'heap') + mean(t, 'external');
const rawHeap = mean(r, 'heap') + mean(r, 'external');
const idleTick = await measureIdleTick(CLIENTS, smoke ? 100 : 1_000);
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : '—');
const markdown = [
  '## Memory per idle connection (`npm run bench:idle-memory`)',
  '',
  `${environmentLine()} Load average (1 min) at start: ${LOAD_AT_START}, at the end: ${os.loadavg()[0]!.toFixed(2)}.`,
  '',
  `${CLIENTS.toLocaleString('en-US')} clients connect ${IN_FLIGHT} at a time and stay idle (tickwire: Hello, Welcome, then only Pongs; raw: the upgrade only) to a fresh server in its own process: tickwire with the demo game's protocol ticking at 20 Hz with no entities, or a bare \`ws\` server. Memory is read in the server after two full garbage collections, before the first client and ${SETTLE_MS / 1000} s after the last; the table shows the growth per connection held, averaged over ${ROUNDS} interleaved run(s) each. "JS + buffers" is heap used plus external (ArrayBuffers and native socket buffers) — the precise figure; RSS also counts the allocator's slack and is noisy.`,
  '',
  table(['server', 'held', 'handshakes failed', 'heap KB / conn', 'external KB / conn', 'JS + buffers KB / conn', 'RSS KB / conn'], [
    row('tickwire', t),
    row('raw `ws`', r),
    ['**tickwire − raw `ws`**', '', '', kb(mean(t, 'heap') - mean(r, 'heap')), kb(mean(t, 'external') - mean(r, 'external')), `**${kb(ownHeap - rawHeap)}**`, kb(mean(t, 'rss') - mean(r, 'rss'))],
    ['**tickwire ÷ raw `ws`**', '', '', ratio(mean(t, 'heap'), mean(r, 'heap')), ratio(mean(t, 'external'), mean(r, 'external')), `**${ratio(ownHeap, rawHeap)}**`, ratio(mean(t, 'rss'), mean(r, 'rss'))],
  ]),
  '',
  `An idle tick (\`receive\` + \`replicate\` + \`flush\` with ${idleTick.clients.toLocaleString('en-US')} connections held and nothing to send, no sockets: bench/idle-memory/tick-cost.ts) costs ${idleTick.nanoseconds.toFixed(0)} ns and allocates ${idleTick.bytes.toFixed(1)} bytes per connection.`,
  '',
  `Target (issue 17): ≤ 16 KB of server memory per idle connection: JS + buffers **${kb(ownHeap)} KB**, RSS **${kb(mean(t, 'rss'))} KB** — ${ownHeap <= TARGET_BYTES && mean(t, 'rss') <= TARGET_BYTES ? 'met' : 'missed'}.`,
].join('\n');
writeSection('idle-memory', markdown);
