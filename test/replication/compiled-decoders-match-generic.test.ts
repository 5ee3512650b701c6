import { describe, expect, it } from 'vitest';
import { ByteReader } from '../../engine-plugin/src/protocol';
import { ClientReplication, ServerReplication } from '../../engine-plugin/src/replication';
import { seededRandom } from '../../engine-plugin/src/transport/seeded-random';
import { clientWorld, makeComponents, MapSink, scrambleFields, sectionOf, type TestClient } from './harness';

/** A client whose readers are generated (`compiled`) or generic. */
function client(compiled: boolean): TestClient {
  const components = makeComponents();
  const sink = new MapSink();
  const replication = new ClientReplication(components.protocol, sink, { compileDecoders: compiled });
  return { components, sink, replication, lastBytes: 0 };
}

/** Apply `bytes`; the outcome is the error message, or the resulting world. */
function outcome(c: TestClient, bytes: Uint8Array, tick: number): string {
  c.replication.beginTick();
  try {
    c.replication.apply(new ByteReader(bytes), tick);
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
  return JSON.stringify([...clientWorld(c)]);
}

describe('generated update readers', () => {
  it('decode exactly what the generic readers decode, and refuse corrupted sections with the same errors', () => {
    const s = makeComponents();
    const components = [s.Position, s.Health, s.Info];
    const server = new ServerReplication(s.protocol, { verifyMarks: 0 });
    const random = seededRandom(11);
    const ids = 40;
    for (let e = 0; e < ids; e++) {
      server.spawn(e);
      for (const c of e % 3 === 0 ? components : [components[e % 3]!]) server.addComponent(e, s.protocol.componentId(c));
    }
    server.addClient(1);
    const compiled = client(true);
    const generic = client(false);
    for (let tick = 0; tick < 150; tick++) {
      scrambleFields(components, ids, random);
      server.replicate(tick);
      const bytes = sectionOf(server, 1).slice();
      // Now and then a corrupted copy first, to both: they must refuse (or accept) it alike, at the
      // same point, so their worlds stay identical to each other.
      if (tick > 0 && bytes.length > 2 && random() < 0.1) {
        const bad = bytes.slice();
        bad[1 + Math.floor(random() * (bad.length - 1))] = Math.floor(random() * 256);
        expect(outcome(compiled, bad, tick), `corrupted tick ${tick}`).toBe(outcome(generic, bad, tick));
      }
      expect(outcome(compiled, bytes, tick), `tick ${tick}`).toBe(outcome(generic, bytes, tick));
    }
  });
});
