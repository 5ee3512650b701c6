import { defineComponent, defineProtocol, t } from '../../engine-plugin/src/index';

/**
 * Fresh definitions per world. In production the server and each client are separate processes;
 * in one test process they must not share component stores, so each side makes its own (same
 * names and fields, hence the same fingerprint).
 */
export function defineGame() {
  const Position = defineComponent('position', { x: t.f32({ precision: 0.01 }), y: t.f32({ precision: 0.01 }) }, { capacity: 4096 });
  const Health = defineComponent('health', { hp: t.u8(), shield: t.bool() }, { capacity: 4096 });
  const Label = defineComponent('label', { name: t.string({ maxBytes: 16 }) }, { capacity: 4096 });
  const protocol = defineProtocol({ components: [Position, Health, Label] });
  return { Position, Health, Label, protocol };
}

/** Mulberry32: a tiny seeded PRNG so a failing run can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}
