import { addComponent, addEntity, createWorld, query } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { Networked, PROTOCOL_VERSION, cloneProtocol, createClient, defineComponent, defineProtocol, silentLogger, t } from '../../engine-plugin/src/index';
import { nodeWebSocketClient } from '../../engine-plugin/src/node';
import { encodeHello } from '../../engine-plugin/src/protocol';
import { type Rig, openRaw, startRig } from '../support/rig';

// Eight strings of up to 250 bytes: one entity's full record can take over 2 KB, more than a
// 1024-byte frame (the smallest any peer may advertise) can hold, and a record is never cut.
const shape = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`line${i}`, t.string({ maxBytes: 250 })]));
const Card = defineComponent('card', shape);
const protocol = defineProtocol({ components: [Card] });
const lines = Card as unknown as Record<string, string[]>;

function spawnCards(rig: Rig, count: number): void {
  const world = rig.server.world;
  for (let n = 0; n < count; n++) {
    const eid = addEntity(world);
    addComponent(world, eid, Card);
    for (let i = 0; i < 8; i++) lines[`line${i}`]![eid] = `${n}`.padEnd(250, 'x');
    addComponent(world, eid, Networked);
  }
}

describe('a client frame limit too small for one entity record is refused, never overrun', () => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('the server refuses a Hello whose maxFrameBytes cannot hold the largest record, with 1002 naming both sizes', async () => {
    rig = await startRig('ws', protocol);
    spawnCards(rig, 3);
    const limits = { maxFrameBytes: 1024, maxMessageBytes: 800, maxMessagesPerFrame: 100 };
    const raw = openRaw(rig.rawTransport(), (s) => s.send(encodeHello({ version: PROTOCOL_VERSION, fingerprint: protocol.fingerprint, resumeToken: '', received: 0, limits })));
    await rig.until(() => raw.closed !== undefined);
    expect(raw.closed!.code).toBe(1002);
    expect(raw.closed!.reason).toMatch(/^advertised maxFrameBytes 1024 cannot hold one entity record of this protocol: at least \d+$/);
    expect(raw.messages.filter((m) => typeof m !== 'string' && m.length > 1024)).toEqual([]);
  });

  it('createClient refuses the same limit at once, naming the smallest that works', () => {
    const make = (maxFrameBytes: number) =>
      createClient(createWorld(), cloneProtocol(protocol).protocol, {
        transport: nodeWebSocketClient('ws://127.0.0.1:1/ws'),
        settings: { maxFrameBytes, maxMessageBytes: 800 },
        logger: silentLogger,
      });
    expect(() => make(1024)).toThrow(/^settings\.maxFrameBytes 1024 cannot hold one entity record of this protocol \(card\): at least (\d+)$/);
  });

  it('a client advertising just the smallest limit gets every entity in frames within it', async () => {
    rig = await startRig('ws', protocol);
    spawnCards(rig, 3);
    let smallest = 0;
    try {
      createClient(createWorld(), cloneProtocol(protocol).protocol, { transport: nodeWebSocketClient('ws://127.0.0.1:1/ws'), settings: { maxFrameBytes: 1024, maxMessageBytes: 800 } });
    } catch (error) {
      smallest = Number(/at least (\d+)$/.exec((error as Error).message)![1]);
    }
    expect(smallest).toBeGreaterThan(2000);
    const mine = cloneProtocol(protocol).protocol;
    const world = createWorld();
    // The socket itself enforces the limit: a longer frame would close it with 1009.
    const client = createClient(world, mine, {
      transport: nodeWebSocketClient(`ws://127.0.0.1:${rig.port}/ws`, { maxPayload: smallest }),
      settings: { maxFrameBytes: smallest, maxMessageBytes: 800 },
      logger: silentLogger,
      reconnect: false,
    });
    client.connect();
    const closes: number[] = [];
    const card = mine.components[0]!;
    await rig.until(() => {
      client.receive();
      for (const event of client.events()) if (event.type === 'disconnected') closes.push(event.code);
      return closes.length > 0 || query(world, [card]).length === 3;
    });
    expect(closes).toEqual([]);
    const got = [...query(world, [card])].map((eid) => (card as unknown as Record<string, string[]>).line7![eid]!.slice(0, 1)).sort();
    expect(got).toEqual(['0', '1', '2']);
    client.disconnect();
  });
});
