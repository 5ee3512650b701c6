/**
 * Matchmaking over Redis (`redisRoomDirectory`), on a real redis-server started here:
 *
 * 1. `joinOrCreate` latency with 100 rooms listed vs 10,000, side by side in one run (two clusters
 *    under two key prefixes on one Redis, measured in alternating blocks so both see the same
 *    noise of this shared machine). Half the rooms are in another pool (filterBy).
 * 2. A burst of 1,000 concurrent `joinOrCreate` over HTTP, maxClients 50, through two node
 *    processes: rooms made, most in one, rooms nobody was seated in (twins), the time of each
 *    directory call that took a seat (seat p99), and the HTTP round trip of each call.
 * 3. `INFO commandstats` deltas over both: which Redis commands matchmaking ran, and that none is
 *    an HGETALL, KEYS or SCAN.
 *
 *   npm run bench:cluster-matchmaking   full run, writes its section of docs/benchmarks.md
 *   BENCH_SMOKE=1 …                     tiny counts, nothing written (inside npm test)
 */
import { Matchmaker, silentLogger } from '../engine-plugin/src/index';
import { type ClusterNode, joinCluster, redisRoomDirectory } from '../engine-plugin/src/cluster';
import { type MatchmakingNode, joinOrCreateOver, killMatchmakingNodes, startMatchmakingNode } from '../test/support/matchmaking-nodes';
import { type RedisServer, startRedis } from '../test/support/redis-server';
import { environmentLine, table, writeSection } from './report';
import { fixed, grouped, summary } from './stats';

const SMOKE = process.env.BENCH_SMOKE === '1';
const SMALL = SMOKE ? 10 : 100;
const LARGE = SMOKE ? 200 : 10_000;
const BLOCKS = SMOKE ? 2 : 10;
const CALLS_PER_BLOCK = SMOKE ? 50 : 500;
const BURST = SMOKE ? 100 : 1_000;
const MAX_CLIENTS = BURST / 20;
const FORBIDDEN = ['hgetall', 'keys', 'scan'];

interface Directory {
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
  return { cluster, matchmaker };
}

async function timedCalls(directory: Directory, calls: number, into: number[]): Promise<void> {
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await directory.matchmaker.joinOrCreate('arena', { mode: 'ranked' });
    into.push(performance.now() - started);
  }
}

/** Command calls since the last CONFIG RESETSTAT, without the cluster's own background (lease renewal, inbox reads). */
async function commandCalls(redis: RedisServer): Promise<Map<string, number>> {
  const calls = await redis.commandCalls();
  for (const command of [...calls.keys()]) if (command.startsWith('config') || command.startsWith('info')) calls.delete(command);
  return calls;
}

function statsRows(calls: Map<string, number>): string[][] {
  return [...calls.entries()].sort((a, b) => b[1] - a[1]).map(([command, n]) => [command.toUpperCase(), grouped(n)]);
}

async function burstThroughTwoNodes(redis: RedisServer): Promise<{ rooms: number; most: number; twins: number; failed: number; seat: ReturnType<typeof summary>; http: ReturnType<typeof summary>; crossed: number }> {
  const env = { TW_PREFIX: 'burst:', TW_MAX_CLIENTS: String(MAX_CLIENTS) };
  const nodes: MatchmakingNode[] = await Promise.all([startMatchmakingNode(redis.url, 'burst-a', env), startMatchmakingNode(redis.url, 'burst-b', env)]);
  try {
    await Promise.all(nodes.map((node) => node.seatTimes()));
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
    // Warm the JIT and the scripts' cache on both, then measure in alternating blocks.
    await timedCalls(small, 200, []);
    await timedCalls(large, 200, []);
    await redis.client.configResetStat();
    const smallMs: number[] = [];
    const largeMs: number[] = [];
    for (let block = 0; block < BLOCKS; block++) {
      await timedCalls(small, CALLS_PER_BLOCK, smallMs);
      await timedCalls(large, CALLS_PER_BLOCK, largeMs);
    }
    const queryCalls = await commandCalls(redis);
    for (const { matchmaker, cluster } of [small, large]) {
      await matchmaker.close();
      await cluster.leave();
    }

    const burst = await burstThroughTwoNodes(redis);
    const burstCalls = await commandCalls(redis);

    const a = summary(smallMs);
    const b = summary(largeMs);
    const forbidden = FORBIDDEN.map((command) => `${command.toUpperCase()} ${(queryCalls.get(command) ?? 0) + (burstCalls.get(command) ?? 0)}`).join(', ');
    writeSection(
      'cluster-matchmaking',
      [
        '## Matchmaking over Redis (`npm run bench:cluster-matchmaking`)',
        '',
        environmentLine(),
        '',
        `\`joinOrCreate\` through \`redisRoomDirectory\` on a local redis-server (one Lua script per seat), ${grouped(BLOCKS * CALLS_PER_BLOCK)} sequential calls per row, measured in ${BLOCKS} alternating blocks; half the rooms in another pool (filterBy).`,
        '',
        table(
          ['rooms listed', 'p50 ms', 'p99 ms', 'max ms'],
          [
            [`${SMALL} rooms`, fixed(a.p50, 3), fixed(a.p99, 3), fixed(a.max, 1)],
            [`${grouped(LARGE)} rooms`, fixed(b.p50, 3), fixed(b.p99, 3), fixed(b.max, 1)],
          ],
        ),
        '',
        `p99(${grouped(LARGE)} rooms) / p99(${SMALL} rooms) = ${fixed(b.p99 / a.p99, 2)}.`,
        '',
        `Burst: ${grouped(BURST)} concurrent \`joinOrCreate\` over HTTP, maxClients ${MAX_CLIENTS}, through 2 node processes → ${burst.rooms} rooms, at most ${burst.most} in one, ${burst.twins} twins, ${burst.failed} failed, ${burst.crossed} seats in a room of the other node.`,
        '',
        table(
          ['burst', 'p50 ms', 'p99 ms', 'max ms'],
          [
            ['seat (directory call that took it)', fixed(burst.seat.p50, 2), fixed(burst.seat.p99, 2), fixed(burst.seat.max, 1)],
            ['joinOrCreate over HTTP (all sent at once)', fixed(burst.http.p50, 1), fixed(burst.http.p99, 1), fixed(burst.http.max, 1)],
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
