import { describe, expect, it } from 'vitest';
import { type NaNValue, ServerReplication, type UnmarkedChange } from '../../engine-plugin/src/replication';
import { type Component, componentInfo, defineComponent, defineProtocol, t } from '../../engine-plugin/src/schema';
import { seededRandom } from '../../engine-plugin/src/transport/seeded-random';
import { sectionOf } from './harness';

const CAPACITY = 300;

/**
 * Layouts for the fused loop (at most seven fields, every field kind between them) and one it
 * does not serve (eight fields): a tick in which exactly one component has candidates takes the
 * fused compare-and-write, any other tick the two-pass path.
 */
function components() {
  const Body = defineComponent(
    'body',
    {
      x: t.f32({ precision: 0.01 }),
      name: t.string({ maxBytes: 8 }),
      raw: t.f32(),
      ratio: t.f64(),
      level: t.u32(),
      small: t.i8(),
      wide: t.u16(),
    },
    { capacity: CAPACITY },
  );
  const Vital = defineComponent(
    'vital',
    { hp: t.u8(), shield: t.i16(), alive: t.bool(), far: t.f64({ precision: 0.5 }), score: t.i32(), angle: t.f32({ min: -Math.PI, max: Math.PI, bits: 12 }) },
    { capacity: CAPACITY },
  );
  const Wide = defineComponent(
    'wide',
    { a: t.u8(), b: t.u8(), c: t.u8(), d: t.u8(), e: t.i16(), f: t.u16(), g: t.f32({ precision: 0.1 }), h: t.string({ maxBytes: 4 }) },
    { capacity: CAPACITY },
  );
  return { list: [Body, Vital, Wide] as const, protocol: defineProtocol({ components: [Body, Vital, Wide] }) };
}

/** A random value for a field of this kind: small steps, extremes, and now and then a no-op. */
function valueFor(kind: string, random: () => number, old: number | string): number | string {
  if (random() < 0.15) return old;
  if (kind === 'string') return ['', 'a', 'ünï', 'x'.repeat(12)][Math.floor(random() * 4)]!;
  if (kind === 'bool') return random() < 0.5 ? 0 : 1;
  if (kind === 'f32' || kind === 'f64') {
    const r = random();
    if (r < 0.05) return 1e12 * (random() - 0.5);
    if (r < 0.1) return -0;
    if (r < 0.15) return (old as number) + 0.001; // drift below one step
    return (random() - 0.5) * 400;
  }
  if (kind === 'i8') return Math.floor(random() * 256) - 128;
  if (kind === 'i16' || kind === 'i32') return Math.floor((random() - 0.5) * 70_000);
  return Math.floor(random() * 70_000);
}

function write(component: Component, e: number, random: () => number, into: Component): void {
  const stores = component as unknown as Record<string, (number | string)[]>;
  const mirror = into as unknown as Record<string, (number | string)[]>;
  for (const field of component[componentInfo].fieldNames) {
    if (random() < 0.4) continue;
    const v = valueFor(component[componentInfo].shape[field]!.kind, random, stores[field]![e]!);
    stores[field]![e] = v;
    mirror[field]![e] = v;
  }
}

/** Two servers fed the same writes: generated codecs (fused where it applies) and the generic two-pass ones. */
function run(seed: number, marked: boolean, verifyMarks: number) {
  const random = seededRandom(seed);
  const a = components();
  const b = components();
  const reports: [UnmarkedChange[], UnmarkedChange[]] = [[], []];
  const nans: [NaNValue[], NaNValue[]] = [[], []];
  const make = (side: ReturnType<typeof components>, i: 0 | 1) =>
    new ServerReplication(side.protocol, {
      compileEncoders: i === 0,
      verifyMarks,
      onUnmarkedChange: (c) => reports[i].push(c),
      onNaN: (v) => nans[i].push(v),
      ...(marked ? { marked: [side.list[0], side.list[1]] } : {}),
    });
  const fused = make(a, 0);
  const generic = make(b, 1);
  const ids = 120;
  const has = Array.from({ length: ids }, () => new Set<number>());
  for (const [server, side] of [
    [fused, a],
    [generic, b],
  ] as const) {
    for (let e = 0; e < ids; e++) {
      server.spawn(e);
      // Most entities carry one component (the fused loop's own case), some two or three.
      const set = e % 5 === 0 ? [0, 1, 2] : e % 7 === 0 ? [0, 1] : [e % 3];
      for (const c of set) {
        server.addComponent(e, side.protocol.componentId(side.list[c]!));
        has[e]!.add(c);
      }
    }
    server.addClient(1);
  }
  for (let tick = 0; tick < 160; tick++) {
    // Mostly one component written per tick (fused), sometimes two (two-pass), sometimes none.
    const r = random();
    const written = r < 0.1 ? [] : r < 0.8 ? [Math.floor(random() * 3)] : [0, 1, 2].filter(() => random() < 0.6);
    for (const c of written)
      for (let e = 0; e < ids; e++) {
        if (!has[e]!.has(c) && random() < 0.9) continue;
        if (random() < 0.6) continue;
        write(a.list[c]!, e, random, b.list[c]!);
        // Marks on most writes; a forgotten mark is what the verifier must find (identically on both paths).
        if (marked && random() < 0.9) {
          fused.markChanged(e, a.list[c]!);
          generic.markChanged(e, b.list[c]!);
        }
      }
    // Now and then an entity loses or regains a component (a non-member with marks, a restructure).
    if (random() < 0.2) {
      const e = Math.floor(random() * ids);
      const c = Math.floor(random() * 3);
      for (const [server, side] of [
        [fused, a],
        [generic, b],
      ] as const) {
        if (has[e]!.has(c)) server.removeComponent(e, side.protocol.componentId(side.list[c]!));
        else server.addComponent(e, side.protocol.componentId(side.list[c]!));
      }
      if (has[e]!.has(c)) has[e]!.delete(c);
      else has[e]!.add(c);
    }
    fused.replicate(tick);
    generic.replicate(tick);
    expect(Buffer.from(sectionOf(fused, 1)).toString('hex'), `seed ${seed} tick ${tick}`).toBe(Buffer.from(sectionOf(generic, 1)).toString('hex'));
  }
  expect(reports[0]).toEqual(reports[1]);
  expect(nans[0]).toEqual(nans[1]);
  return reports[0];
}

describe('the fused compare-and-write', () => {
  it('writes byte for byte what the two-pass generic path writes, scanning plain writes', () => {
    for (const seed of [1, 2, 3]) run(seed, false, 0);
  });

  it('writes the same bytes for marked components, with and without the mark verifier, and reports the same unmarked writes', () => {
    for (const seed of [4, 5]) run(seed, true, 0);
    let found = 0;
    for (const seed of [6, 7]) found += run(seed, true, 1).length;
    // The workload forgets marks: the verifier must have had something to report.
    expect(found).toBeGreaterThan(0);
  });
});
