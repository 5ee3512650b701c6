/**
 * The soak's worst moment for a lease, made on purpose: every client connection killed, Redis
 * paused 2 s, and the kill that comes with the pause's end (soak:cluster kills every 2 s and pauses
 * right after a kill) — timed to start just before the watched node's next renewal, so its lease
 * has aged a whole renewal period when the pause begins, and the renewal due in the pause is lost
 * with the second kill. With the default timing (3 s lease) the node must keep its lease and
 * epoch: a lapse there is what soak:cluster saw fail at load 6 (the receiver reaped, its messages
 * counted lost). With 1 s renewals it lapsed every time: 1 s + 2 s = the whole lease.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger } from '../../engine-plugin/src/index';
import { type ClusterNode, joinCluster } from '../../engine-plugin/src/cluster';
import { type RedisServer, startRedis } from '../support/redis-server';

let redis: RedisServer;
let watched: ClusterNode;
let reaper: ClusterNode;

beforeAll(async () => {
  redis = await startRedis();
  watched = await joinCluster({ redis: redis.url, address: 'ws://127.0.0.1:1/ws', node: 'watched', logger: silentLogger });
  reaper = await joinCluster({ redis: redis.url, address: 'ws://127.0.0.1:2/ws', node: 'reaper', logger: silentLogger });
});
afterAll(async () => {
  await watched?.leave();
  await reaper?.leave();
  await redis?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const killAll = () => redis.client.sendCommand(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']);

it('a 2 s Redis pause between two rounds of killed connections, begun just before a renewal, lapses no lease', async () => {
  // When the watched node renews: each renewal moves its deadline in the lease set.
  const renewals: number[] = [];
  let deadline = '';
  let watching = true;
  const watch = (async () => {
    while (watching) {
      const now = String(await redis.client.zScore('tw:leases', 'watched'));
      if (now !== deadline) {
        deadline = now;
        renewals.push(performance.now());
      }
      await sleep(5);
    }
  })();
  while (renewals.length < 4) await sleep(5);
  watching = false;
  await watch;
  const period = renewals.at(-1)! - renewals.at(-2)!;
  // Just before the next renewal: the lease is as old as it gets when the pause begins.
  await sleep(renewals.at(-1)! + period - 30 - performance.now());
  const epoch = watched.epoch;

  await killAll();
  await redis.client.sendCommand(['CLIENT', 'PAUSE', '2000', 'ALL']);
  await sleep(2000);
  await killAll();
  // Long enough for a lapse to show: past the lease, a reaper's renewal and a new registration.
  await sleep(3500);

  const story = `renewal period ${period.toFixed(0)} ms; watched: leasesLost ${watched.stats.leasesLost}, epoch ${epoch} → ${watched.epoch}; reaper: reaps ${reaper.stats.reaps}`;
  console.log(`lease-outlives-a-pause-between-kills: ${story}`);
  expect(watched.stats.leasesLost, story).toBe(0);
  expect(watched.epoch, story).toBe(epoch);
  expect(reaper.stats.reaps, story).toBe(0);
  expect(reaper.stats.leasesLost, story).toBe(0);
}, 30_000);
