import { describe, expect, it } from 'vitest';
import { Chat } from '../support/messaging-protocol';
import { eventually } from '../support/cluster-nodes';
import { twoNodesPerSuite } from '../support/two-nodes';

// A message from another node has already waited for its sender's tick; the receiving node sends
// it on as it arrives (a Messages frame) instead of with its own next tick. Node b stops ticking
// here, so whatever reaches its clients came without a tick of b.
describe('messages relayed from another node', () => {
  const cluster = twoNodesPerSuite();

  it('reach clients of a node that does not tick, DMs and publications, in the order they were sent', async () => {
    const { a, b, redis, clients } = cluster;
    const far = clients.connect(b.url, 'far');
    const sender = clients.connect(a.url, 'sender');
    await clients.connected();
    await far.subscribe('news.*');
    await eventually(async () => (await redis.client.hKeys('tw:presence:far')).length === 1, 3000, 'far registered');
    await eventually(async () => (await redis.client.hGet('tw:interest:b', 'news.*')) === '1', 3000, 'b’s interest registered');
    await b.pauseTicks();
    // b's last frame is read before far's view of b's tick is taken.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const tickBefore = far.tick;

    const replies = [];
    for (let i = 0; i < 10; i++) {
      replies.push(sender.direct('far', Chat, { text: `dm ${i}` }));
      replies.push(sender.publish('news.today', Chat, { text: `pub ${i}` }));
      // Over several of a's ticks: more than one batch, more than one Messages frame.
      if (i % 3 === 2) await new Promise((resolve) => setTimeout(resolve, 60));
    }
    await Promise.all(replies);
    await eventually(() => clients.of(far).directs.length === 10 && clients.of(far).publications.length === 10, 3000, 'everything reached far');
    expect(clients.of(far).directs).toEqual(Array.from({ length: 10 }, (_, i) => `sender:dm ${i}`));
    expect(clients.of(far).publications).toEqual(Array.from({ length: 10 }, (_, i) => `news.today:sender:pub ${i}`));
    // No Tick frame of b carried them: far's view of b's tick did not move.
    expect(far.tick).toBe(tickBefore);
  });
});
