import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter } from '../../engine-plugin/src/protocol';
import { ClientReplication, ServerReplication } from '../../engine-plugin/src/replication';
import { type Component, componentInfo, defineComponent, defineProtocol, t } from '../../engine-plugin/src/schema';
import { seededRandom } from '../../engine-plugin/src/transport/seeded-random';
import { MapSink } from './harness';

// Odd on purpose: the last column words fall short of a 64-byte step, and the f64 column has more
// differing 16-byte blocks than the kernel lists per call when every entity moves.
const CAPACITY = 3001;

function body() {
  return defineComponent(
    'body',
    { x: t.f32({ precision: 0.01 }), ratio: t.f64(), hp: t.u8(), shield: t.i16(), level: t.u32(), raw: t.f32() },
    { capacity: CAPACITY },
  );
}

const FIELDS = ['x', 'ratio', 'hp', 'shield', 'level', 'raw'] as const;

function stores(c: Component): Record<(typeof FIELDS)[number], Float32Array | Float64Array | Uint8Array | Int16Array | Uint32Array> {
  return c as never;
}

/** A server over `Body` (plain writes, scanned) and a client with its own stores, in sync. */
function pair(Body: Component, ids: number) {
  const server = new ServerReplication(defineProtocol({ components: [Body] }), { verifyMarks: 0 });
  const ClientBody = body();
  const sink = new MapSink();
  const client = new ClientReplication(defineProtocol({ components: [ClientBody] }), sink);
  for (let e = 0; e < ids; e++) {
    server.spawn(e);
    server.addComponent(e, 0);
  }
  server.addClient(1);
  const w = new ByteWriter();
  let tick = 0;
  const step = () => {
    server.replicate(tick);
    w.reset();
    server.writeState(1, w);
    client.beginTick();
    client.apply(new ByteReader(w.finish()), tick);
    tick++;
  };
  /** Entities whose client values differ from the server's (x within its precision, the rest exactly, by bits for floats). */
  const diverged = () => {
    const out: number[] = [];
    const s = stores(Body);
    const c = stores(ClientBody);
    for (let e = 0; e < ids; e++) {
      const local = client.localId(e)!;
      if (Math.abs(s.x[e]! - c.x[local]!) > 0.0051) out.push(e);
      else if (!Object.is(s.ratio[e], c.ratio[local]) && !(Number.isNaN(s.ratio[e]) && Number.isNaN(c.ratio[local]))) out.push(e);
      else if (s.hp[e] !== c.hp[local] || s.shield[e] !== c.shield[local] || s.level[e] !== c.level[local]) out.push(e);
      else if (!Object.is(s.raw[e], c.raw[local])) out.push(e);
    }
    return out;
  };
  step();
  return { server, step, diverged };
}

function scramble(Body: Component, ids: number, share: number, random: () => number): void {
  const s = stores(Body);
  for (let e = 0; e < ids; e++) {
    if (random() >= share) continue;
    switch (Math.floor(random() * 6)) {
      case 0:
        s.x[e] = (random() - 0.5) * 2000;
        break;
      case 1:
        s.ratio[e] = random() < 0.1 ? -0 : (random() - 0.5) * 1e6;
        break;
      case 2:
        s.hp[e] = Math.floor(random() * 256);
        break;
      case 3:
        s.shield[e] = Math.floor((random() - 0.5) * 65_000);
        break;
      case 4:
        s.level[e] = Math.floor(random() * 2 ** 32);
        break;
      default:
        s.raw[e] = random() < 0.1 ? -0 : random() - 0.5;
    }
  }
}

describe('the scan of columns that live in WebAssembly memory', () => {
  it('keeps components in one memory with a twin per column, where the server keeps its shadows', () => {
    const Body = body();
    const columns = Body[componentInfo].columns;
    expect(columns).toBeDefined();
    expect(stores(Body).x.buffer).toBe(columns!.memory.buffer);
  });

  it('finds every write, one entity, a few or all of them, at every position of a 64-byte step and past the last one', () => {
    const Body = body();
    const ids = CAPACITY;
    const { step, diverged } = pair(Body, ids);
    const random = seededRandom(3);
    const s = stores(Body);
    // One entity at a time, each field, at ids covering every word of a step and the odd tail.
    for (const e of [0, 1, 2, 3, 4, 5, 15, 16, 17, 31, 32, 63, 64, 2943, 2944, 2990, 2999, 3000]) {
      s.x[e] = s.x[e]! + 1;
      s.hp[e] = (s.hp[e]! + 1) % 256;
      s.raw[e] = s.raw[e]! + 0.25;
      step();
      expect(diverged(), `entity ${e}`).toEqual([]);
    }
    // A ±0 flip of an exact float is a change of bits: sent.
    s.raw[7] = -0;
    step();
    expect(diverged()).toEqual([]);
    for (const share of [0.01, 0.3, 1, 1])
      for (let tick = 0; tick < 5; tick++) {
        scramble(Body, ids, share, random);
        step();
        expect(diverged(), `share ${share}`).toEqual([]);
      }
  });

  it('a second server over the same component keeps its own shadows and still finds every write', () => {
    const Body = body();
    const ids = 500;
    const first = pair(Body, ids);
    const second = pair(Body, ids);
    const random = seededRandom(9);
    for (let tick = 0; tick < 20; tick++) {
      scramble(Body, ids, 0.2, random);
      first.step();
      second.step();
      expect(first.diverged()).toEqual([]);
      expect(second.diverged()).toEqual([]);
    }
  });

  it('falls back to plain typed arrays where WebAssembly is unavailable, and the scan still finds every write', () => {
    const saved = globalThis.WebAssembly;
    let Body: Component;
    try {
      // An engine without WebAssembly (or one whose memory cannot be reserved).
      (globalThis as { WebAssembly?: unknown }).WebAssembly = undefined;
      Body = body();
    } finally {
      globalThis.WebAssembly = saved;
    }
    expect(Body[componentInfo].columns).toBeUndefined();
    const { step, diverged } = pair(Body, 300);
    const random = seededRandom(4);
    for (let tick = 0; tick < 10; tick++) {
      scramble(Body, 300, 0.3, random);
      step();
      expect(diverged()).toEqual([]);
    }
  });
});
