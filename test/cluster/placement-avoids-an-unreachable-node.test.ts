import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger } from '../../engine-plugin/src/index';
import { type ClusterNode, joinCluster, redisRoomDirectory } from '../../engine-plugin/src/cluster';
import { type RedisServer, startRedis } from '../support/redis-server';

let redis: RedisServer;
const nodes: ClusterNode[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const node of nodes) await node.leave();
  await redis?.stop();
});

const join = async (node: string, address: string) => {
  const cluster = await joinCluster({ redis: redis.url, address, node, prefix: 'place:', logger: silentLogger });
  nodes.push(cluster);
  return cluster;
};
const until = async (check: () => Promise<boolean>) => {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 10));
};

it('placement puts no room on a node whose address a client could not reach while another is live; without it, both are used', async () => {
  const here = await join('p1', 'ws://127.0.0.1:1/ws');
  const there = await join('p2', 'ws://127.0.0.1:2/ws');
  const directory = redisRoomDirectory(here);
  const other = redisRoomDirectory(there);
  // Both nodes in the load set (each directory reports its node at once).
  await until(async () => (await here.link.command<number>(['ZCARD', 'place:load'])) === 2);

  // Two live nodes: every draw is both, and each room placed weighs on its node, so 20 rooms alternate.
  const spread = await directory.placeRooms('battle', 20, 10);
  expect(spread.filter((node) => node === 'p2')).toHaveLength(10);

  const away = await directory.placeRooms('battle', 20, 10, ['ws://127.0.0.1:2/ws']);
  // undefined = this node (p1): none on p2.
  expect(away.every((node) => node === undefined)).toBe(true);
  // Asked from p2 while avoiding p2: the rooms go to p1, not to the node that asks.
  expect((await other.placeRooms('battle', 5, 10, ['ws://127.0.0.1:2/ws'])).every((node) => node === 'p1')).toBe(true);
  // An address no lease names changes nothing.
  expect((await directory.placeRooms('battle', 20, 10, ['ws://127.0.0.1:9/ws'])).filter((node) => node === 'p2')).toHaveLength(10);
  // Every live node avoided: the rooms are still placed (a seat somewhere beats none).
  expect(await directory.placeRooms('battle', 2, 10, ['ws://127.0.0.1:1/ws', 'ws://127.0.0.1:2/ws'])).toEqual([undefined, undefined]);
  await directory.close();
  await other.close();
});
