import { afterEach, describe, expect, it } from 'vitest';
import {
  type BusDelivery,
  BusUnavailable,
  type CarriedMessage,
  type LocalPresence,
  type MessagingBus,
  type RequestError,
  localBus,
} from '../../engine-plugin/src/index';
import { Chat } from '../support/messaging-protocol';
import { type MessagingRig, connectAll, startMessagingRig, track } from '../support/messaging-rig';

/**
 * A bus that records what leaves its server and hands it straight to a peer's delivery: the
 * smallest "other process" there is. It pins the seam itself (what crosses, and when), not a cluster.
 */
class PairedBus implements MessagingBus {
  peer: PairedBus | undefined;
  delivery: BusDelivery | undefined;
  unavailable = false;
  /** What this server reported: [pattern, local subscribers] and presence edges, in order. */
  readonly interestLog: Array<[string, number]> = [];
  readonly presenceLog: LocalPresence[] = [];
  private readonly present = new Set<string>();
  private queued: Array<() => void> = [];

  constructor(readonly node: string) {}

  attach(delivery: BusDelivery): void {
    this.delivery = delivery;
  }
  direct(identity: string, message: CarriedMessage): number {
    if (this.unavailable) throw new BusUnavailable('paired bus is down');
    // Sent at flush, like a real bus; the count is what the peer has reported by now.
    this.queued.push(() => this.peer!.delivery!.direct(identity, message));
    return this.peer!.present.has(identity) ? 1 : 0;
  }
  publish(topic: string, message: CarriedMessage): number {
    if (this.unavailable) throw new BusUnavailable('paired bus is down');
    this.queued.push(() => this.peer!.delivery!.publish(topic, message));
    return 0;
  }
  interest(pattern: string, subscribers: number): void {
    this.interestLog.push([pattern, subscribers]);
  }
  presence(change: LocalPresence): void {
    this.presenceLog.push(change);
    if (change.present) this.present.add(change.identity);
    else this.present.delete(change.identity);
  }
  async request(): Promise<unknown> {
    throw new BusUnavailable('no requests here');
  }
  serve(): void {}
  flush(): void {
    const queued = this.queued;
    this.queued = [];
    for (const send of queued) send();
  }
  async close(): Promise<void> {}
}

describe('the messaging bus carries exactly what leaves the process', () => {
  let a: MessagingRig;
  let b: MessagingRig;
  afterEach(async () => {
    await a?.close();
    await b?.close();
  });

  async function pair(): Promise<{ busA: PairedBus; busB: PairedBus }> {
    const busA = new PairedBus('a');
    const busB = new PairedBus('b');
    busA.peer = busB;
    busB.peer = busA;
    a = await startMessagingRig({ messaging: { bus: busA } });
    b = await startMessagingRig({ messaging: { bus: busB } });
    return { busA, busB };
  }

  const both = () => {
    a.step();
    b.step();
  };

  it('a direct message for an identity on the other server crosses at flush and is answered with the count known at send time', async () => {
    const { busA, busB } = await pair();
    const alice = a.client('alice');
    const bob = b.client('bob');
    await connectAll(a, [alice]);
    await connectAll(b, [bob]);
    both();
    // Each server told its bus about its own identity's first session, and nothing else.
    expect(busA.presenceLog.map((p) => `${p.identity}:${p.present}`)).toEqual(['alice:true']);
    expect(busB.presenceLog.map((p) => `${p.identity}:${p.present}`)).toEqual(['bob:true']);

    const sent = track(alice.direct('bob', Chat, { text: 'across' }));
    const got: string[] = [];
    await a.until(() => {
      b.step();
      got.push(...bob.directMessages(Chat).map((m) => `${m.from}:${m.data.text}`));
      return sent.settled && got.length === 1;
    });
    expect(sent.value).toEqual({ delivered: 1 });
    expect(got).toEqual(['alice:across']);
  });

  it('a publication reaches subscribers on the other server; interest is reported per pattern with its local count', async () => {
    const { busA, busB } = await pair();
    const alice = a.client('alice');
    const [bob, carol] = [b.client('bob'), b.client('carol')];
    await connectAll(a, [alice]);
    await connectAll(b, [bob, carol]);
    const subscribed = [track(bob.subscribe(['chat.*'])), track(carol.subscribe(['chat.*', 'chat.general']))];
    await b.until(() => subscribed.every((s) => s.settled));
    expect(busB.interestLog).toEqual([
      ['chat.*', 1],
      ['chat.*', 2],
      ['chat.general', 1],
    ]);
    expect(busA.interestLog).toEqual([]);

    const published = track(alice.publish('chat.general', Chat, { text: 'hello all' }));
    const got: string[] = [];
    await a.until(() => {
      b.step();
      for (const client of [bob, carol]) got.push(...client.publications(Chat).map((p) => `${p.topic}:${p.data.text}`));
      return published.settled && got.length === 2;
    });
    expect(got).toEqual(['chat.general:hello all', 'chat.general:hello all']);

    carol.disconnect();
    await b.until(() => busB.interestLog.length === 5);
    expect(busB.interestLog.slice(3)).toEqual([
      ['chat.*', 1],
      ['chat.general', 0],
    ]);
    await b.until(() => busB.presenceLog.some((p) => p.identity === 'carol' && !p.present));
  });

  it('when the bus cannot send, the sender hears 503 naming what was reached here', async () => {
    const { busA } = await pair();
    const alice = a.client('alice');
    await connectAll(a, [alice]);
    busA.unavailable = true;
    const direct = track(alice.direct('bob', Chat, { text: 'lost?' }));
    const published = track(alice.publish('chat.general', Chat, { text: 'lost?' }));
    await a.until(() => direct.settled && published.settled);
    expect((direct.error as RequestError).code).toBe(503);
    expect((direct.error as RequestError).message).toMatch(/reached 0 here; other nodes: paired bus is down/);
    expect((published.error as RequestError).code).toBe(503);
    expect(a.server.messaging.bus.node).toBe('a');
  });

  it('the default bus is one process: node requests reach only its own handlers', async () => {
    const bus = localBus();
    bus.serve('echo', (data) => data);
    await expect(bus.request('local', 'echo', { x: 1 }, 100)).resolves.toEqual({ x: 1 });
    await expect(bus.request('other', 'echo', {}, 100)).rejects.toBeInstanceOf(BusUnavailable);
    await expect(bus.request('local', 'missing', {}, 100)).rejects.toThrow(/no handler for missing/);
    expect(() => bus.serve('echo', () => 0)).toThrow(/already registered/);
    a = await startMessagingRig();
    expect(a.server.messaging.bus.node).toBe('local');
  });
});
