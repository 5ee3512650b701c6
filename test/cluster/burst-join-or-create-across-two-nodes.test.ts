import WebSocket from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seatUrl } from '../../engine-plugin/src/index';
import { type MatchmakingNode, joinOrCreateOver, killMatchmakingNodes, startMatchmakingNode } from '../support/matchmaking-nodes';
import { type RedisServer, startRedis } from '../support/redis-server';

let redis: RedisServer;
let alpha: MatchmakingNode;
let bravo: MatchmakingNode;

beforeAll(async () => {
  redis = await startRedis();
  [alpha, bravo] = await Promise.all([startMatchmakingNode(redis.url, 'mm-alpha'), startMatchmakingNode(redis.url, 'mm-bravo')]);
});
afterAll(async () => {
  await killMatchmakingNodes();
  await redis?.stop();
});

/** Whether a WebSocket upgrade to `url` is accepted (101) or refused (its HTTP status). */
function upgrade(url: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.once('upgrade', () => {
      resolve(101);
      socket.terminate();
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', () => resolve(0));
  });
}

it('1,000 concurrent joinOrCreate through two node processes, maxClients 50: exactly 20 rooms, none over 50, no twin, rooms on both nodes, seats admitted by their owner', async () => {
  const nodes = [alpha, bravo];
  const answers = await Promise.all(Array.from({ length: 1000 }, (_, i) => joinOrCreateOver(nodes[i % 2]!.http, 'battle')));
  expect(answers.filter((a) => a.status !== 200)).toEqual([]);
  expect(new Set(answers.map((a) => a.seat)).size).toBe(1000);

  const perRoom = new Map<string, number>();
  for (const a of answers) perRoom.set(a.roomId, (perRoom.get(a.roomId) ?? 0) + 1);
  expect(perRoom.size).toBe(20);
  expect([...perRoom.values()].every((n) => n === 50)).toBe(true);

  // No twin: every room either node made is one of the 20 that got the seats.
  const made = [...(await alpha.rooms()), ...(await bravo.rooms())].map((r) => r.id).sort();
  expect(made).toEqual([...perRoom.keys()].sort());

  // Placement spreads rooms over both nodes, and a seat asked on one node can be in the other's room.
  const owners = new Set(answers.map((a) => a.owner));
  expect(owners).toEqual(new Set(['mm-alpha', 'mm-bravo']));
  const byNode = new Map(nodes.map((n) => [n.node, n.url]));
  expect(answers.every((a) => a.address === byNode.get(a.owner))).toBe(true);
  const crossed = answers.filter((a, i) => a.owner !== nodes[i % 2]!.node);
  expect(crossed.length).toBeGreaterThan(0);

  // The owner admits a seat handed out by the other node, once.
  const seat = crossed[0]!;
  expect(await upgrade(seatUrl(seat))).toBe(101);
  expect(await upgrade(seatUrl({ address: seat.address, seat: `${seat.roomId}.forgedforgedforgedforg` }))).toBe(401);
  const ms = answers.map((a) => a.ms).sort((x, y) => x - y);
  console.log(`burst through 2 nodes: p50 ${ms[500]!.toFixed(1)} ms, p99 ${ms[989]!.toFixed(1)} ms, max ${ms[999]!.toFixed(1)} ms`);
});

it("a node killed with -9: its rooms leave the directory within its lease, and no key names it or its rooms", async () => {
  // Fresh rooms of both nodes (the burst's are full).
  const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => joinOrCreateOver((i % 2 ? alpha : bravo).http, 'battle')));
  expect(answers.filter((a) => a.status !== 200)).toEqual([]);
  const bravoRooms = (await bravo.rooms()).map((r) => r.id);
  expect(bravoRooms.length).toBeGreaterThan(0);
  const killedAt = Date.now();
  bravo.child.kill('SIGKILL');
  await bravo.exited;

  const names = () => redis.keys().then((keys) => keys.filter((k) => k.includes('mm-bravo') || bravoRooms.some((id) => k.includes(id))));
  const listed = async () => {
    const members = await redis.client.zRange('tw:pool:battle', 0, -1);
    return members.filter((id) => bravoRooms.includes(id));
  };
  let goneAfter = -1;
  while (Date.now() - killedAt < 6000) {
    if ((await listed()).length === 0 && (await names()).length === 0) {
      goneAfter = Date.now() - killedAt;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // The lease is 3 s and renewals (which find and reap it) run every second: gone by 3 s + 1 s + a round trip.
  expect(goneAfter).toBeGreaterThanOrEqual(0);
  expect(goneAfter).toBeLessThan(4500);
  expect(await redis.client.zScore('tw:load', 'mm-bravo')).toBeNull();

  // The survivor goes on matchmaking, never into the dead node's rooms.
  const after = await Promise.all(Array.from({ length: 60 }, () => joinOrCreateOver(alpha.http, 'battle')));
  expect(after.filter((a) => a.status !== 200 || a.owner !== 'mm-alpha')).toEqual([]);
});
