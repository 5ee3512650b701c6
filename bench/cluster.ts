/**
 * The cluster over a real redis-server, nodes as child processes, side by side in one run:
 * - server hop: a message enqueued in node A's tick → handed to node B's messaging (the bus's
 *   delivery), at 1k and 10k msgs/s, half DMs and half publications;
 * - Redis commands per cross-node message at 10k msgs/s, from INFO commandstats (script-internal
 *   calls included: commandstats counts them);
 * - client → client DM latency, sender and receiver on one node vs on two nodes (20 Hz ticks);
 * - per-node tick p99 with the cluster on vs off, 2 demo nodes × 1,000 lean clients (cluster-tick-cost.ts).
 *
 *   npm run bench:cluster       full run, writes the `cluster` section of docs/benchmarks.md
 *   BENCH_SMOKE=1 …             tiny counts, nothing written (inside npm test)
 *   BENCH_HOP_ONLY=1 …          the server hop only, printed, nothing written (while profiling)
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createWorld } from 'bitecs';
import { createClient as createRedisClient } from 'redis';
import { type NetworkClient, createClient, silentLogger } from '../engine-plugin/src/index';
import { nodeWebSocketClient } from '../engine-plugin/src/node';
import { type TrafficNode, startTrafficNode } from '../test/support/bus-traffic';
import { type NodeProcess, killAllNodes, startNodeProcess } from '../test/support/cluster-nodes';
import { Chat, protocol } from '../test/support/messaging-protocol';
import { type RedisServer, startRedis } from '../test/support/redis-server';
import { type TickRound, WARM_UP_HOLD_S, clusterTickCost } from './cluster-tick-cost';
import { environmentLine, table, writeSection } from './report';
import { fixed, grouped, summary } from './stats';

const SMOKE = process.env.BENCH_SMOKE === '1';
/** Seconds of traffic per rate. */
const SECONDS = SMOKE ? 1 : 10;
const RATES = [1_000, 10_000];
const DM_SAMPLES = SMOKE ? 20 : 300;
const TICK_MS = 50;
/** Tick cost of the cluster: lean clients per demo node, seconds held per round, rounds of each side. */
const TICK_CLIENTS = SMOKE ? 20 : 1_000;
const TICK_HOLD_S = SMOKE ? 2 : 22;
// Two demo processes per round would take the smoke inside npm test past its budget: full runs only.
const TICK_ROUNDS = SMOKE ? 0 : 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const wallNow = () => performance.timeOrigin + performance.now();

interface HopResult {
  readonly rate: number;
  readonly delivered: number;
  readonly lost: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly commands: number;
  readonly byCommand: string;
  readonly flushMsPerTick: number;
}

/** Commands Redis ran since the last CONFIG RESETSTAT, the bench's own INFO/CONFIG left out. */
async function commandsSinceReset(redis: RedisServer): Promise<{ total: number; by: Map<string, number> }> {
  const by = await redis.commandCalls();
  for (const own of [...by.keys()]) if (own === 'info' || own.startsWith('config')) by.delete(own);
  let total = 0;
  for (const calls of by.values()) total += calls;
  return { total, by };
}

async function hop(redis: RedisServer, sender: TrafficNode, receiver: TrafficNode, rate: number): Promise<HopResult> {
  const count = rate * SECONDS;
  const before = await sender.report();
  const heardBefore = (await receiver.report({ latencies: false })).senders[sender.node]?.received ?? 0;
  receiver.reset();
  await redis.client.sendCommand(['CONFIG', 'RESETSTAT']);
  sender.send(rate, count);
  const deadline = Date.now() + SECONDS * 1000 + 30_000;
  // Polls leave the latencies out: shipping them every 100 ms blocked the receiver's loop and
  // showed up in the very hop it measures. They are read once, when the traffic is done.
  let got = await receiver.report({ latencies: false });
  while ((got.senders[sender.node]?.next ?? 0) < before.sent + count && Date.now() < deadline) {
    await sleep(100);
    got = await receiver.report({ latencies: false });
  }
  got = await receiver.report();
  const { total, by } = await commandsSinceReset(redis);
  const after = await sender.report();
  const delivered = (got.senders[sender.node]?.received ?? 0) - heardBefore;
  const s = summary(got.latencies);
  const top = [...by].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([name, calls]) => `${name} ${grouped(calls)}`).join(', ');
  return {
    rate,
    delivered,
    lost: (got.senders[sender.node]?.lost ?? 0),
    p50: s.p50,
    p99: s.p99,
    max: s.max,
    commands: total / Math.max(1, delivered),
    byCommand: top,
    flushMsPerTick: (after.flushMs - before.flushMs) / Math.max(1, after.ticks - before.ticks),
  };
}

interface FloorResult {
  readonly rate: number;
  readonly samples: number;
  readonly p50: number;
  readonly p99: number;
}

/**
 * What Redis and node-redis alone cost on this machine: once per tick an XADD (with a stamp and as
 * many bytes as the bus's batch at `rate` carries, ≈ 17 per message) from this process, read by a
 * bare XREAD BLOCK in another (bench/redis-floor-reader.ts). No script, codec or bus: the hop cannot
 * go below this.
 */
async function floor(redis: RedisServer, rate: number): Promise<FloorResult> {
  const reader = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('redis-floor-reader.ts', import.meta.url))], {
    env: { ...process.env, TW_REDIS: redis.url },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve) => reader.once('message', () => resolve()));
  await sleep(200);
  const writer = createRedisClient({ url: redis.url, RESP: 2 });
  await writer.connect();
  const body = Buffer.alloc(Math.round((rate * TICK_MS) / 1000) * 17, 7);
  const ticks = (SECONDS * 1000) / TICK_MS;
  let sent = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      void writer.sendCommand(['XADD', 'floor', 'MAXLEN', '~', '1000', '*', 't', String(wallNow()), 'b', body]);
      if (++sent >= ticks) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  await sleep(300);
  const latencies = await new Promise<number[]>((resolve) => {
    reader.once('message', (reply: { latencies: number[] }) => resolve(reply.latencies));
    reader.send({ type: 'report' });
  });
  await writer.close();
  const s = summary(latencies);
  return { rate, samples: s.count, p50: s.p50, p99: s.p99 };
}

/** A client pumped every millisecond that timestamps the DMs it receives. */
function pumped(url: string, identity: string): { client: NetworkClient; latencies: number[]; stop(): void } {
  const client = createClient(createWorld(), protocol, { transport: nodeWebSocketClient(`${url}?token=${identity}`), logger: silentLogger, reconnect: false });
  client.connect();
  const latencies: number[] = [];
  const timer = setInterval(() => {
    client.receive();
    for (const m of client.directMessages(Chat)) latencies.push(wallNow() - Number(m.data.text));
    client.flush();
  }, 1);
  return {
    client,
    latencies,
    stop() {
      clearInterval(timer);
      client.disconnect();
    },
  };
}

async function clientDms(a: NodeProcess, b: NodeProcess): Promise<{ same: number[]; cross: number[] }> {
  const sender = pumped(a.url, 'dm-sender');
  const near = pumped(a.url, 'dm-near');
  const far = pumped(b.url, 'dm-far');
  const all = [sender, near, far];
  const deadline = Date.now() + 10_000;
  while (!all.every((p) => p.client.state === 'connected')) {
    if (Date.now() > deadline) throw new Error('bench clients did not connect');
    await sleep(10);
  }
  await sleep(300);
  // Alternate targets at an interval unrelated to the tick, so sends fall all over it.
  for (let i = 0; i < 2 * DM_SAMPLES; i++) {
    const to = i % 2 === 0 ? 'dm-near' : 'dm-far';
    void sender.client.direct(to, Chat, { text: String(wallNow()) }).catch(() => {});
    await sleep(17 + (i % 7));
  }
  await sleep(500);
  for (const p of all) p.stop();
  return { same: near.latencies, cross: far.latencies };
}

async function main(): Promise<void> {
  const redis = await startRedis();
  const receiver = await startTrafficNode(redis.url, 'bench-b', 'receiver', TICK_MS);
  const sender = await startTrafficNode(redis.url, 'bench-a', 'sender', TICK_MS);
  await sleep(300);
  // Warm both processes' JIT on the measured path.
  await hop(redis, sender, receiver, 1_000);
  const hops: HopResult[] = [];
  for (const rate of RATES) hops.push(await hop(redis, sender, receiver, rate));
  await Promise.all([sender.stop(), receiver.stop()]);
  const floors: FloorResult[] = [];
  for (const rate of RATES) floors.push(await floor(redis, rate));
  if (process.env.BENCH_HOP_ONLY === '1') {
    for (const f of floors) console.log(`floor ${grouped(f.rate)}/s: ${f.samples} entries, p50 ${fixed(f.p50, 3)} ms, p99 ${fixed(f.p99, 3)} ms`);
    for (const h of hops) console.log(`hop ${grouped(h.rate)}/s: delivered ${h.delivered}, lost ${h.lost}, p50 ${fixed(h.p50, 3)} ms, p99 ${fixed(h.p99, 3)} ms, max ${fixed(h.max, 1)} ms, ${fixed(h.commands, 4)} commands/message, flush ${fixed(h.flushMsPerTick, 3)} ms/tick`);
    await redis.stop();
    return;
  }

  const [a, b] = await Promise.all([startNodeProcess(redis.url, 'dm-a'), startNodeProcess(redis.url, 'dm-b')]);
  const dms = await clientDms(a!, b!);
  await killAllNodes();
  await redis.stop();
  const ticks = await clusterTickCost(TICK_CLIENTS, TICK_HOLD_S, TICK_ROUNDS);
  const median = (values: readonly number[]) => summary(values).p50;
  const offP99 = median(ticks.filter((t) => !t.cluster).flatMap((t) => t.p99));
  const onP99 = median(ticks.filter((t) => t.cluster).flatMap((t) => t.p99));
  const tickRatio = onP99 / offP99;

  const same = summary(dms.same);
  const cross = summary(dms.cross);
  const allowed = same.p50 + TICK_MS / 2 + 1;
  const ten = hops.find((h) => h.rate === 10_000)!;
  const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');
  writeSection(
    'cluster',
    [
      '## Cluster over Redis (`npm run bench:cluster`)',
      '',
      environmentLine(),
      '',
      `One redis-server (Debian, no persistence), nodes as child processes ticking at ${1000 / TICK_MS} Hz. Server hop = a message enqueued in node A's tick (its flush follows in the same tick) → handed to node B's messaging by the bus; ${SECONDS} s per rate, half direct messages, half publications. Commands per message = every command in INFO commandstats over the run (calls inside the flush script included) / messages delivered.`,
      '',
      table(
        ['rate (msgs/s)', 'delivered', 'lost', 'hop p50 ms', 'hop p99 ms', 'hop max ms', 'Redis commands / message', 'flush ms / tick (A)', 'busiest commands'],
        hops.map((h) => [grouped(h.rate), grouped(h.delivered), h.lost, fixed(h.p50, 3), fixed(h.p99, 3), fixed(h.max, 1), fixed(h.commands, 4), fixed(h.flushMsPerTick, 3), h.byCommand]),
      ),
      '',
      `Floor — what Redis and node-redis alone cost here, measured in the same run: once per tick a bare \`XADD\` from one process (a stamp and the bytes of that rate's batch), read by a bare \`XREAD BLOCK\` in another; no script, no codec, no bus. The hop cannot go below it.`,
      '',
      table(
        ['rate (msgs/s)', 'entries', 'floor p50 ms', 'floor p99 ms', 'hop p50 − floor p50 ms'],
        floors.map((f) => [grouped(f.rate), f.samples, fixed(f.p50, 3), fixed(f.p99, 3), fixed((hops.find((h) => h.rate === f.rate)?.p50 ?? 0) - f.p50, 3)]),
      ),
      '',
      `Targets: hop p50 ≤ 0.5 ms — ${hops.map((h) => `${grouped(h.rate)}/s ${verdict(h.p50 <= 0.5)}`).join(', ')}; hop p99 ≤ 3 ms — ${hops.map((h) => `${grouped(h.rate)}/s ${verdict(h.p99 <= 3)}`).join(', ')}; commands per message at 10k/s ≤ 0.1 — ${verdict(ten.commands <= 0.1)} (${fixed(ten.commands, 4)}).`,
      '',
      `Client → client direct message, ${DM_SAMPLES} each, real WebSocket clients pumped every 1 ms, sends spread over the tick:`,
      '',
      table(
        ['path', 'samples', 'p50 ms', 'p99 ms'],
        [
          ['same node', same.count, fixed(same.p50, 1), fixed(same.p99, 1)],
          ['cross node (through Redis)', cross.count, fixed(cross.p50, 1), fixed(cross.p99, 1)],
        ],
      ),
      '',
      `Cross-node p50 / same-node p50 = ${fixed(cross.p50 / same.p50, 2)}; target cross p50 ≤ same p50 + ½ tick + 1 ms = ${fixed(allowed, 1)} ms — ${verdict(cross.p50 <= allowed)}.`,
      ...(ticks.length === 0 ? [] : tickLines()),
    ].join('\n'),
  );

  function tickLines(): string[] {
    return [
      '',
      `Per-node tick with the cluster on vs off: two demo servers (\`server/src/main.ts\`, 250 bots, 20 Hz), ${grouped(TICK_CLIENTS)} lean clients each (bench/load's), as two lone processes (off) or two nodes over one redis-server (\`--redis\`, on), after one uncounted warm-up round (on, ${WARM_UP_HOLD_S} s), each round running both sides, the side that goes first alternating (off/on, on/off); tick times from each node's \`/health\` (last 400 ticks, all after the ramp, ${TICK_HOLD_S} s held).`,
      '',
      table(
        ['round', 'cluster', 'clients connected', 'node 1 tick p50 / p99 ms', 'node 2 tick p50 / p99 ms'],
        ticks.map((t: TickRound, i) => [Math.floor(i / 2) + 1, t.cluster ? 'on' : 'off', grouped(t.clients), `${fixed(t.p50[0]!, 2)} / ${fixed(t.p99[0]!, 2)}`, `${fixed(t.p50[1]!, 2)} / ${fixed(t.p99[1]!, 2)}`]),
      ),
      '',
      `Median node tick p99: off ${fixed(offP99, 2)} ms, on ${fixed(onP99, 2)} ms; on / off = ${fixed(tickRatio, 3)}; target ≤ 1.05 — ${verdict(tickRatio <= 1.05)}.`,
    ];
  }
}

await main();
