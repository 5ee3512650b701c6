import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter } from '../../engine-plugin/src/protocol';
import { ClientReplication, ServerReplication } from '../../engine-plugin/src/replication';
import { defineComponent, defineProtocol, t } from '../../engine-plugin/src/schema';
import { MapSink } from './harness';

/** Every field kind, with a capacity (13) that leaves the 1- and 2-byte columns a partial last word. */
function oddComponent() {
  return defineComponent(
    'odd',
    { a: t.u8(), b: t.i16(), c: t.bool(), d: t.f32(), e: t.f64(), f: t.f32({ precision: 0.5 }), g: t.f64({ precision: 0.25 }), h: t.u32(), s: t.string({ maxBytes: 8 }) },
    { capacity: 13 },
  );
}

function setup(options: { compileEncoders: boolean }) {
  const Odd = oddComponent();
  const server = new ServerReplication(defineProtocol({ components: [Odd] }), { verifyMarks: 0, compileEncoders: options.compileEncoders });
  const ClientOdd = oddComponent();
  const client = new ClientReplication(defineProtocol({ components: [ClientOdd] }), new MapSink(), { compileDecoders: options.compileEncoders });
  for (let e = 0; e < 13; e++) {
    server.spawn(e);
    server.addComponent(e, 0);
  }
  server.addClient(1);
  const w = new ByteWriter();
  let tick = 0;
  const sync = () => {
    server.replicate(tick);
    w.reset();
    server.writeState(1, w);
    client.beginTick();
    client.apply(new ByteReader(w.finish()), tick);
    tick++;
    return client.changed.map((local) => client.serverId(local)).sort((x, y) => x! - y!);
  };
  sync();
  const seen = (e: number) => {
    const local = client.localId(e)!;
    return { a: ClientOdd.a[local], b: ClientOdd.b[local], c: ClientOdd.c[local], d: ClientOdd.d[local], e: ClientOdd.e[local], f: ClientOdd.f[local], g: ClientOdd.g[local], h: ClientOdd.h[local], s: ClientOdd.s[local] };
  };
  return { Odd, sync, seen };
}

describe.each([true, false])('plain typed-array writes (generated code: %s)', (compileEncoders) => {
  it('are found in every field kind, in the first, a middle and the last id of an odd capacity, on the next tick', () => {
    const { Odd, sync, seen } = setup({ compileEncoders });
    for (const e of [0, 6, 12]) {
      Odd.a[e] = 200 + e;
      Odd.b[e] = -300 - e;
      Odd.c[e] = 1;
      Odd.d[e] = 1.5 + e;
      Odd.e[e] = 1e300 + e;
      Odd.f[e] = 10 + e;
      Odd.g[e] = -20 - e;
      Odd.h[e] = 4_000_000_000 + e;
      Odd.s[e] = `id-${e}`;
    }
    expect(sync()).toEqual([0, 6, 12]);
    for (const e of [0, 6, 12])
      expect(seen(e)).toEqual({ a: 200 + e, b: -300 - e, c: 1, d: 1.5 + e, e: 1e300 + e, f: 10 + e, g: -20 - e, h: 4_000_000_000 + e, s: `id-${e}` });
    // The neighbours sharing those words were not written, and nothing else is reported.
    expect(sync()).toEqual([]);
  });

  it('tell exact floats by their bits: NaN stays NaN without resending, -0 differs from 0', () => {
    const { Odd, sync, seen } = setup({ compileEncoders });
    Odd.d[5] = Number.NaN;
    Odd.e[5] = Number.NaN;
    expect(sync()).toEqual([5]);
    expect(Number.isNaN(seen(5).d)).toBe(true);
    expect(Number.isNaN(seen(5).e)).toBe(true);
    expect(sync()).toEqual([]);
    Odd.d[7] = -0;
    Odd.e[7] = -0;
    expect(sync()).toEqual([7]);
    expect(Object.is(seen(7).d, -0)).toBe(true);
    expect(Object.is(seen(7).e, -0)).toBe(true);
  });

  it('send nothing for a write of the same value or one inside the same quantisation step', () => {
    const { Odd, sync } = setup({ compileEncoders });
    Odd.a[3] = 0;
    Odd.f[3] = 0.1;
    Odd.g[3] = -0.1;
    expect(sync()).toEqual([]);
  });

  it('are found in a quantised column at every id, whichever half of an eight-byte step it is in', () => {
    // Quantised f32 columns are compared two entities per double; each entity alone must be found.
    const { Odd, sync, seen } = setup({ compileEncoders });
    for (let e = 0; e < 13; e++) {
      Odd.f[e] = 3 + e;
      expect(sync()).toEqual([e]);
      expect(seen(e).f).toBe(3 + e);
      Odd.g[e] = 5 + e;
      expect(sync()).toEqual([e]);
      expect(seen(e).g).toBe(5 + e);
    }
    expect(sync()).toEqual([]);
  });

  it('keep a quantised column right around Infinity, NaN and a ±0 flip (same q, nothing to send)', () => {
    const { Odd, sync, seen } = setup({ compileEncoders });
    Odd.f[3] = Number.POSITIVE_INFINITY; // the upper half of double 1: its pattern is not a number
    expect(sync()).toEqual([3]);
    Odd.f[2] = 7; // its neighbour in the same double is still found
    expect(sync()).toEqual([2]);
    expect(seen(2).f).toBe(7);
    expect(sync()).toEqual([]);
    Odd.f[5] = -0; // was +0: quantises to the same q
    expect(sync()).toEqual([]);
    Odd.f[5] = 1;
    expect(sync()).toEqual([5]);
    expect(seen(5).f).toBe(1);
  });
});
