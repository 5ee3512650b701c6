/**
 * Matchmaking over Redis (`redisRoomDirectory`), on a real redis-server started here:
 *
 * 1. `joinOrCreate` latency with 100 rooms listed vs 10,000, side by side in one run (two clusters
 *    under two key prefixes on one Redis), one call of each in turn with a bare PING of the same
 *    connection between them, so all three see the same noise of this shared machine. Half the
 *    rooms are in another pool (filterBy). Where the tail comes from: the script's own time in
 *    Redis (SLOWLOG with threshold 0), the PING round trip (client, Redis and scheduler without
 *    matchmaking), and the calls that overlapped a GC pause of this process.
 * 2. A burst of 1,000 concurrent `joinOrCreate` over HTTP, maxClients 50, through two node
 *    processes: rooms made, most in one, rooms nobody was seated in (twins); the seat time (how
 *    long each `joinOrCreate` took on its node, from the call to the seat in hand) and the HTTP
 *    round trip, next to the round trip of 1,000 concurrent requests the nodes answer 404 at once.
 * 3. `INFO commandstats` deltas over both: which Redis commands matchmaking ran (per call), and
 *    that none is an HGETALL, KEYS or SCAN.
 *
 *   npm run bench:cluster-matchmaking   full run, writes its section of docs/benchmarks.md
 *   BENCH_SMOKE=1 …                     tiny counts, nothing written (inside npm test)
 */
import os from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { Matchmaker, silentLogger } from '../engine-plugin/src/index';
import { type ClusterNode, joinCluster, redisRoomDirectory } from '../engine-plugin/src/cluster';
import { type MatchmakingNode, httpRoundTrip, joinOrCreateOver, killMatchmakingNodes, startMatchmakingNode } from '../test/support/matchmaking-nodes';
import { type RedisServer, startRedis } from '../test/support/redis-server';
import { environmentLine, table, writeSection } from './report';
import { fixed, grouped, summary } from './stats';

const SMOKE = process.env.BENCH_SMOKE === '1';
const SMALL = SMOKE ? 10 : 100;
const LARGE = SMOKE ? 200 : 10_000;
const CALLS = SMOKE ? 100 : 5_000;
const BURST = SMOKE ? 100 : 1_000;
const MAX_CLIENTS = BURST / 20;
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

/** Command calls since the last CONFIG RESETSTAT. */
async function commandCalls(redis: RedisServer): Promise<Map<string, number>> {
  return redis.commandCalls();
}

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

interface Burst {
  rooms: number;
  most: number;
  twins: number;
  failed: number;
  seat: ReturnType<typeof summary>;
  http: ReturnType<typeof summary>;
  floor: ReturnType<typeof summary>;
  crossed: number;
}

async function burstThroughTwoNodes(redis: RedisServer): Promise<Burst> {
  const env = { TW_PREFIX: 'burst:', TW_MAX_CLIENTS: String(MAX_CLIENTS) };
  const nodes: MatchmakingNode[] = await Promise.all([startMatchmakingNode(redis.url, 'burst-a', env), startMatchmakingNode(redis.url, 'burst-b', env)]);
  try {
    await Promise.all(nodes.map((node) => node.seatTimes()));
    // The same number of concurrent requests the nodes answer at once: what HTTP alone costs.
    const floor = await Promise.all(Array.from({ length: BURST }, (_, i) => httpRoundTrip(nodes[i % 2]!.http)));
    // What the nodes did to join (one resync each) is not matchmaking.
    await redis.client.configResetStat();
    const answers = await Promise.all(Array.from({ length: BURST }, (_, i) => joinOrCreateOver(nodes[i % 2]!.http, 'battle')));
    const perRoom = new Map<string, number>();
    for (const a of answers) if (a.status === 200) perRoom.set(a.roomId, (perRoom.get(a.roomId) ?? 0) + 1);
    const made = [...(await nodes[0]!.rooms()), ...(await nodes[1]!.rooms())];
    const seatMs = [...(await nodes[0]!.seatTimes()), ...(await nodes[1]!.seatTimes())];
    return {
      rooms: perRoom.size,
      most: Math.max(...perRoom.values()),
      twins: made.filter((room) => !perRoom.has(room.id)).length,
      failed: answers.filter((a) => a.status !== 200).length,
      seat: summary(seatMs),
      http: summary(answers.map((a) => a.ms)),
      floor: summary(floor),
      crossed: answers.filter((a, i) => a.owner !== nodes[i % 2]!.node).length,
    };
  } finally {
    await killMatchmakingNodes();
  }
}

async function main(): Promise<void> {
  const redis = await startRedis();
  try {
    const small = await directoryWith(redis, 'small:', SMALL);
    const large = await directoryWith(redis, 'large:', LARGE);
    const join = (d: Directory) => () => d.matchmaker.joinOrCreate('arena', { mode: 'ranked' });
    const ping = () => small.cluster.link.command(['PING']);
    // Warm the JIT and the scripts' cache on both.
    for (let i = 0; i < 200; i++) {
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
    await redis.client.sendCommand(['CONFIG', 'SET', 'slowlog-max-len', String(4 * CALLS)]);
    await redis.client.sendCommand(['SLOWLOG', 'RESET']);
    await redis.client.configResetStat();
    const smallSpans: Span[] = [];
    const largeSpans: Span[] = [];
    const pingSpans: Span[] = [];
    // One of each in turn, the order rotating: none is always first after an idle gap.
    const order = [
      () => timed(join(small), smallSpans),
      () => timed(join(large), largeSpans),
      () => timed(ping, pingSpans),
    ];
    for (let i = 0; i < CALLS; i++) for (let k = 0; k < 3; k++) await order[(i + k) % 3]!();
    const queryCalls = await commandCalls(redis);
    const micros = await scriptMicros(redis);
    gc.disconnect();
    await redis.client.sendCommand(['CONFIG', 'SET', 'slowlog-log-slower-than', '10000']);
    for (const { matchmaker, cluster } of [small, large]) {
      await matchmaker.close();
      await cluster.leave();
    }
    const latencyLoad = os.loadavg()[0]!;

    const burst = await burstThroughTwoNodes(redis);
    const burstCalls = await commandCalls(redis);

    const a = summary(ms(smallSpans));
    const b = summary(ms(largeSpans));
    const p = summary(ms(pingSpans));
    const sa = summary(micros.get(small.prefix) ?? []);
    const sb = summary(micros.get(large.prefix) ?? []);
    const [slowA, gcA] = slowDuringGc(smallSpans, pauses, a.p99);
    const [slowB, gcB] = slowDuringGc(largeSpans, pauses, b.p99);
    const perCall = matchmakingCommands(queryCalls) / (2 * CALLS);
    const forbidden = FORBIDDEN.map((command) => `${command.toUpperCase()} ${(queryCalls.get(command) ?? 0) + (burstCalls.get(command) ?? 0)}`).join(', ');
    writeSection(
      'cluster-matchmaking',
      [
        '## Matchmaking over Redis (`npm run bench:cluster-matchmaking`)',
        '',
        environmentLine(),
        '',
        `Load average (1 min) after the latency runs: ${fixed(latencyLoad, 1)}; when the run ended: ${os.loadavg().map((n) => fixed(n, 1)).join(' / ')} (1 / 5 / 15 min) on ${os.cpus().length} cores — other engineers' suites share the machine.`,
        '',
        `\`joinOrCreate\` through \`redisRoomDirectory\` on a local redis-server (one Lua script per seat), ${grouped(CALLS)} sequential calls per row, one of each row in turn (the order rotating); half the rooms in another pool (filterBy). "in Redis" is the script's own run time as Redis logged it (SLOWLOG, threshold 0); PING is a bare round trip on the same connection, taken between the calls.`,
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
        `p99(${grouped(LARGE)} rooms) / p99(${SMALL} rooms) = ${fixed(b.p99 / a.p99, 2)}. Redis commands per call (inside the script, EVALSHA itself and the cluster's background left out): ${fixed(perCall, 1)}.`,
        '',
        `Burst: ${grouped(BURST)} concurrent \`joinOrCreate\` over HTTP, maxClients ${MAX_CLIENTS}, through 2 node processes → ${burst.rooms} rooms, at most ${burst.most} in one, ${burst.twins} twins, ${burst.failed} failed, ${burst.crossed} seats in a room of the other node.`,
        '',
        table(
          ['burst', 'p50 ms', 'p99 ms', 'max ms'],
          [
            ['seat: joinOrCreate on its node, call to seat', fixed(burst.seat.p50, 2), fixed(burst.seat.p99, 2), fixed(burst.seat.max, 1)],
            ['joinOrCreate over HTTP (all sent at once)', fixed(burst.http.p50, 1), fixed(burst.http.p99, 1), fixed(burst.http.max, 1)],
            ['HTTP alone: 404 answered at once (all sent at once)', fixed(burst.floor.p50, 1), fixed(burst.floor.p99, 1), fixed(burst.floor.max, 1)],
          ],
        ),
        '',
        `\`INFO commandstats\` deltas: ${forbidden}.`,
        '',
        table(['command (latency runs)', 'calls'], statsRows(queryCalls)),
        '',
        table(['command (burst)', 'calls'], statsRows(burstCalls)),
      ].join('\n'),
    );
  } finally {
    await redis.stop();
  }
}

await main();
