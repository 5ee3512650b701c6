import type { FieldArray } from '../schema/component.js';
import { type ComponentLayout, FieldCode, quantize, wireBound } from './component-layout.js';
import type { ChangedFieldsWriter } from './compiled-encoding.js';
import { DirtyBits } from './dirty-bits.js';
import { EntitySet, IdList } from './entity-set.js';

/** Where a tick's detected changes go: shared by every component's shadow. */
export interface ChangeSink {
  /** Per entity: bits of the components that changed this tick (cleared once encoded). */
  readonly dirty: Uint32Array;
  /** Entities with a non-zero dirty word: drained in ascending order, so no sort is needed. */
  readonly changed: DirtyBits;
}

/** How a component's changes are found (see {@link ComponentShadow}). */
export type Tracking = 'scan' | 'marked';

/** A write to a `'marked'` component that no `markChanged` announced, found by the verifier. */
export interface UnmarkedChange {
  /** The server's entity id. */
  readonly eid: number;
  /** The component's wire name. */
  readonly component: string;
  /** Names of the fields whose sent value changed without a mark. */
  readonly fields: readonly string[];
}

/** A NaN found in a quantised field: it has no quantised value, so it is not sent (see `onNaN`). */
export interface NaNValue {
  /** The server's entity id. */
  readonly eid: number;
  /** The component's wire name. */
  readonly component: string;
  /** The field's name. */
  readonly field: string;
}

/**
 * Server-side change detection for one component: a shadow of the last values sent, compared
 * against the game's typed arrays once per tick.
 *
 * Users write `Position.x[eid]` directly, so there is no setter to hook; a shadow compare costs
 * O(entities with the component × fields) and needs nothing from game code. To make that floor
 * as low as JavaScript allows, every numeric field is compared through Int32Array views of the
 * store and the shadow — integer compares of bit patterns, no NaN cases, and four u8 (two u16)
 * entities per compare. When the component's members are dense in id space the scan walks the
 * id range word by word (no member-list indirection) and only a differing word looks at
 * membership; sparse components walk the member list. Quantised fields compare the store's bits
 * against the bits last quantised, so unchanged values never reach the divide; a changed one
 * compares its `q` against the last SENT q: slow drift below one step accumulates until it
 * crosses a step and is sent, rather than being lost one sub-step at a time.
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
  /** Per field: its {@link FieldCode}, for the encoders' switch. */
  readonly codes: Uint8Array;
  /** Worst-case bytes of this component's part of an update body (field mask and every field). */
  readonly updateBound: number;
  /** Worst-case bytes of this component's fields in a full body. */
  readonly fullBound: number;
  private readonly passes: readonly Pass[];
  private readonly quantizedPasses: readonly QuantizedPass[];
  /** One past the largest id that was ever a member: the range a dense scan covers. */
  private span = 0;
  /** This layout's generated changed-fields writer; undefined: the generic one (see compileChangedFields). */
  writeChanged: ChangedFieldsWriter | undefined = undefined;
  /** `'marked'` components: the ids game code marked since the last detect. */
  readonly marks: DirtyBits | undefined;
  private readonly markList = new IdList();
  /** The verifier's own mask and sink (allocated on its first run). */
  private verifyMask: Uint32Array | undefined;
  private verifySink: ChangeSink | undefined;
  private readonly verifyList = new IdList();

  constructor(layout: ComponentLayout, tracking: Tracking = 'scan') {
    this.layout = layout;
    this.marks = tracking === 'marked' ? new DirtyBits(layout.capacity) : undefined;
    const capacity = layout.capacity;
    this.members = new EntitySet();
    this.changed = new Uint32Array(capacity);
    this.sent = [];
    this.delta = [];
    const passes: Pass[] = [];
    for (const f of layout.fields) {
      const bit = 2 ** f.index;
      if (f.code === FieldCode.String) {
        const sent = new Array<string>(capacity).fill('');
        passes.push(new StringPass(bit, f.store as string[], sent));
        this.sent.push(sent);
        this.delta.push(undefined);
        continue;
      }
      const store = f.store as FieldArray;
      if (f.code === FieldCode.Quantized) {
        const sent = new Float64Array(capacity);
        const delta = new Float64Array(capacity);
        passes.push(new QuantizedPass(bit, f.name, store as Float32Array | Float64Array, sent, delta, f.step, f.offset, f.minQ, f.maxQ));
        this.sent.push(sent);
        this.delta.push(delta);
        continue;
      }
      const sent = new (store.constructor as new (n: number) => FieldArray)(capacity);
      passes.push(wordAligned(store) ? new WordPass(bit, store, sent) : new ElementPass(bit, store, sent));
      this.sent.push(sent);
      this.delta.push(undefined);
    }
    this.passes = passes;
    this.quantizedPasses = passes.filter((p) => p instanceof QuantizedPass);
    this.codes = Uint8Array.from(layout.fields, (f) => f.code);
    this.fullBound = layout.fields.reduce((sum, f) => sum + wireBound(f), 0);
    this.updateBound = 5 + this.fullBound;
  }

  addMember(eid: number): void {
    this.members.add(eid);
    if (eid >= this.span) this.span = eid + 1;
  }

  removeMember(eid: number): void {
    this.members.remove(eid);
  }

  /** Take the store's current values as sent: the entity is about to go out as a full record. */
  adopt(eid: number): void {
    for (const p of this.passes) p.adopt(eid);
    this.changed[eid] = 0;
  }

  /**
   * Find this tick's changes; record changed field bits in {@link changed}, this component's bit
   * in `sink.dirty[eid]`, and each changed entity in `sink.changed`. Shadows take the new values
   * at once: what is compared next tick is what this tick sends.
   *
   * A `'scan'` component compares every member. A `'marked'` one compares only the members game
   * code marked (ascending, column by column through the same passes, so quantisation, no-op
   * writes and drift behave exactly as in a scan). With `verify`, a marked component is then
   * scanned in full as well: every change the scan still finds was written without a mark; it is
   * reported to `onUnmarked` and sent like any other change.
   */
  detect(sink: ChangeSink, componentBit: number, verify = false, onUnmarked?: (change: UnmarkedChange) => void): void {
    const marks = this.marks;
    // When about as many ids were marked as there are members, walking the bits costs more than
    // the dense scan, which finds every marked change too: scan instead.
    if (marks !== undefined && marks.pending * 2 >= this.members.size && this.members.size * 2 >= this.span) {
      marks.clear();
      this.scan(this.changed, sink, componentBit);
      return;
    }
    if (marks !== undefined) {
      const list = this.markList;
      list.length = 0;
      marks.drain(list);
      const members = this.members;
      const items = list.items;
      let n = 0;
      for (let i = 0; i < list.length; i++) {
        const e = items[i]!;
        if (members.has(e)) items[n++] = e;
      }
      if (n !== 0) for (const p of this.passes) p.scanList(items, n, this.changed, sink, componentBit);
      if (verify) this.verify(sink, componentBit, onUnmarked);
      return;
    }
    this.scan(this.changed, sink, componentBit);
  }

  /** Move every NaN met in a quantised field since the last call into `into`. */
  drainNaNs(into: NaNValue[]): void {
    for (const pass of this.quantizedPasses) {
      const found = pass.nans;
      if (found.length === 0) continue;
      for (let i = 0; i < found.length; i++) into.push({ eid: found.items[i]!, component: this.layout.name, field: pass.field });
      found.length = 0;
    }
  }

  /** Mark `eid` as written this tick (a `'marked'` component; the caller range-checks). */
  markChanged(eid: number): void {
    this.marks?.set(eid);
  }

  private verify(sink: ChangeSink, componentBit: number, onUnmarked: ((change: UnmarkedChange) => void) | undefined): void {
    const capacity = this.layout.capacity;
    this.verifyMask ??= new Uint32Array(capacity);
    this.verifySink ??= { dirty: new Uint32Array(capacity), changed: new DirtyBits(capacity) };
    const mask = this.verifyMask;
    const found = this.verifySink;
    this.scan(mask, found, componentBit);
    const list = this.verifyList;
    list.length = 0;
    found.changed.drain(list);
    const fields = this.layout.fields;
    for (let i = 0; i < list.length; i++) {
      const e = list.items[i]!;
      const bits = mask[e]!;
      mask[e] = 0;
      found.dirty[e] = 0;
      this.changed[e] = this.changed[e]! | bits;
      sink.changed.set(e);
      sink.dirty[e] = sink.dirty[e]! | componentBit;
      if (onUnmarked === undefined) continue;
      const names: string[] = [];
      for (const f of fields) if ((bits & (2 ** f.index)) !== 0) names.push(f.name);
      onUnmarked({ eid: e, component: this.layout.name, fields: names });
    }
  }

  /** Compare every member against the shadow. */
  private scan(mask: Uint32Array, sink: ChangeSink, componentBit: number): void {
    const members = this.members;
    if (members.size === 0) return;
    // Dense ids: walking the range costs less than the member list's indirection; when every id
    // in the range is a member (the common case), differing words need no membership test.
    const dense = members.size * 2 >= this.span;
    const filter = members.size === this.span ? undefined : members;
    for (const p of this.passes) {
      if (dense) p.scanRange(this.span, filter, mask, sink, componentBit);
      else p.scanList(members.dense, members.size, mask, sink, componentBit);
    }
  }
}

/** One field's compare. Each kind is its own class so every loop's array accesses stay monomorphic. */
interface Pass {
  adopt(eid: number): void;
  scanRange(span: number, members: EntitySet | undefined, mask: Uint32Array, sink: ChangeSink, cbit: number): void;
  scanList(list: Int32Array, n: number, mask: Uint32Array, sink: ChangeSink, cbit: number): void;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function wordAligned(a: FieldArray): boolean {
  return a.byteOffset % 4 === 0 && a.byteLength % 4 === 0;
}

function words(a: FieldArray): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, a.byteLength >> 2);
}

function mark(e: number, bit: number, mask: Uint32Array, sink: ChangeSink, cbit: number): void {
  mask[e] = mask[e]! | bit;
  sink.dirty[e] = sink.dirty[e]! | cbit;
  sink.changed.set(e);
}

/** Exact numeric fields of any width, compared as Int32 words of the store and a same-typed shadow. */
class WordPass implements Pass {
  private readonly store: Int32Array;
  private readonly sent: Int32Array;
  /** Bytes per element: 1, 2, 4 or 8. */
  private readonly size: number;
  /** Elements per word (sizes 1, 2) — 1 for sizes 4 and 8. */
  private readonly perWord: number;
  /** log2 of {@link perWord}: `e >> wordShift` is the word of element `e`. */
  private readonly wordShift: number;
  /** Per lane (`e & (perWord - 1)`): the bits of that element inside its word, as an int32. */
  private readonly laneMasks: Int32Array;

  constructor(
    private readonly bit: number,
    store: FieldArray,
    sent: FieldArray,
  ) {
    this.store = words(store);
    this.sent = words(sent);
    this.size = store.BYTES_PER_ELEMENT;
    this.perWord = this.size < 4 ? 4 / this.size : 1;
    this.wordShift = this.perWord === 4 ? 2 : this.perWord === 2 ? 1 : 0;
    const elementBits = this.size * 8;
    this.laneMasks = new Int32Array(this.perWord);
    for (let lane = 0; lane < this.perWord && this.size < 4; lane++) {
      const shift = (LITTLE_ENDIAN ? lane : this.perWord - 1 - lane) * elementBits;
      this.laneMasks[lane] = ((2 ** elementBits - 1) * 2 ** shift) | 0;
    }
  }

  /** The bits of element `e` inside its word, as an int32 (sizes 1, 2). */
  private laneMask(e: number): number {
    return this.laneMasks[e & (this.perWord - 1)]!;
  }

  adopt(e: number): void {
    const { store, sent, size } = this;
    if (size === 4) sent[e] = store[e]!;
    else if (size === 8) {
      sent[2 * e] = store[2 * e]!;
      sent[2 * e + 1] = store[2 * e + 1]!;
    } else {
      const w = e >> this.wordShift;
      const m = this.laneMask(e);
      sent[w] = (sent[w]! & ~m) | (store[w]! & m);
    }
  }

  scanRange(span: number, members: EntitySet | undefined, mask: Uint32Array, sink: ChangeSink, cbit: number): void {
    const { store, sent, size, bit } = this;
    const end = Math.min(store.length, Math.ceil((span * size) / 4));
    for (let w = 0; w < end; w++) {
      const now = store[w]!;
      const was = sent[w]!;
      if (now === was) continue;
      sent[w] = now;
      if (size >= 4) {
        const e = size === 4 ? w : w >> 1;
        if ((members === undefined || members.has(e))) mark(e, bit, mask, sink, cbit);
        continue;
      }
      const first = w * this.perWord;
      for (let e = first; e < first + this.perWord; e++) {
        const m = this.laneMask(e);
        if ((now & m) !== (was & m) && (members === undefined || members.has(e))) mark(e, bit, mask, sink, cbit);
      }
    }
  }

  scanList(list: Int32Array, n: number, mask: Uint32Array, sink: ChangeSink, cbit: number): void {
    const { store, sent, size, bit } = this;
    if (size === 4) {
      for (let i = 0; i < n; i++) {
        const e = list[i]!;
        const now = store[e]!;
        if (now !== sent[e]) {
          sent[e] = now;
          mark(e, bit, mask, sink, cbit);
        }
      }
      return;
    }
    if (size === 8) {
      for (let i = 0; i < n; i++) {
        const e = list[i]!;
        if (store[2 * e] !== sent[2 * e] || store[2 * e + 1] !== sent[2 * e + 1]) {
          this.adopt(e);
          mark(e, bit, mask, sink, cbit);
        }
      }
      return;
    }
    const { laneMasks, wordShift } = this;
    const lanes = this.perWord - 1;
    for (let i = 0; i < n; i++) {
      const e = list[i]!;
      const w = e >> wordShift;
      const m = laneMasks[e & lanes]!;
      const now = store[w]!;
      const was = sent[w]!;
      if ((now & m) !== (was & m)) {
        sent[w] = (was & ~m) | (now & m);
        mark(e, bit, mask, sink, cbit);
      }
    }
  }
}

/** Fallback for a store whose bytes are not word-aligned (a custom capacity not a multiple of 4). */
class ElementPass implements Pass {
  constructor(
    private readonly bit: number,
    private readonly store: FieldArray,
    private readonly sent: FieldArray,
  ) {}

  adopt(e: number): void {
    this.sent[e] = this.store[e]!;
  }

  private compare(e: number, mask: Uint32Array, sink: ChangeSink, cbit: number): void {
    const v = this.store[e]!;
    const s = this.sent[e]!;
    // Plain floats can hold NaN, which never equals itself; only a NaN appearing or going is a change.
    if (v !== s && !(Number.isNaN(v) && Number.isNaN(s))) {
      this.sent[e] = v;
      mark(e, this.bit, mask, sink, cbit);
    }
  }

  scanRange(span: number, members: EntitySet | undefined, mask: Uint32Array, sink: ChangeSink, cbit: number): void {
    for (let e = 0; e < span; e++) if ((members === undefined || members.has(e))) this.compare(e, mask, sink, cbit);
  }

  scanList(list: Int32Array, n: number, mask: Uint32Array, sink: ChangeSink, cbit: number): void {
    for (let i = 0; i < n; i++) this.compare(list[i]!, mask, sink, cbit);
  }
}

/**
 * A quantised f32/f64: the store's bits against the bits last quantised (an f64 is compared as a
 * float, a NaN against a NaN counting as unchanged), then q against the last sent q. The loops
 * hoist every field constant into locals and inline the quantisation: this is the per-value
 * cost of every moving entity. A NaN has no q: the last sent one stands (nothing is sent) and
 * the entity is listed in {@link nans} for the `onNaN` report; a full record quantises it as 0.
 */
class QuantizedPass implements Pass {
  /** The store's bits (f32) or values (f64) when last quantised. */
  private readonly seen: Int32Array | Float64Array;
  private readonly storeBits: Int32Array | Float64Array;
  /** Entities whose store held NaN when this field was last quantised, since the last report. */
  readonly nans = new IdList();

  constructor(
    private readonly bit: number,
    readonly field: string,
    private readonly store: Float32Array | Float64Array,
    private readonly sent: Float64Array,
    private readonly delta: Float64Array,
    private readonly step: number,
    private readonly offset: number,
    private readonly minQ: number,
    private readonly maxQ: number,
  ) {
    if (store instanceof Float32Array) {
      this.storeBits = words(store);
      this.seen = new Int32Array(store.length);
    } else {
      this.storeBits = store;
      this.seen = new Float64Array(store.length).fill(Number.NaN);
    }
  }

  adopt(e: number): void {
    this.seen[e] = this.storeBits[e]!;
    const value = this.store[e]!;
    if (Number.isNaN(value)) this.nans.push(e);
    this.sent[e] = quantize(value, this.step, this.offset, this.minQ, this.maxQ);
  }

  scanRange(span: number, members: EntitySet | undefined, mask: Uint32Array, sink: ChangeSink, cbit: number): void {
    if (this.storeBits instanceof Int32Array) this.scanBits(this.storeBits, this.seen as Int32Array, undefined, 0, span, members, mask, sink, cbit);
    else this.scanFloats(this.storeBits, this.seen as Float64Array, undefined, 0, span, members, mask, sink, cbit);
  }

  scanList(list: Int32Array, n: number, mask: Uint32Array, sink: ChangeSink, cbit: number): void {
    if (this.storeBits instanceof Int32Array) this.scanBits(this.storeBits, this.seen as Int32Array, list, 0, n, undefined, mask, sink, cbit);
    else this.scanFloats(this.storeBits, this.seen as Float64Array, list, 0, n, undefined, mask, sink, cbit);
  }

  // scanBits and scanFloats are one loop over two array types, written twice so each stays monomorphic.

  private scanBits(bits: Int32Array, seen: Int32Array, list: Int32Array | undefined, from: number, to: number, members: EntitySet | undefined, mask: Uint32Array, sink: ChangeSink, cbit: number): void {
    const { store, sent, delta, step, offset, minQ, maxQ, bit } = this;
    const end = Math.min(to, list === undefined ? bits.length : to);
    for (let i = from; i < end; i++) {
      const e = list === undefined ? i : list[i]!;
      const now = bits[e]!;
      if (now === seen[e]) continue;
      seen[e] = now;
      let q = Math.round((store[e]! - offset) / step);
      const last = sent[e]!;
      if (q > maxQ) q = maxQ;
      else if (q < minQ) q = minQ;
      else if (Number.isNaN(q)) {
        if (members === undefined || members.has(e)) this.nans.push(e);
        continue;
      }
      if (q !== last && (members === undefined || members.has(e))) {
        delta[e] = q - last;
        sent[e] = q;
        mark(e, bit, mask, sink, cbit);
      }
    }
  }

  private scanFloats(values: Float64Array, seen: Float64Array, list: Int32Array | undefined, from: number, to: number, members: EntitySet | undefined, mask: Uint32Array, sink: ChangeSink, cbit: number): void {
    const { sent, delta, step, offset, minQ, maxQ, bit } = this;
    const end = Math.min(to, list === undefined ? values.length : to);
    for (let i = from; i < end; i++) {
      const e = list === undefined ? i : list[i]!;
      const v = values[e]!;
      const before = seen[e]!;
      if (v === before || (Number.isNaN(v) && Number.isNaN(before))) continue;
      seen[e] = v;
      let q = Math.round((v - offset) / step);
      const last = sent[e]!;
      if (q > maxQ) q = maxQ;
      else if (q < minQ) q = minQ;
      else if (Number.isNaN(q)) {
        if (members === undefined || members.has(e)) this.nans.push(e);
        continue;
      }
      if (q !== last && (members === undefined || members.has(e))) {
        delta[e] = q - last;
        sent[e] = q;
        mark(e, bit, mask, sink, cbit);
      }
    }
  }
}

class StringPass implements Pass {
  constructor(
    private readonly bit: number,
    private readonly store: string[],
    private readonly sent: string[],
  ) {}

  adopt(e: number): void {
    this.sent[e] = this.store[e]!;
  }

  scanRange(span: number, members: EntitySet | undefined, mask: Uint32Array, sink: ChangeSink, cbit: number): void {
    const { store, sent } = this;
    const end = Math.min(span, store.length);
    for (let e = 0; e < end; e++) {
      const v = store[e]!;
      if (v === sent[e]) continue;
      sent[e] = v;
      if ((members === undefined || members.has(e))) mark(e, this.bit, mask, sink, cbit);
    }
  }

  scanList(list: Int32Array, n: number, mask: Uint32Array, sink: ChangeSink, cbit: number): void {
    const { store, sent } = this;
    for (let i = 0; i < n; i++) {
      const e = list[i]!;
      const v = store[e]!;
      if (v !== sent[e]) {
        sent[e] = v;
        mark(e, this.bit, mask, sink, cbit);
      }
    }
  }
}
