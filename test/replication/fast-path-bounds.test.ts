import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, ProtocolError } from '../../engine-plugin/src/protocol';
import { ServerReplication } from '../../engine-plugin/src/replication';
import { assertWorldEquals, clientWorld, makeComponents, sectionOf, serverEntity, TestClient } from './harness';

/**
 * The client reads an update record without per-value bounds checks when the record's worst case
 * fits before the section's end. These pin down that the shortcut never changes an outcome: it
 * must respect the reader's limit (not the buffer's end), refuse the same malformed values, and
 * give every truncation the same result as the fully checked path.
 */

const ENTITIES = 12;

/** A server with entities carrying every field kind, a client in sync, and the next tick's update-only section. */
function scenario() {
  const s = makeComponents();
  const server = new ServerReplication(s.protocol);
  for (let e = 0; e < ENTITIES; e++) {
    server.spawn(e);
    // Some entities with one component (the inline path), some with three (the mask bookkeeping path).
    server.addComponent(e, s.protocol.componentId(s.Position));
    if (e % 2 === 0) {
      server.addComponent(e, s.protocol.componentId(s.Health));
      server.addComponent(e, s.protocol.componentId(s.Info));
    }
    s.Position.x[e] = e;
    s.Info.name[e] = `n${e}`;
  }
  server.addClient(1);
  server.replicate(1);
  const snapshot = sectionOf(server, 1);
  for (let e = 0; e < ENTITIES; e++) {
    s.Position.x[e] = e + 0.37 * e;
    s.Position.y[e] = -3000 - e;
    s.Health.hp[e] = 200 + (e % 50);
    s.Health.shield[e] = -20_000 + e;
    s.Health.alive[e] = 1;
    s.Info.name[e] = `név-${e}-ü`;
    s.Info.level[e] = 2 ** 31 + e;
    s.Info.score[e] = -(2 ** 30) - e;
    s.Info.ratio[e] = Math.PI * e;
    s.Info.small[e] = -100;
    s.Info.wide[e] = 60_000;
    s.Info.angle[e] = 1.5;
    s.Info.raw[e] = 1 / 3;
  }
  server.replicate(2);
  const update = sectionOf(server, 1);
  return { s, server, snapshot, update };
}

function syncedClient(snapshot: Uint8Array): TestClient {
  const client = new TestClient();
  client.replication.beginTick();
  client.replication.apply(new ByteReader(snapshot), 1);
  return client;
}

/** Apply and report the outcome: 'ok', or the error (which must be a ProtocolError). */
function outcome(client: TestClient, reader: ByteReader): string {
  client.replication.beginTick();
  try {
    client.replication.apply(reader, 2);
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    return `error: ${(e as Error).message}`;
  }
}

describe('the client fast path', () => {
  it('applies an update section exactly like the server state, within a larger buffer', () => {
    const { s, snapshot, update } = scenario();
    // Garbage after the section: a reader limited to the section must never look at it.
    const framed = new Uint8Array(update.length + 64).fill(0xff);
    framed.set(update);
    const client = syncedClient(snapshot);
    expect(outcome(client, new ByteReader(framed, 0, update.length))).toBe('ok');
    const components = [s.Position, s.Health, s.Info, s.Marker];
    const expected = new Map<number, ReturnType<typeof serverEntity>>();
    for (let e = 0; e < ENTITIES; e++) expected.set(e, serverEntity(e % 2 === 0 ? components.slice(0, 3) : [s.Position], e));
    assertWorldEquals(expected, clientWorld(client), components);
  });

  it('gives every truncation the same outcome as an exact-size buffer, never reading past the limit', () => {
    const { snapshot, update } = scenario();
    expect(update.length).toBeGreaterThan(150);
    for (let cut = 1; cut < update.length; cut++) {
      const exact = update.slice(0, cut);
      const framed = new Uint8Array(update.length + 64).fill(0x80);
      framed.set(exact);
      const a = syncedClient(snapshot);
      const b = syncedClient(snapshot);
      const limited = outcome(a, new ByteReader(framed, 0, cut));
      expect(limited).toBe(outcome(b, new ByteReader(exact)));
      if (limited === 'ok') expect(clientWorld(a)).toEqual(clientWorld(b));
    }
  });

  describe('refuses malformed values inside a record that fits', () => {
    // Entity 1 with Health only (component id 1: hp u8, shield i16, alive bool); padding makes the
    // record's worst case fit, so it is read on the fast path.
    const seed = (() => {
      const s = makeComponents();
      const server = new ServerReplication(s.protocol);
      server.spawn(1);
      server.addComponent(1, s.protocol.componentId(s.Health));
      server.addClient(1);
      server.replicate(1);
      return sectionOf(server, 1);
    })();
    const padded = (...bytes: number[]) => {
      const w = new ByteWriter();
      for (const b of bytes) w.u8(b);
      for (let i = 0; i < 64; i++) w.u8(0);
      return w.finish();
    };
    const cases: [string, Uint8Array][] = [
      ['a field mask varint longer than 8 bytes', padded(0, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00)],
      ['a field mask past 2^53', padded(0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)],
      ['a field mask with bits beyond the field count', padded(0, 1, 0b1000)],
      ['an id gap longer than 8 bytes', padded(0, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00)],
      ['an id beyond capacity', padded(0, 0xff, 0xff, 0xff, 0x0f)],
      ['a bool that is neither 0 nor 1', padded(0, 1, 0b100, 2)],
      ['an i16 out of range', padded(0, 1, 0b10, 0x80, 0xf1, 0x04)],
      ['a value varint longer than 8 bytes', padded(0, 1, 0b10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00)],
      ['an update for an entity the client does not have', padded(0, 9, 1, 1)],
    ];
    for (const [name, data] of cases) {
      it(name, () => {
        const client = syncedClient(seed);
        client.replication.beginTick();
        expect(() => client.replication.apply(new ByteReader(data, 0, data.length - 64 + 1), 2)).toThrow(ProtocolError);
        const again = syncedClient(seed);
        again.replication.beginTick();
        expect(() => again.replication.apply(new ByteReader(data), 2)).toThrow(ProtocolError);
      });
    }
  });
});
