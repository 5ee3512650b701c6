import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type RoomDirectory, silentLogger } from '../../engine-plugin/src/index';
import { type ClusterNode, joinCluster, redisRoomDirectory, registerClusterMetrics } from '../../engine-plugin/src/cluster';
import { listing } from '../support/room-directory-contract';
import { type RedisServer, startRedis } from '../support/redis-server';

let redis: RedisServer;
let made = 0;
const open: Array<{ cluster: ClusterNode; directory: RoomDirectory }> = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  for (const { cluster, directory } of open.splice(0)) {
    await directory.close();
    await cluster.leave();
  }
});
afterAll(async () => {
  await redis?.stop();
});

async function node(sweepMs: number): Promise<{ cluster: ClusterNode; directory: RoomDirectory; prefix: string; expiredTotal: () => Promise<number> }> {
  const prefix = `sw${made++}:`;
  const cluster = await joinCluster({ redis: redis.url, address: 'ws://127.0.0.1:1/ws', node: 'n1', prefix, logger: silentLogger });
  const directory = redisRoomDirectory(cluster, { sweepMs });
  open.push({ cluster, directory });
  const registry = new Registry();
  registerClusterMetrics(cluster, registry);
  const expiredTotal = async () => (await registry.getSingleMetric('tickwire_cluster_seats_expired_total')!.get()).values[0]?.value ?? 0;
  return { cluster, directory, prefix, expiredTotal };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it("a full room's reserved seat nobody uses is swept on the node's timer: the room reopens and tickwire_cluster_seats_expired_total counts it once", async () => {
  const { directory, prefix, expiredTotal } = await node(50);
  const room = listing('t', 2);
  await directory.register(room, { seats: [{ seat: 'kept', ttlMs: 150 }] });
  expect(typeof (await directory.reserveIn(room.roomId, { seat: 'lapsing', ttlMs: 150 }))).toBe('object');
  expect(await directory.claim(room.roomId, 'kept')).toBe('claimed');
  // Full: out of the pool's open set, and nothing but the sweep looks at it.
  expect(await redis.client.zScore(`${prefix}open:t`, room.roomId)).toBeNull();
  expect(await expiredTotal()).toBe(0);

  const deadline = Date.now() + 3000;
  while ((await redis.client.zScore(`${prefix}open:t`, room.roomId)) === null && Date.now() < deadline) await sleep(25);
  expect(await redis.client.zScore(`${prefix}open:t`, room.roomId)).toBe(1);
  expect(await expiredTotal()).toBe(1);
  expect(await directory.claim(room.roomId, 'lapsing')).toBe('unknown');
  expect(await directory.claim(room.roomId, 'kept')).toBe('used');
  // Later sweeps find nothing more: the seat is counted once.
  await sleep(200);
  expect(await expiredTotal()).toBe(1);
});

it('a reserve that finds no open room sweeps first: a lapsed seat frees its place (no new room needed) and is counted', async () => {
  const { cluster, directory } = await node(60_000);
  const room = listing('t', 1);
  await directory.register(room, { seats: [{ seat: 'lapsing', ttlMs: 100 }] });
  expect(await directory.reserve('t', { seat: 'early', ttlMs: 60_000 })).toBeUndefined();
  await sleep(200);
  expect(cluster.stats.seatsExpired).toBe(0);
  const reservation = await directory.reserve('t', { seat: 'late', ttlMs: 60_000 });
  expect(reservation?.listing.roomId).toBe(room.roomId);
  expect(reservation?.listing.clients).toBe(1);
  expect(cluster.stats.seatsExpired).toBe(1);
});
