/**
 * A target node whose lease is gone when a flush reaches Redis (its batch comes back "unreachable")
 * while more for it was queued behind that flush: what was queued is counted lost at the next
 * flush, and the bus goes on carrying everything else. Seen in the soak under load: a receiver
 * whose lease lapsed in the 2 s Redis pause made each sender drop its batch buffer for the
 * receiver while the sender still listed it as pending — the next flush threw inside the bus's
 * own send loop, the sender process died of the unhandled rejection and the soak hung on it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CarriedMessage, silentLogger } from '../../engine-plugin/src/index';
import { type ClusterNode, joinCluster } from '../../engine-plugin/src/cluster';
import { eventually } from '../support/cluster-nodes';
import { type RedisServer, startRedis } from '../support/redis-server';

let redis: RedisServer;
let sender: ClusterNode;
let gone: ClusterNode;
let alive: ClusterNode;
const heard: string[] = [];

const message = (text: string): CarriedMessage => ({ from: 'sender', type: 'chat', data: new TextEncoder().encode(text) });

beforeAll(async () => {
  redis = await startRedis();
  const join = (node: string) =>
    // A renewal a minute away: the lease of `gone` is deleted by the test and must not come back meanwhile.
    joinCluster({ redis: redis.url, address: `ws://127.0.0.1:1/${node}`, node, leaseMs: 120_000, renewMs: 60_000, logger: silentLogger });
  [sender, gone, alive] = await Promise.all([join('sender'), join('gone'), join('alive')]);
  const sink = { direct: () => 0, publish: () => 0, presence: () => {} };
  gone.bus.attach(sink);
  alive.bus.attach({ ...sink, direct: (_identity, m) => heard.push(new TextDecoder().decode(m.data)) });
  sender.bus.attach(sink);
  gone.bus.presence({ identity: 'ann', present: true });
  gone.bus.flush();
  alive.bus.presence({ identity: 'bob', present: true });
  alive.bus.flush();
  await eventually(() => sender.bus.direct('ann', message('warm-up')) === 1 && sender.bus.direct('bob', message('warm-up')) === 1, 5000, 'the sender knows ann and bob');
  sender.bus.flush();
  await eventually(() => heard.length > 0, 5000, 'bob heard the warm-up');
});
afterAll(async () => {
  await Promise.all([sender, gone, alive].map((node) => node?.leave()));
  await redis?.stop();
});

it('what was queued for a target found gone is counted lost, and the next message to a live node still arrives', async () => {
  const lostBefore = sender.stats.messagesLost;
  await redis.client.del('tw:node:gone');
  expect(sender.bus.direct('ann', message('first'))).toBe(1);
  sender.bus.flush();
  // Queued while that flush is on its way: its reply will name `gone` unreachable.
  expect(sender.bus.direct('ann', message('second'))).toBe(1);
  expect(sender.bus.direct('bob', message('for bob'))).toBe(1);
  await eventually(() => heard.includes('for bob'), 5000, 'bob heard the message queued behind the flush');
  await eventually(() => sender.stats.messagesLost - lostBefore >= 2, 5000, 'both messages for ann counted lost');
  expect(sender.stats.messagesLost - lostBefore).toBe(2);
  // The bus is not stuck: a later message goes out at the next tick.
  expect(sender.bus.direct('bob', message('later'))).toBe(1);
  sender.bus.flush();
  await eventually(() => heard.includes('later'), 5000, 'bob heard a later message');
});
