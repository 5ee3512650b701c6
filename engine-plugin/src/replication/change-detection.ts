import type { FieldArray } from '../schema/component';
import { type ComponentLayout, FieldCode, quantize } from './component-layout';
import { EntitySet } from './entity-set';

/**
 * Server-side change detection for one component: a shadow of the last values sent, compared
 * against the game's typed arrays once per tick.
 *
 * Users write `Position.x[eid]` directly, so there is no setter to hook; a shadow compare costs
 * O(entities with the component × fields) and needs nothing from game code. The compare runs
 * field-major, one monomorphic loop per storage kind chosen when the protocol is laid out, so the
 * hot loop never looks at a field's type. Quantised fields compare the integer `q` against the
 * last SENT q (not the last seen float): slow drift below one step accumulates in the store until
 * it crosses a step and is sent, rather than being lost one sub-step at a time.
 */
export class ComponentShadow {
  readonly layout: ComponentLayout;
  /** Alive entities that have this component. */
  readonly members: EntitySet;
  /** Per entity: bits of the fields that changed this tick (cleared once encoded). */
  readonly changed: Uint32Array;
  /**
   * Per field, the value last sent: a copy of the store's type for exact fields, the integer q
   * (Float64Array) for quantised ones, a string array for strings.
   */
  readonly sent: (FieldArray | string[])[];
  /** Per field, this tick's q delta (quantised fields only). */
  readonly delta: (Float64Array | undefined)[];
  private readonly passes: readonly Pass[];

  constructor(layout: ComponentLayout) {
    this.layout = layout;
    const capacity = layout.capacity;
    this.members = new EntitySet();
    this.changed = new Uint32Array(capacity);
    this.sent = [];
    this.delta = [];
    const passes: Pass[] = [];
    for (const f of layout.fields) {
      const bit = 2 ** f.index;
      let sent: FieldArray | string[];
      let delta: Float64Array | undefined;
      if (f.code === FieldCode.Quantized) {
        sent = new Float64Array(capacity);
        delta = new Float64Array(capacity);
        const seen = new Float64Array(capacity).fill(Number.NaN);
        passes.push({ kind: PassKind.Quantized, bit, store: f.store, sent, delta, seen, step: f.step, offset: f.offset, minQ: f.minQ, maxQ: f.maxQ });
      } else if (f.code === FieldCode.String) {
        sent = new Array<string>(capacity).fill('');
        passes.push({ kind: PassKind.String, bit, store: f.store, sent, delta, seen: undefined, step: 1, offset: 0, minQ: 0, maxQ: 0 });
      } else {
        const store = f.store as FieldArray;
        sent = new (store.constructor as new (n: number) => FieldArray)(capacity);
        const kind =
          f.code === FieldCode.F32 ? PassKind.F32 : f.code === FieldCode.F64 ? PassKind.F64 : f.code === FieldCode.U32 || f.code === FieldCode.I32 ? PassKind.Int32 : PassKind.SmallInt;
        passes.push({ kind, bit, store, sent, delta, seen: undefined, step: 1, offset: 0, minQ: 0, maxQ: 0 });
      }
      this.sent.push(sent);
      this.delta.push(delta);
    }
    this.passes = passes;
  }

  /** Take the store's current values as sent: the entity is about to go out as a full record. */
  adopt(eid: number): void {
    for (const p of this.passes) {
      if (p.kind === PassKind.Quantized) {
        const value = (p.store as Float64Array)[eid]!;
        (p.sent as Float64Array)[eid] = quantize(value, p.step, p.offset, p.minQ, p.maxQ);
        p.seen![eid] = value;
      } else {
        (p.sent as unknown[])[eid] = (p.store as unknown[])[eid];
      }
    }
    this.changed[eid] = 0;
  }

  /**
   * Compare every member against the shadow; record changed field bits in {@link changed} and
   * this component's bit in `dirty[eid]`. Shadows take the new values at once: what is compared
   * next tick is what this tick sends.
   */
  detect(dirty: Uint32Array, componentBit: number): void {
    const list = this.members.dense;
    const n = this.members.size;
    const mask = this.changed;
    for (const p of this.passes) {
      switch (p.kind) {
        case PassKind.F32:
          compareFloat32(p.store as Float32Array, p.sent as Float32Array, list, n, mask, p.bit, dirty, componentBit);
          break;
        case PassKind.F64:
          compareFloat64(p.store as Float64Array, p.sent as Float64Array, list, n, mask, p.bit, dirty, componentBit);
          break;
        case PassKind.SmallInt:
          compareSmallInt(p.store as SmallIntArray, p.sent as SmallIntArray, list, n, mask, p.bit, dirty, componentBit);
          break;
        case PassKind.Int32:
          compareInt32(p.store as Uint32Array | Int32Array, p.sent as Uint32Array | Int32Array, list, n, mask, p.bit, dirty, componentBit);
          break;
        case PassKind.Quantized:
          compareQuantized(p, list, n, mask, dirty, componentBit);
          break;
        case PassKind.String:
          compareString(p.store as string[], p.sent as string[], list, n, mask, p.bit, dirty, componentBit);
          break;
      }
    }
  }
}

const PassKind = { F32: 0, F64: 1, SmallInt: 2, Int32: 3, Quantized: 4, String: 5 } as const;

interface Pass {
  readonly kind: (typeof PassKind)[keyof typeof PassKind];
  /** The field's bit in the component's mask, as a number (bit 31 stays positive). */
  readonly bit: number;
  readonly store: FieldArray | string[];
  readonly sent: FieldArray | string[];
  readonly delta: Float64Array | undefined;
  /** Quantised fields: the store value last quantised, so an unchanged float skips the divide. */
  readonly seen: Float64Array | undefined;
  readonly step: number;
  readonly offset: number;
  readonly minQ: number;
  readonly maxQ: number;
}

type SmallIntArray = Uint8Array | Int8Array | Uint16Array | Int16Array;

// One function per storage kind keeps each loop's typed-array loads monomorphic (or at most
// 4-way polymorphic), which is what lets V8 compile them to tight machine code.

function compareFloat32(store: Float32Array, sent: Float32Array, list: Int32Array, n: number, mask: Uint32Array, bit: number, dirty: Uint32Array, cbit: number): void {
  for (let i = 0; i < n; i++) {
    const e = list[i]!;
    const v = store[e]!;
    const s = sent[e]!;
    // NaN never equals itself: only a NaN appearing or disappearing is a change.
    if (v !== s && !(Number.isNaN(v) && Number.isNaN(s))) {
      sent[e] = v;
      mask[e] = mask[e]! | bit;
      dirty[e] = dirty[e]! | cbit;
    }
  }
}

function compareFloat64(store: Float64Array, sent: Float64Array, list: Int32Array, n: number, mask: Uint32Array, bit: number, dirty: Uint32Array, cbit: number): void {
  for (let i = 0; i < n; i++) {
    const e = list[i]!;
    const v = store[e]!;
    const s = sent[e]!;
    if (v !== s && !(Number.isNaN(v) && Number.isNaN(s))) {
      sent[e] = v;
      mask[e] = mask[e]! | bit;
      dirty[e] = dirty[e]! | cbit;
    }
  }
}

function compareSmallInt(store: SmallIntArray, sent: SmallIntArray, list: Int32Array, n: number, mask: Uint32Array, bit: number, dirty: Uint32Array, cbit: number): void {
  for (let i = 0; i < n; i++) {
    const e = list[i]!;
    const v = store[e]!;
    if (v !== sent[e]) {
      sent[e] = v;
      mask[e] = mask[e]! | bit;
      dirty[e] = dirty[e]! | cbit;
    }
  }
}

function compareInt32(store: Uint32Array | Int32Array, sent: Uint32Array | Int32Array, list: Int32Array, n: number, mask: Uint32Array, bit: number, dirty: Uint32Array, cbit: number): void {
  for (let i = 0; i < n; i++) {
    const e = list[i]!;
    const v = store[e]!;
    if (v !== sent[e]) {
      sent[e] = v;
      mask[e] = mask[e]! | bit;
      dirty[e] = dirty[e]! | cbit;
    }
  }
}

function compareQuantized(p: Pass, list: Int32Array, n: number, mask: Uint32Array, dirty: Uint32Array, cbit: number): void {
  const store = p.store as Float32Array | Float64Array;
  const sent = p.sent as Float64Array;
  const delta = p.delta!;
  const seen = p.seen!;
  const { step, offset, minQ, maxQ, bit } = p;
  for (let i = 0; i < n; i++) {
    const e = list[i]!;
    const v = store[e]!;
    // The float is what it was when last quantised: q cannot differ (NaN always re-checks, harmlessly).
    if (v === seen[e]) continue;
    seen[e] = v;
    let q = Math.round((v - offset) / step);
    if (q > maxQ) q = maxQ;
    else if (q < minQ) q = minQ;
    else if (Number.isNaN(q)) q = Math.min(Math.max(0, minQ), maxQ);
    const last = sent[e]!;
    if (q !== last) {
      delta[e] = q - last;
      sent[e] = q;
      mask[e] = mask[e]! | bit;
      dirty[e] = dirty[e]! | cbit;
    }
  }
}

function compareString(store: string[], sent: string[], list: Int32Array, n: number, mask: Uint32Array, bit: number, dirty: Uint32Array, cbit: number): void {
  for (let i = 0; i < n; i++) {
    const e = list[i]!;
    const v = store[e]!;
    if (v !== sent[e]) {
      sent[e] = v;
      mask[e] = mask[e]! | bit;
      dirty[e] = dirty[e]! | cbit;
    }
  }
}
