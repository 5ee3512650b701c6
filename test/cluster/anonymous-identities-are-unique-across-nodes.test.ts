import { describe, expect, it } from 'vitest';
import { Chat } from '../support/messaging-protocol';
import { eventually } from '../support/cluster-nodes';
import { twoNodesPerSuite } from '../support/two-nodes';

// Connection ids count from 1 on every node: without the node in the key, the first anonymous
// session of node a and of node b would be one identity `#1`, and a DM to one would reach both.
describe('anonymous identities on a cluster', () => {
  const cluster = twoNodesPerSuite();

  it('name their node, so the first session of each node is two identities and a DM reaches only its own', async () => {
    const { a, b, redis, clients } = cluster;
    // No token: the test nodes' authenticate gives these sessions no identity of their own.
    const onA = clients.connect(a.url, '');
    const onB = clients.connect(b.url, '');
    await clients.connected();
    const watcher = clients.connect(a.url, 'watcher');
    const sender = clients.connect(a.url, 'sender');
    await clients.connected();
    expect([onA.id, onB.id]).toEqual([1, 1]);
    await watcher.watchPresence();
    await eventually(() => clients.of(watcher).presence.filter((p) => p.startsWith('#')).length === 2, 3000, 'both anonymous sessions online');
    expect(clients.of(watcher).presence.filter((p) => p.startsWith('#')).sort()).toEqual(['#1@a:online', '#1@b:online']);
    expect((await redis.client.keys('tw:presence:#*')).sort()).toEqual(['tw:presence:#1@a', 'tw:presence:#1@b']);

    const reply = await sender.direct('#1@b', Chat, { text: 'only b' });
    expect(reply.delivered).toBe(1);
    await eventually(() => clients.of(onB).directs.length === 1, 3000, 'the anonymous session on b got its DM');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(clients.of(onB).directs).toEqual(['sender:only b']);
    expect(clients.of(onA).directs).toEqual([]);
  });
});
