/**
 * A reap cut short (the reaper's Redis connection dropped between its claim and the end of the
 * reap, as CLIENT KILL does in the soak) is finished by the same reaper at its next renewal, not
 * left to its claim's expiry: until the reap ends, the dead node's name cannot register again and
 * its identities stay online. Seen in `npm run soak:cluster` under load: a receiver reaped in the
 * 2 s pause came back ~6.75 s later (the claim is 2 leases), and ~22k messages per sender were lost.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger } from '../../engine-plugin/src/index';
import { type ClusterNode, joinCluster } from '../../engine-plugin/src/cluster';
import { CLAIM, REGISTER } from '../../engine-plugin/src/cluster/lease-scripts';
import { eventually } from '../support/cluster-nodes';
import { type RedisServer, startRedis } from '../support/redis-server';

let redis: RedisServer;
let reaper: ClusterNode;

beforeAll(async () => {
  redis = await startRedis();
  reaper = await joinCluster({ redis: redis.url, address: 'ws://127.0.0.1:1/ws', node: 'reaper', logger: silentLogger });
});
afterAll(async () => {
  await reaper?.leave();
  await redis?.stop();
});

it('a claimed reap the reaper did not finish is finished at its next renewal, well before the claim expires', async () => {
  let dead = '';
  let claimedAt = 0;
  // A node with a 100 ms lease and one identity; once it lapses, claimed in the reaper's name as the
  // reaper's own renewal would — but the reaper never hears of it (its reply was lost with its connection).
  for (let attempt = 0; attempt < 5 && !claimedAt; attempt++) {
    const name = `lapsed-${attempt}`;
    const [epoch] = (await redis.client.eval(REGISTER, { arguments: ['tw:', name, 'ws://127.0.0.1:2/ws', '100', '1000'] })) as [number, string];
    expect(epoch).toBeGreaterThan(0);
    await redis.client.sAdd(`tw:members:${name}`, 'ghost');
    await redis.client.hSet('tw:presence:ghost', name, '');
    await eventually(async () => (await redis.client.exists(`tw:node:${name}`)) === 0, 2000, 'the lease lapsed');
    // The reaper's own renewal may win the claim first (then it reaps as usual): try another name.
    if ((await redis.client.eval(CLAIM, { arguments: ['tw:', name, 'reaper', '6000'] })) === 1) {
      dead = name;
      claimedAt = Date.now();
    }
  }
  expect(dead).not.toBe('');
  await eventually(async () => (await redis.client.hExists('tw:reaping', dead)) === 0, 8000, 'the reap finished');
  const finishedMs = Date.now() - claimedAt;
  // The reaper renews every second: its next renewal resumes the reap (the claim would hold 6 s).
  expect(finishedMs).toBeLessThanOrEqual(1500);
  expect(await redis.client.exists([`tw:members:${dead}`, 'tw:presence:ghost'])).toBe(0);
  expect(await redis.client.zScore('tw:leases', dead)).toBeNull();
  expect(reaper.stats.reaps).toBeGreaterThanOrEqual(1);
});
