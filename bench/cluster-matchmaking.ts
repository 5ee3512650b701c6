/**
 * Matchmaking over Redis (`redisRoomDirectory`), on a real redis-server started here:
 *
 * 1. `joinOrCreate` latency with 100 rooms listed vs 10,000, side by side (two clusters under two
 *    key prefixes on one Redis), one call of each in turn with a bare PING of the same connection
 *    between them, so all three see the same noise of this shared machine; after a warm-up, in
 *    ROUNDS rounds. The ratio p99(10,000) / p99(100) is reported per round and as the median over
 *    the rounds: one p99 of this machine moves by ±50 % from one run to the next with the client
 *    connection's own noise (the PING row shows it), and a median of rounds does not. Half the
 *    rooms are in another pool (filterBy). Where the tail comes from: the script's own time in
 *    Redis (SLOWLOG with threshold 0), the PING round trip, the calls that overlapped a GC pause.
 * 2. A burst of 1,000 concurrent `joinOrCreate` over HTTP, maxClients 50, through two node
 *    processes, twice on fresh nodes: through a keep-alive pool of connections per node (what a
 *    load balancer in front of the nodes holds: HAProxy `maxconn` + `http-reuse`), and as 1,000
 *    fresh TCP connections from this one process. Rooms made, most in one, twins, failed; the seat
 *    time (from the call reaching its node's matchmaker to the seat in hand, measured on the node),
 *    the HTTP round trip, the round trip of the same requests answered 404 at once (HTTP alone),
 *    and each node's longest event-loop delay during the burst (what HTTP intake blocked).
 * 3. `INFO commandstats` deltas over both: which Redis commands matchmaking ran (per call), and
 *    that none is an HGETALL, KEYS or SCAN.
 *
 *   npm run bench:cluster-matchmaking   full run, writes its section of docs/benchmarks.md
 *   BENCH_SMOKE=1 …                     tiny counts, nothing written (inside npm test)
 */
import { Agent } from 'node:http';
import os from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { Matchmaker, silentLogger } from '../engine-plugin/src/index';
import { type ClusterNode, joinCluster, redisRoomDirectory } from '../engine-plugin/src/cluster';
import {
  type MatchmakingNode,
  type TimedSeat,
  joinOrCreateThrough,
  killMatchmakingNodes,
  postThrough,
  startMatchmakingNode,
} from '../test/support/matchmaking-nodes';
import { type RedisServer, startRedis } from '../test/support/redis-server';
import { environmentLine, table, writeSection } from './report';
import { fixed, grouped, percentile, summary } from './stats';

const SMOKE = process.env.BENCH_SMOKE === '1';
const SMALL = SMOKE ? 10 : 100;
const LARGE = SMOKE ? 200 : 10_000;
/** Calls per row before anything is measured: JIT, script cache, Redis's own structures. */
const WARM = SMOKE ? 50 : 2_000;
const ROUNDS = SMOKE ? 2 : 9;
const CALLS_PER_ROUND = SMOKE ? 50 : 2_000;
const BURST = SMOKE ? 100 : 1_000;
const MAX_CLIENTS = BURST / 20;
/** Keep-alive connections per node in the pooled burst (HAProxy `maxconn` per server; the rest queue in the balancer). */
const POOL = 32;
const FORBIDDEN = ['hgetall', 'keys', 'scan'];
/** What the cluster runs in the background (lease renewal, inbox reads) and the bench's own inspection: not matchmaking. */
const BACKGROUND = ['xread', 'xtrim', 'pexpire', 'ping', 'hget', 'config', 'info', 'slowlog', 'evalsha', 'script|load'];

interface Directory {
  readonly prefix: string;
  readonly cluster: ClusterNode;
  readonly matchmaker: Matchmaker;
}

async function directoryWith(redis: RedisServer, prefix: string, rooms: number): Promise<Directory> {
  const cluster = await joinCluster({ redis: redis.url, address: 'ws://127.0.0.1:1/ws', node: `bench-${prefix}`, prefix, logger: silentLogger });
  const matchmaker = new Matchmaker(
    { bus: cluster.bus, logger: silentLogger, handshakeTimeoutMs: 5_000, disconnect: () => {} },
    { directory: redisRoomDirectory(cluster), seatTtlMs: 600_000, address: 'ws://127.0.0.1:1/ws' },
  );
  matchmaker.defineRoomType('arena', { maxClients: 1_000_000, emptyLifetimeMs: Number.POSITIVE_INFINITY, filterBy: ['mode'] });
  // Created in parallel batches: a bench setup, not what is measured.
  for (let i = 0; i < rooms; i += 200) {
    await Promise.all(Array.from({ length: Math.min(200, rooms - i) }, (_, j) => matchmaker.create('arena', { mode: (i + j) % 2 === 0 ? 'ranked' : 'casual' })));
  }
  return { prefix, cluster, matchmaker };
}

/** One timed call: [start, end] in performance.now() ms. */
type Span = readonly [number, number];

async function timed(work: () => Promise<unknown>, into: Span[]): Promise<void> {
  const started = performance.now();
  await work();
  into.push([started, performance.now()]);
}

const ms = (spans: readonly Span[]) => spans.map(([a, b]) => b - a);

/** Commands Redis ran for matchmaking (inside the scripts too), background and inspection left out. */
function matchmakingCommands(calls: Map<string, number>): number {
  let n = 0;
  for (const [command, count] of calls) if (!BACKGROUND.includes(command)) n += count;
  return n;
}

function statsRows(calls: Map<string, number>): string[][] {
  return [...calls.entries()].filter(([command]) => !['config', 'info', 'slowlog'].includes(command)).sort((a, b) => b[1] - a[1]).map(([command, n]) => [command.toUpperCase(), grouped(n)]);
}

/** The script time Redis logged (µs) per EVALSHA whose first argument is `prefix`: SLOWLOG with threshold 0. */
async function scriptMicros(redis: RedisServer): Promise<Map<string, number[]>> {
  const entries = (await redis.client.sendCommand(['SLOWLOG', 'GET', '-1'])) as Array<[number, number, number, string[]]>;
  const byPrefix = new Map<string, number[]>();
  for (const [, , micros, args] of entries) {
    if (String(args[0]).toUpperCase() !== 'EVALSHA') continue;
    const prefix = String(args[3]);
    const list = byPrefix.get(prefix) ?? [];
    list.push(micros);
    byPrefix.set(prefix, list);
  }
  return byPrefix;
}

/** How many of `spans` slower than `thresholdMs` overlapped one of `pauses`. */
function slowDuringGc(spans: readonly Span[], pauses: readonly Span[], thresholdMs: number): [number, number] {
  let slow = 0;
  let overlapped = 0;
  for (const [a, b] of spans) {
    if (b - a < thresholdMs) continue;
    slow++;
    if (pauses.some(([s, e]) => s < b && e > a)) overlapped++;
  }
  return [slow, overlapped];
}

const median = (values: readonly number[]) => percentile(values, 50);

interface Latency {
  readonly small: Span[];
  readonly large: Span[];
  readonly ping: Span[];
  /** Per round: p99 of each row, and the script's own time p99 in Redis (µs) of each. */
  readonly rounds: Array<{ small: number; large: number; ping: number; smallRedis: number; largeRedis: number }>;
  readonly smallMicros: number[];
  readonly largeMicros: number[];
  readonly calls: Map<string, number>;
  readonly pauses: Span[];
}

async function latencyRuns(redis: RedisServer, small: Directory, large: Directory): Promise<Latency> {
  const join = (d: Directory) => () => d.matchmaker.joinOrCreate('arena', { mode: 'ranked' });
  const ping = () => small.cluster.link.command(['PING']);
  for (let i = 0; i < WARM; i++) {
    await join(small)();
    await join(large)();
    await ping();
  }
  const pauses: Span[] = [];
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push([entry.startTime, entry.startTime + entry.duration]);
  });
  gc.observe({ entryTypes: ['gc'] });
  await redis.client.sendCommand(['CONFIG', 'SET', 'slowlog-log-slower-than', '0']);
  await redis.client.sendCommand(['CONFIG', 'SET', 'slowlog-max-len', String(4 * CALLS_PER_ROUND)]);
  await redis.client.configResetStat();
  const out: Latency = { small: [], large: [], ping: [], rounds: [], smallMicros: [], largeMicros: [], calls: new Map(), pauses };
  for (let round = 0; round < ROUNDS; round++) {
    await redis.client.sendCommand(['SLOWLOG', 'RESET']);
    const smallSpans: Span[] = [];
    const largeSpans: Span[] = [];
    const pingSpans: Span[] = [];
    // One of each in turn, the order rotating: none is always first after an idle gap.
    const order = [() => timed(join(small), smallSpans), () => timed(join(large), largeSpans), () => timed(ping, pingSpans)];
    for (let i = 0; i < CALLS_PER_ROUND; i++) for (let k = 0; k < 3; k++) await order[(i + k + round) % 3]!();
    const micros = await scriptMicros(redis);
    const sm = micros.get(small.prefix) ?? [];
    const lm = micros.get(large.prefix) ?? [];
    out.small.push(...smallSpans);
    out.large.push(...largeSpans);
    out.ping.push(...pingSpans);
    out.smallMicros.push(...sm);
    out.largeMicros.push(...lm);
    out.rounds.push({
      small: summary(ms(smallSpans)).p99,
      large: summary(ms(largeSpans)).p99,
      ping: summary(ms(pingSpans)).p99,
      smallRedis: summary(sm).p99,
      largeRedis: summary(lm).p99,
    });
  }
  for (const [command, n] of await redis.commandCalls()) out.calls.set(command, n);
  gc.disconnect();
  await redis.client.sendCommand(['CONFIG', 'SET', 'slowlog-log-slower-than', '10000']);
  return out;
}

type Client = 'pooled' | 'fresh';

interface Burst {
  readonly client: Client;
  rooms: number;
  most: number;
  twins: number;
  failed: number;
  crossed: number;
  seat: ReturnType<typeof summary>;
  http: ReturnType<typeof summary>;
  floor: ReturnType<typeof summary>;
  /** From the first call reaching a matchmaker to the last, ms. */
  arrivals: number;
  /** Each node's longest event-loop delay during the burst, ms. */
  loopMax: number[];
  calls: Map<string, number>;
}

/**
 * One burst on two fresh nodes (their own key prefix). `pooled`: each node is reached through its
 * own keep-alive pool of {@link POOL} connections, the other calls queued in the client as in a
 * balancer; `fresh`: every call opens its own connection, closed after its answer.
 */
async function burstThroughTwoNodes(redis: RedisServer, client: Client): Promise<Burst> {
  const env = { TW_PREFIX: `burst-${client}:`, TW_MAX_CLIENTS: String(MAX_CLIENTS) };
  const nodes: MatchmakingNode[] = await Promise.all([startMatchmakingNode(redis.url, `${client}-a`, env), startMatchmakingNode(redis.url, `${client}-b`, env)]);
  const agents = nodes.map(() => new Agent({ keepAlive: true, maxSockets: POOL }));
  try {
    const agent = (i: number) => (client === 'pooled' ? agents[i % 2]! : false);
    const post = (i: number): Promise<number> => postThrough(agent(i), nodes[i % 2]!.http, '/not-matchmaking').then((a) => a.ms);
    const join = (i: number): Promise<TimedSeat> => joinOrCreateThrough(agent(i), nodes[i % 2]!.http, 'battle');
    // The same number of concurrent requests the nodes answer at once: what HTTP alone costs (and,
    // pooled, the pool's connections opened before the burst, as a balancer's would be).
    const floor = await Promise.all(Array.from({ length: BURST }, (_, i) => post(i)));
    await Promise.all(nodes.map((node) => Promise.all([node.seatSpans(), node.loopDelay()])));
    // What the nodes did to join (one resync each) is not matchmaking.
    await redis.client.configResetStat();
    const answers = await Promise.all(Array.from({ length: BURST }, (_, i) => join(i)));
    const calls = await redis.commandCalls();
    const perRoom = new Map<string, number>();
    for (const a of answers) if (a.status === 200) perRoom.set(a.roomId, (perRoom.get(a.roomId) ?? 0) + 1);
    const made = [...(await nodes[0]!.rooms()), ...(await nodes[1]!.rooms())];
    const spans = [...(await nodes[0]!.seatSpans()), ...(await nodes[1]!.seatSpans())];
    const loops = await Promise.all(nodes.map((node) => node.loopDelay()));
    const starts = spans.map(([a]) => a);
    return {
      client,
      rooms: perRoom.size,
      most: Math.max(...perRoom.values()),
      twins: made.filter((room) => !perRoom.has(room.id)).length,
      failed: answers.filter((a) => a.status !== 200).length,
      crossed: answers.filter((a, i) => a.owner !== nodes[i % 2]!.node).length,
      seat: summary(spans.map(([a, b]) => b - a)),
      http: summary(answers.map((a) => a.ms)),
      floor: summary(floor),
      arrivals: Math.max(...starts) - Math.min(...starts),
      loopMax: loops.map((loop) => loop.maxMs),
      calls,
    };
  } finally {
    for (const agent of agents) agent.destroy();
    await killMatchmakingNodes();
  }
}

const verdict = (met: boolean) => (met ? 'met' : 'missed');

function burstLines(burst: Burst): string[] {
  const how =
    burst.client === 'pooled'
      ? `through a keep-alive pool of ${POOL} connections per node (the other calls wait in the client for a free one, as behind a balancer)`
      : `each on its own fresh TCP connection, all opened at once from this one process`;
  return [
    `**${burst.client === 'pooled' ? 'Pooled' : 'Fresh connections'}**: ${grouped(BURST)} concurrent \`joinOrCreate\` over HTTP ${how}, maxClients ${MAX_CLIENTS}, through 2 node processes → ${burst.rooms} rooms, at most ${burst.most} in one, ${burst.twins} twins, ${burst.failed} failed, ${burst.crossed} seats in a room of the other node. Calls reached the matchmakers over ${fixed(burst.arrivals, 0)} ms; longest event-loop delay on the nodes during the burst: ${burst.loopMax.map((m) => fixed(m, 0)).join(' / ')} ms. Seat p99 ≤ 10 ms: ${verdict(burst.seat.p99 <= 10)}.`,
    '',
    table(
      ['burst', 'p50 ms', 'p99 ms', 'max ms'],
      [
        ['seat: call reaching its node\'s matchmaker → seat in hand', fixed(burst.seat.p50, 2), fixed(burst.seat.p99, 2), fixed(burst.seat.max, 1)],
        ['joinOrCreate over HTTP, from the call in the client (all made at once)', fixed(burst.http.p50, 1), fixed(burst.http.p99, 1), fixed(burst.http.max, 1)],
        ['HTTP alone: the same requests answered 404 at once', fixed(burst.floor.p50, 1), fixed(burst.floor.p99, 1), fixed(burst.floor.max, 1)],
      ],
    ),
  ];
}

async function main(): Promise<void> {
  const redis = await startRedis();
  try {
    const loadBefore = os.loadavg()[0]!;
    const small = await directoryWith(redis, 'small:', SMALL);
    const large = await directoryWith(redis, 'large:', LARGE);
    const latency = await latencyRuns(redis, small, large);
    for (const { matchmaker, cluster } of [small, large]) {
      await matchmaker.close();
      await cluster.leave();
    }
    const latencyLoad = os.loadavg()[0]!;

    const pooled = await burstThroughTwoNodes(redis, 'pooled');
    const fresh = await burstThroughTwoNodes(redis, 'fresh');

    const a = summary(ms(latency.small));
    const b = summary(ms(latency.large));
    const p = summary(ms(latency.ping));
    const sa = summary(latency.smallMicros);
    const sb = summary(latency.largeMicros);
    const [slowA, gcA] = slowDuringGc(latency.small, latency.pauses, a.p99);
    const [slowB, gcB] = slowDuringGc(latency.large, latency.pauses, b.p99);
    const ratios = latency.rounds.map((r) => r.large / r.small);
    const redisRatios = latency.rounds.map((r) => r.largeRedis / r.smallRedis);
    const ratio = median(ratios);
    const perCall = matchmakingCommands(latency.calls) / (2 * ROUNDS * CALLS_PER_ROUND);
    const forbidden = FORBIDDEN.map((command) => `${command.toUpperCase()} ${(latency.calls.get(command) ?? 0) + (pooled.calls.get(command) ?? 0) + (fresh.calls.get(command) ?? 0)}`).join(', ');
    writeSection(
      'cluster-matchmaking',
      [
        '## Matchmaking over Redis (`npm run bench:cluster-matchmaking`)',
        '',
        environmentLine(),
        '',
        `Load average (1 min) before: ${fixed(loadBefore, 2)}; after the latency runs: ${fixed(latencyLoad, 2)}; when the run ended: ${os.loadavg().map((n) => fixed(n, 2)).join(' / ')} (1 / 5 / 15 min) on ${os.cpus().length} cores — other engineers' suites share the machine, and the bench's own processes count.`,
        '',
        `\`joinOrCreate\` through \`redisRoomDirectory\` on a local redis-server (one Lua script per seat), after ${grouped(WARM)} warm-up calls per row, ${ROUNDS} rounds of ${grouped(CALLS_PER_ROUND)} sequential calls per row, one of each row in turn (the order rotating); half the rooms in another pool (filterBy). "in Redis" is the script's own run time as Redis logged it (SLOWLOG, threshold 0); PING is a bare round trip on the same connection, taken between the calls: the floor of what the client connection and the scheduler add.`,
        '',
        table(
          ['rooms listed', 'p50 ms', 'p99 ms', 'max ms', 'in Redis p50 µs', 'in Redis p99 µs', 'calls ≥ p99 during a GC pause'],
          [
            [`${SMALL} rooms`, fixed(a.p50, 3), fixed(a.p99, 3), fixed(a.max, 1), fixed(sa.p50, 0), fixed(sa.p99, 0), `${gcA} of ${slowA}`],
            [`${grouped(LARGE)} rooms`, fixed(b.p50, 3), fixed(b.p99, 3), fixed(b.max, 1), fixed(sb.p50, 0), fixed(sb.p99, 0), `${gcB} of ${slowB}`],
            ['PING (no matchmaking)', fixed(p.p50, 3), fixed(p.p99, 3), fixed(p.max, 1), '', '', ''],
          ],
        ),
        '',
        `p99(${grouped(LARGE)} rooms) / p99(${SMALL} rooms), median of ${ROUNDS} rounds: **${fixed(ratio, 2)}** (per round: ${ratios.map((r) => fixed(r, 2)).join(', ')}; over all ${grouped(ROUNDS * CALLS_PER_ROUND)} calls: ${fixed(b.p99 / a.p99, 2)}). The same ratio of the script's own time in Redis, median of rounds: ${fixed(median(redisRatios), 2)}. Matchmaking p99 ≤ 2 ms: ${verdict(a.p99 <= 2 && b.p99 <= 2)}; ratio ≤ 1.5: ${verdict(ratio <= 1.5)}. Redis commands per call (inside the script, EVALSHA itself and the cluster's background left out): ${fixed(perCall, 1)}.`,
        '',
        `Burst. The seat time is measured on each node, around its matchmaker's \`joinOrCreate\`: from the call reaching the matchmaker (the HTTP request read and routed) to the seat in hand, whatever it waited for — the directory, a creation round, another node's creator, a room made on another node. The HTTP round trip adds what the client and the nodes' HTTP intake cost; the 404 row is that cost alone. The pooled run is the one a production herd meets: a herd comes from a thousand machines through a load balancer, which holds a few keep-alive connections per node and queues the rest (HAProxy \`server … maxconn ${POOL}\` with \`http-reuse\`), so a node parses at most ${POOL} requests per turn. The fresh run is the worst case for a node reached directly: ${grouped(BURST)} connections accepted and parsed by one event loop while Redis replies for the seats already asked wait behind them — and a client of one process on the same 2 cores opening them.`,
        '',
        ...burstLines(pooled),
        '',
        ...burstLines(fresh),
        '',
        `\`INFO commandstats\` deltas: ${forbidden}.`,
        '',
        table(['command (latency runs)', 'calls'], statsRows(latency.calls)),
        '',
        table(['command (pooled burst)', 'calls'], statsRows(pooled.calls)),
      ].join('\n'),
    );
  } finally {
    await redis.stop();
  }
}

await main();
