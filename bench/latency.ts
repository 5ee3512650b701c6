/**
 * Round-trip latency of a small message through tickwire against a bare `ws` echo, in one run.
 *
 *   npm run bench:latency                                   full run, writes its section of docs/benchmarks.md
 *   BENCH_SMOKE=1 BENCH_NO_WRITE=1 npx tsx bench/latency.ts  seconds, for CI
 *   BENCH_QUICK=1 npx tsx bench/latency.ts                  the raw/ping/immediate rounds only, nothing written: for comparing changes
 *   LATENCY_SERVER_CPU_PROF=/tmp/prof …                     also write V8 CPU profiles of the servers there (bench/load/profile-summary.ts reads them)
 *
 * The server runs in a child process (one per mode), the clients here, over loopback. A tickwire
 * sample is: `net.send(Echo)` + `net.flush()` on the client → the server's tick reads it with
 * `net.messages(Echo)` and `net.send`s an EchoReply → `net.flush()` → the client's
 * `net.receive()` hands it to `net.messages(EchoReply)`. The raw sample is `ws.send` of the same
 * 19 bytes, echoed by a `ws` server's message handler. Raw, immediate and ping samples are taken
 * one at a time (the next request leaves a `setImmediate` after the previous reply) in
 * alternating rounds, so a drift of the machine hits all three alike. Tick-aligned samples are
 * requests sent at random moments (1–5 ms apart, several in flight), since their latency is mostly
 * the wait for the next tick, which depends on when a request lands in the tick.
 */
import { createWorld } from 'bitecs';
import { WebSocket } from 'ws';
import { type NetworkClient, createClient, silentLogger } from '../engine-plugin/src/index';
import { nodeWebSocketClient } from '../engine-plugin/src/node';
import { type BenchChild, startChild } from './child-process';
import { ECHO_BODY, Echo, EchoReply, UNLIMITED, benchProtocol } from './latency-protocol';
import { environmentLine, table, writeSection } from './report';
import { fixed, grouped, summary } from './stats';

const smoke = process.env.BENCH_SMOKE === '1';
/** Quick: the full immediate-mode rounds, without the tick-rate rows (most of a run's time), and no docs write. */
const quick = process.env.BENCH_QUICK === '1';
const ROUNDS = smoke ? 1 : 5;
const PER_ROUND = smoke ? 200 : 1_000;
const WARMUP = smoke ? 50 : 500;
const RATES = smoke ? [20] : quick ? [] : [20, 30, 60];
const TICK_SAMPLES = smoke ? 40 : 2_000;
/** No single measurement may run longer than this, whatever happens to the server. */
const BLOCK_TIMEOUT_MS = smoke ? 20_000 : 120_000;
const SERVER = new URL('./latency-server.ts', import.meta.url).pathname;
const payload = Buffer.from(Echo.name.padEnd(19, '.'));
/**
 * `LATENCY_SERVER_CPU_PROF=<dir>`: each server child writes a V8 CPU profile there when it exits,
 * sampled every 100 µs (the default 1 ms would put a whole round trip in one sample).
 */
const SERVER_NODE_ARGS = process.env.LATENCY_SERVER_CPU_PROF
  ? ['--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${process.env.LATENCY_SERVER_CPU_PROF}`]
  : [];

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${BLOCK_TIMEOUT_MS} ms`)), BLOCK_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A raw `ws` client doing `count` sequential round trips. */
async function openRaw(port: number): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

function rawRoundTrips(ws: WebSocket, count: number): Promise<number[]> {
  const samples: number[] = [];
  return withTimeout(
    new Promise<number[]>((resolve) => {
      let sentAt = 0;
      const sendNext = (): void => {
        sentAt = performance.now();
        ws.send(payload);
      };
      const onMessage = (): void => {
        samples.push(performance.now() - sentAt);
        if (samples.length >= count) {
          ws.off('message', onMessage);
          resolve(samples);
        } else setImmediate(sendNext);
      };
      ws.on('message', onMessage);
      sendNext();
    }),
    'raw round trips',
  );
}

/** A tickwire client whose reader runs as soon as a Tick frame arrives, as a game loop at infinite frame rate would. */
class EchoClient {
  readonly net: NetworkClient;
  private readonly sentAt = new Map<number, number>();
  private nextN = 1;
  private onReply: ((rtt: number) => void) | undefined;
  private onPongSample: ((rtt: number) => void) | undefined;

  constructor(port: number) {
    this.net = createClient(createWorld(), benchProtocol, {
      transport: nodeWebSocketClient(`ws://127.0.0.1:${port}/ws`),
      settings: UNLIMITED,
      reconnect: false,
      logger: silentLogger,
      onTick: () => queueMicrotask(this.read),
      onPong: (_pong, rtt) => this.onPongSample?.(rtt),
    });
  }

  private readonly read = (): void => {
    this.net.receive();
    const now = performance.now();
    for (const reply of this.net.messages(EchoReply)) {
      const sent = this.sentAt.get(reply.n);
      if (sent === undefined) continue;
      this.sentAt.delete(reply.n);
      this.onReply?.(now - sent);
    }
  };

  async connect(): Promise<void> {
    this.net.connect();
    const deadline = performance.now() + 5_000;
    while (this.net.state !== 'connected') {
      if (performance.now() > deadline || this.net.state === 'closed') throw new Error(`tickwire client did not connect (${this.net.state})`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  request(): void {
    const n = this.nextN++;
    this.sentAt.set(n, performance.now());
    this.net.send(Echo, { n, body: ECHO_BODY });
    this.net.flush();
  }

  /** `count` round trips, one at a time. */
  sequential(count: number): Promise<number[]> {
    const samples: number[] = [];
    return withTimeout(
      new Promise<number[]>((resolve) => {
        this.onReply = (rtt) => {
          samples.push(rtt);
          if (samples.length >= count) {
            this.onReply = undefined;
            resolve(samples);
          } else setImmediate(() => this.request());
        };
        this.request();
      }),
      'tickwire round trips',
    );
  }

  /** `count` requests sent at random moments 1–5 ms apart, replies collected as they come. */
  pipelined(count: number): Promise<number[]> {
    const samples: number[] = [];
    let sent = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    return withTimeout(
      new Promise<number[]>((resolve) => {
        this.onReply = (rtt) => {
          samples.push(rtt);
          if (samples.length >= count) {
            this.onReply = undefined;
            resolve(samples);
          }
        };
        const tick = (): void => {
          this.request();
          if (++sent < count) timer = setTimeout(tick, 1 + Math.random() * 4);
        };
        tick();
      }).finally(() => clearTimeout(timer)),
      'tick-aligned round trips',
    );
  }

  /** `count` Ping/Pong round trips of the connection layer (answered in the server's socket callback, no tick involved). */
  pings(count: number): Promise<number[]> {
    const samples: number[] = [];
    return withTimeout(
      new Promise<number[]>((resolve) => {
        this.onPongSample = (rtt) => {
          samples.push(rtt);
          if (samples.length >= count) {
            this.onPongSample = undefined;
            resolve(samples);
          } else setImmediate(() => this.net.connection.ping());
        };
        this.net.connection.ping();
      }),
      'ping round trips',
    );
  }

  close(): void {
    this.net.disconnect();
  }
}

interface Row {
  label: string;
  samples: number[];
}

async function main(): Promise<void> {
  const children: BenchChild<{ port: number }>[] = [];
  const start = async (mode: string): Promise<number> => {
    const child = await startChild<{ port: number }>(SERVER, [mode], { nodeArgs: SERVER_NODE_ARGS });
    children.push(child);
    return child.ready.port;
  };
  try {
    const rawPort = await start('raw');
    const immediatePort = await start('immediate');
    const raw = await openRaw(rawPort);
    const client = new EchoClient(immediatePort);
    await client.connect();
    await rawRoundTrips(raw, WARMUP);
    await client.sequential(WARMUP);
    await client.pings(WARMUP);
    const rawSamples: number[] = [];
    const immediateSamples: number[] = [];
    const pingSamples: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      rawSamples.push(...(await rawRoundTrips(raw, PER_ROUND)));
      immediateSamples.push(...(await client.sequential(PER_ROUND)));
      pingSamples.push(...(await client.pings(PER_ROUND)));
      process.stdout.write(`round ${round + 1}/${ROUNDS} done\n`);
    }
    raw.close();
    client.close();
    const rows: Row[] = [
      { label: 'raw `ws` echo', samples: rawSamples },
      { label: 'tickwire Ping/Pong (connection layer, no tick)', samples: pingSamples },
      { label: 'tickwire immediate (`tickOnArrival`)', samples: immediateSamples },
    ];
    for (const hz of RATES) {
      const immediatePortHz = await start(`immediate:${hz}`);
      const immediateClient = new EchoClient(immediatePortHz);
      await immediateClient.connect();
      await immediateClient.sequential(Math.min(WARMUP, 200));
      rows.push({ label: `tickwire immediate, also ticking at ${hz} Hz`, samples: await immediateClient.sequential(TICK_SAMPLES) });
      immediateClient.close();
      const tickPort = await start(`tick:${hz}`);
      const tickClient = new EchoClient(tickPort);
      await tickClient.connect();
      await tickClient.pipelined(Math.min(WARMUP, 50));
      rows.push({ label: `tickwire tick-aligned at ${hz} Hz (reply waits for the tick)`, samples: await tickClient.pipelined(TICK_SAMPLES) });
      tickClient.close();
      process.stdout.write(`${hz} Hz done\n`);
    }
    const base = summary(rawSamples);
    const tableRows = rows.map(({ label, samples }) => {
      const s = summary(samples);
      return [label, grouped(s.count), fixed(s.p50 * 1000, 0), fixed(s.p95 * 1000, 0), fixed(s.p99 * 1000, 0), `${fixed(s.p50 / base.p50)}×`, `${fixed(s.p99 / base.p99)}×`];
    });
    const immediate = summary(immediateSamples);
    const ratio = immediate.p50 / base.p50;
    const markdown = [
      '## Round-trip latency (`npm run bench:latency`)',
      '',
      environmentLine(),
      '',
      'A small request (19 bytes of MessagePack) from a client to a server system and its reply back to the client\'s reader, over loopback; server in a child process. ' +
        `Raw, ping and immediate samples are taken one at a time in ${ROUNDS} alternating rounds; tick-aligned requests are sent at random moments, several in flight. ` +
        'Times in microseconds; ratios against the raw `ws` echo. Benchmark servers and clients turn the per-connection rate limits off (`messagesPerSecond: 0`).',
      '',
      table(['mode', 'samples', 'p50 µs', 'p95 µs', 'p99 µs', 'p50 vs raw', 'p99 vs raw'], tableRows),
      '',
      `Target: immediate mode ≤ 1.10× raw \`ws\` (p50): **${fixed(ratio)}× — ${ratio <= 1.1 ? 'met' : 'missed'}**. ` +
        'Tick-aligned replies wait for the next tick: on average half a tick interval (25 ms at 20 Hz, 8.3 ms at 60 Hz) on top of the round trip.',
    ].join('\n');
    if (quick) console.log(markdown);
    else writeSection('latency', markdown);
  } finally {
    await Promise.all(children.map((child) => child.stop()));
  }
}

await main();
