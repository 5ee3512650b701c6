/**
 * permessage-deflate on the demo's own traffic: bytes on the wire saved against server CPU.
 *
 *   npm run bench:compression                                    full run, writes its section of docs/benchmarks.md
 *   BENCH_SMOKE=1 BENCH_NO_WRITE=1 npx tsx bench/compression.ts   seconds, for CI
 *
 * The demo server (250 bots, 120 orbs, 20 Hz) runs in a child process, once with the transport's
 * `perMessageDeflate` off and once on (`ws` defaults: only frames of 1 KiB or more are
 * compressed); the same number of lean clients join and steer every 2 s. Wire bytes are what the
 * clients' TCP sockets read (WebSocket framing included); frame bytes are tickwire's frames before
 * compression; server CPU is the child's whole CPU time (all threads) over its ticks.
 */
import { type BenchChild, startChild } from './child-process';
import { LeanClient, type LoadCounters } from './load/lean-client';
import { environmentLine, table, writeSection } from './report';
import { fixed, grouped } from './stats';

const smoke = process.env.BENCH_SMOKE === '1';
const PLAYERS = smoke ? 10 : 50;
const WINDOW_S = smoke ? 1.5 : 8;
const SERVER = new URL('./compression-server.ts', import.meta.url).pathname;

interface Stats {
  ticks: number;
  cpuUs: number;
  frameBytes: number;
}

interface Result extends Stats {
  wireBytes: number;
}

async function run(deflate: boolean): Promise<Result> {
  const child: BenchChild<{ port: number }> = await startChild<{ port: number }>(SERVER, [deflate ? 'deflate' : 'plain', String(PLAYERS), String(WINDOW_S)]);
  const clients: LeanClient[] = [];
  try {
    const counters: LoadCounters = { welcomed: 0, failed: 0, closed: 0, frames: 0, bytes: 0, arrivals: [], sampleLimit: 0, closeCodes: new Map() };
    for (let i = 0; i < PLAYERS; i++) {
      const client = new LeanClient(`ws://127.0.0.1:${child.ready.port}/ws`, i, counters, false, deflate);
      clients.push(client);
      if (!(await client.open(5_000))) throw new Error('a client could not connect');
    }
    const wire = () => clients.reduce((sum, c) => sum + c.wireBytesRead, 0);
    // The child measures its window on its own clock; the clients cannot see its edges, so the
    // wire bytes of the window are its frame bytes times the session's wire-to-frame ratio.
    const deadline = performance.now() + (WINDOW_S + 15) * 1000;
    let stats: Stats | undefined;
    while (!stats && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const line = child.lines.find((l) => l.startsWith('STATS '));
      if (line) stats = JSON.parse(line.slice(6)) as Stats;
    }
    if (!stats) throw new Error('the server did not report');
    const ratio = counters.bytes > 0 ? wire() / counters.bytes : Number.NaN;
    return { ...stats, wireBytes: stats.frameBytes * ratio };
  } finally {
    for (const client of clients) client.terminate();
    await child.stop();
  }
}

async function main(): Promise<void> {
  const plain = await run(false);
  const deflated = await run(true);
  const row = (label: string, r: Result) => [
    label,
    grouped(r.frameBytes / r.ticks / PLAYERS),
    grouped(r.wireBytes / r.ticks / PLAYERS),
    fixed(r.cpuUs / r.ticks / 1000, 2),
  ];
  const saved = 1 - deflated.wireBytes / plain.wireBytes;
  const cpuRatio = deflated.cpuUs / deflated.ticks / (plain.cpuUs / plain.ticks);
  const markdown = [
    '## Compression (`npm run bench:compression`)',
    '',
    environmentLine(),
    '',
    `The demo server (250 bots, 120 orbs, 20 Hz, one view) in a child process with ${PLAYERS} lean clients that join and steer; ${WINDOW_S} s of steady state. ` +
      'Wire bytes are read off the clients\' TCP sockets (WebSocket framing and handshake included; scaled to the window by the session\'s wire-to-frame ratio); server CPU is the server process\'s whole CPU time (zlib\'s threads included) per tick.',
    '',
    table(['perMessageDeflate', 'tickwire bytes per client per tick', 'wire bytes per client per tick', 'server CPU ms per tick'], [row('off (default)', plain), row('on', deflated)]),
    '',
    `Deflate saves **${fixed(saved * 100, 0)} %** of the bytes on the wire for **${fixed(cpuRatio, 2)}×** the server CPU per tick.`,
  ].join('\n');
  writeSection('compression', markdown);
}

await main();
