import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, ProtocolError } from '../../engine-plugin/src/protocol';
import { ServerReplication } from '../../engine-plugin/src/replication';
import { DEFAULT_CAPACITY } from '../../engine-plugin/src/schema';
import { CAPACITY, makeComponents, sectionOf, TestClient } from './harness';

type Part = ['u8' | 'varint' | 'zigzag', number] | ['string', string];

/** Hand-built section bytes: a list of [encoding, value] parts. */
function bytes(...parts: Part[]): Uint8Array {
  const w = new ByteWriter();
  for (const [kind, value] of parts) {
    if (kind === 'string') w.string(value);
    else w[kind](value);
  }
  return w.finish();
}

function applyTo(client: TestClient, data: Uint8Array): void {
  client.replication.beginTick();
  client.replication.apply(new ByteReader(data), 1);
}

const seed = (() => {
  const s = makeComponents();
  const server = new ServerReplication(s.protocol);
  server.spawn(1);
  server.addComponent(1, s.protocol.componentId(s.Health));
  server.addClient(1);
  server.replicate(1);
  return { hp: s.protocol.componentId(s.Health), section: sectionOf(server, 1) };
})();

/** A client that already has entity 1 with Health (component id 1: ids follow sorted names). */
function clientWithEntity(): { client: TestClient; hp: number } {
  const client = new TestClient();
  applyTo(client, seed.section);
  return { client, hp: seed.hp };
}

describe('malformed state sections', () => {
  const cases: [string, () => Uint8Array][] = [
    ['unknown flag bits', () => bytes(['u8', 0x82])],
    ['a despawn count larger than the bytes left', () => bytes(['u8', 2], ['varint', 1000])],
    // The tag component has the default capacity, so that is the protocol's entity bound.
    ['a server id beyond capacity', () => bytes(['u8', 2], ['varint', 1], ['varint', DEFAULT_CAPACITY])],
    ['a server id beyond its component’s capacity', () => bytes(['u8', 4], ['varint', 1], ['varint', CAPACITY], ['varint', 1], ['u8', 1], ['varint', 0], ['u8', 1])],
    ['an id gap past 2^53', () => bytes(['u8', 4], ['varint', 1], ['varint', 2 ** 53 - 1], ['varint', 0])],
    ['an unknown component id', () => bytes(['u8', 4], ['varint', 1], ['varint', 5], ['varint', 1 << 4])],
    ['an update for an entity the client does not have', () => bytes(['u8', 0], ['varint', 9], ['varint', 1], ['u8', 1])],
    ['a field mask with bits beyond the field count', () => bytes(['u8', 0], ['varint', 1], ['varint', 0b1000])],
    ['a bool that is neither 0 nor 1', () => bytes(['u8', 0], ['varint', 1], ['varint', 0b100], ['u8', 2])],
    ['an i16 out of range', () => bytes(['u8', 0], ['varint', 1], ['varint', 0b10], ['zigzag', 40_000])],
    ['a truncated value', () => bytes(['u8', 0], ['varint', 1], ['varint', 0b1])],
    ['a string over its maxBytes', () => bytes(['u8', 4], ['varint', 1], ['varint', 3], ['varint', 1 << 1], ['string', 'x'.repeat(17)])],
  ];

  for (const [name, build] of cases) {
    it(`refuses ${name} with ProtocolError`, () => {
      const { client } = clientWithEntity();
      expect(() => applyTo(client, build())).toThrow(ProtocolError);
    });
  }

  it('refuses every truncation of a valid section with ProtocolError', () => {
    const s = makeComponents();
    const server = new ServerReplication(s.protocol);
    for (let e = 0; e < 5; e++) {
      server.spawn(e);
      for (let c = 0; c < 4; c++) server.addComponent(e, c);
      s.Info.name[e] = `n${e}`;
    }
    server.addClient(1);
    server.replicate(1);
    const full = sectionOf(server, 1);
    for (let cut = 1; cut < full.length; cut++) {
      const client = new TestClient();
      let error: unknown;
      try {
        applyTo(client, full.subarray(0, cut));
      } catch (e) {
        error = e;
      }
      // A cut on a record boundary is a shorter valid section; any other must be refused cleanly.
      if (error !== undefined) expect(error).toBeInstanceOf(ProtocolError);
    }
  });

  it('never throws anything but ProtocolError nor grows past capacity on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        const { client } = clientWithEntity();
        try {
          applyTo(client, data);
        } catch (e) {
          if (!(e instanceof ProtocolError)) throw e;
        }
        return client.sink.entities.size <= CAPACITY;
      }),
      { numRuns: 1000 },
    );
  });
});
