import { describe, expect, it } from 'vitest';
import { RequestError } from '../../engine-plugin/src/index';
import { Chat } from '../support/messaging-protocol';
import { eventually } from '../support/cluster-nodes';
import { twoNodesPerSuite } from '../support/two-nodes';

describe('direct messages and topic publications cross nodes through Redis', () => {
  const cluster = twoNodesPerSuite();

  it('a DM from a client on node b reaches both of alice’s sessions on node a, with the sender; 404 for nobody', async () => {
    const { a, b, redis, clients } = cluster;
    const alicePhone = clients.connect(a.url, 'alice');
    const aliceLaptop = clients.connect(b.url, 'alice');
    const bob = clients.connect(b.url, 'bob');
    const eve = clients.connect(a.url, 'eve');
    await clients.connected();
    // A session is reachable from other nodes once its node's flush has written its presence
    // (one tick and a Redis round trip after its Welcome): wait for both of alice's.
    await eventually(async () => (await redis.client.hKeys('tw:presence:alice')).length === 2, 3000, 'both of alice’s sessions registered');
    const reply = await bob.direct('alice', Chat, { text: 'hi alice' });
    // One session here (b) plus node a, where alice holds another.
    expect(reply.delivered).toBe(2);
    await eventually(() => clients.of(alicePhone).directs.length === 1 && clients.of(aliceLaptop).directs.length === 1, 3000, 'both sessions got the DM');
    expect(clients.of(alicePhone).directs).toEqual(['bob:hi alice']);
    expect(clients.of(aliceLaptop).directs).toEqual(['bob:hi alice']);
    const toNobody = await bob.direct('nobody', Chat, { text: '?' }).catch((error: unknown) => error);
    expect(toNobody).toBeInstanceOf(RequestError);
    expect((toNobody as RequestError).code).toBe(404);
    expect(clients.of(eve).directs).toEqual([]);
  });

  it('a publication goes to matching subscribers on the other node (exact, * and **) and to no one else', async () => {
    const { a, b, clients } = cluster;
    const exact = clients.connect(a.url, 'carol');
    const oneSegment = clients.connect(a.url, 'dave');
    const deep = clients.connect(b.url, 'erin');
    const elsewhere = clients.connect(a.url, 'frank');
    const publisher = clients.connect(b.url, 'grace');
    await clients.connected();
    await exact.subscribe('chat.general');
    await oneSegment.subscribe('chat.*');
    await deep.subscribe('chat.**');
    await elsewhere.subscribe('news.*');
    // The interest tables reach the other node with its next event read.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const sent = await publisher.publish('chat.general', Chat, { text: 'hello all' });
    expect(sent.recipients).toBe(3);
    await eventually(() => [exact, oneSegment, deep].every((c) => clients.of(c).publications.length === 1), 3000, 'three subscribers got it');
    for (const c of [exact, oneSegment, deep]) expect(clients.of(c).publications).toEqual(['chat.general:grace:hello all']);
    const nested = await publisher.publish('chat.general.eu', Chat, { text: 'deep only' });
    expect(nested.recipients).toBe(1);
    await eventually(() => clients.of(deep).publications.length === 2, 3000, 'the ** subscriber got the nested topic');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(clients.of(exact).publications).toHaveLength(1);
    expect(clients.of(oneSegment).publications).toHaveLength(1);
    expect(clients.of(elsewhere).publications).toEqual([]);
  });
});
