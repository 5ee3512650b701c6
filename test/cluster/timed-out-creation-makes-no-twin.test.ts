import { afterAll, beforeAll, expect, it } from 'vitest';
import { type MatchmakingNode, joinOrCreateOver, killMatchmakingNodes, startMatchmakingNode } from '../support/matchmaking-nodes';
import { type RedisServer, startRedis } from '../support/redis-server';

let redis: RedisServer;
let alpha: MatchmakingNode;
let bravo: MatchmakingNode;

beforeAll(async () => {
  redis = await startRedis();
  [alpha, bravo] = await Promise.all([startMatchmakingNode(redis.url, 'tw-alpha'), startMatchmakingNode(redis.url, 'tw-bravo')]);
});
afterAll(async () => {
  bravo?.child.kill('SIGCONT');
  await killMatchmakingNodes();
  await redis?.stop();
});

it('a room placed on a node that does not answer in time is aborted and made on the asking node; the late creation is refused, so there is no twin', async () => {
  // Placement picks the lighter of the two: once both have reported, make alpha look busy so the
  // room goes to bravo (alpha writes its load again only when it changes).
  const deadline = Date.now() + 5000;
  while ((await redis.client.zCard('tw:load')) < 2) {
    if (Date.now() > deadline) throw new Error('both nodes report their load');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await redis.client.zAdd('tw:load', { score: 1000, value: 'tw-alpha' });
  bravo.child.kill('SIGSTOP');
  const started = Date.now();
  const seat = await joinOrCreateOver(alpha.http, 'battle');
  const took = Date.now() - started;
  expect(seat.status).toBe(200);
  expect(seat.owner).toBe('tw-alpha');
  // It waited for bravo's answer (creationTimeoutMs, 2 s), then made the room at once rather than
  // waiting out joinOrCreate's own deadline (5 × creationTimeoutMs).
  expect(took).toBeGreaterThanOrEqual(1900);
  expect(took).toBeLessThan(5000);

  // bravo wakes up (its lease still holds) and handles the request it was sent: refused.
  bravo.child.kill('SIGCONT');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(await bravo.rooms()).toEqual([]);
  expect((await alpha.rooms()).map((r) => r.id)).toEqual([seat.roomId]);
  expect(await redis.client.zRange('tw:pool:battle', 0, -1)).toEqual([seat.roomId]);

  // The next caller joins that room rather than making another.
  const next = await joinOrCreateOver(bravo.http, 'battle');
  expect(next.status).toBe(200);
  expect(next.roomId).toBe(seat.roomId);
});
