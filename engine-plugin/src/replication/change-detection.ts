import { COLUMN_SCRATCH_BYTES, claimTwins } from '../schema/column-memory.js';
import { componentInfo, type FieldArray } from '../schema/component.js';
import { diffDoubles, diffElements, diffInPlace, diffStrings, diffWords, doubleView, wordView } from './column-diff.js';
import { type ComponentLayout, FieldCode, quantize, wireBound } from './component-layout.js';
import type { ChangedFieldsWriter, UpdateRecordWriter } from './compiled-encoding.js';
import type { Generated } from './generated-code.js';
import { DirtyBits } from './dirty-bits.js';
import { EntitySet, IdList } from './entity-set.js';
import { type BlockDiff, blockDiffFor } from './wasm-block-diff.js';
import { compileFusedUpdates, type FusedOutcome, type FusedUpdates, type RecordTargets, type SlowRecord } from './fused-updates.js';
import { CompareKind, type CompareTargets, compileRowCompare, genericRowCompare, type RowCompare } from './row-compare.js';

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
 * Server-side change detection for one component: a shadow of the last values sent, and the
 * candidates whose fields may differ from it this tick.
 *
 * Candidates come from two places. Game code may announce writes with `markChanged` (a bit in
 * {@link candidates}: two ORs). A `'scan'` component is also diffed column by column each tick
 * (see column-diff.ts): every numeric field's store against its shadow as raw words, four at a
 * time, so an entity nobody wrote costs a fraction of a compare per field and writing typed
 * arrays directly needs nothing from game code. String fields cannot be diffed that way (each
 * compare is a call); a scanned component sweeps them {@link STRING_SWEEP} ids per tick, so a
 * plain string write is found within ⌈entities / STRING_SWEEP⌉ ticks (a mark finds it at once).
 * A `'marked'` component is compared only where marked. Either way the candidates then go
 * through the exact per-entity compare (row-compare.ts) in ascending order.
 */
export class ComponentShadow {
  readonly layout: ComponentLayout;
  /** Alive entities that have this component. */
  readonly members: EntitySet;
  /** Per entity: 1 while it is a member (what the row compare tests). */
  readonly member: Uint8Array;
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
  /** This layout's generated changed-fields writer; undefined: the generic one (see compileChangedFields). */
  writeChanged: Generated<ChangedFieldsWriter> | undefined = undefined;
  /** This layout's generated whole-record writer for single-component entities; undefined: the generic path. */
  writeRecord: Generated<UpdateRecordWriter> | undefined = undefined;
  /** How changes are found: see the class comment. */
  readonly tracking: Tracking;
  /** Ids to compare this tick: marks, and (scanned components) what the column diff found. */
  readonly candidates: DirtyBits;
  /** Entities reported changed by the last {@link detect}: sizes the encoder's one reservation. */
  reported = 0;
  /** This layout's fused compare-and-write (see fused-updates.ts); undefined: the two-pass path only. */
  fused: Generated<FusedUpdates> | undefined = undefined;
  /** This tick's {@link collect} was a verify pass of a marked component: {@link marks} holds what was marked. */
  private verifying = false;
  /** The candidate words as marked, before a verify pass added the scan's (allocated on the first verify). */
  private marks: Int32Array | undefined;
  private onUnmarked: ((change: UnmarkedChange) => void) | undefined;
  private readonly reportUnmarked = (e: number, bits: number): void => {
    const onUnmarked = this.onUnmarked;
    if (onUnmarked === undefined) return;
    const names: string[] = [];
    for (const f of this.layout.fields) if ((bits & (2 ** f.index)) !== 0) names.push(f.name);
    onUnmarked({ eid: e, component: this.layout.name, fields: names });
  };
  private readonly one = new Int32Array(1);
  private readonly targets: CompareTargets;
  private compareRows: Generated<RowCompare>;
  /** Per numeric field: the store and the shadow the column diff compares, as words, and the element size. */
  private readonly columns: {
    store: Int32Array | undefined;
    shadow: Int32Array | undefined;
    /** Quantised float columns only: the same bytes as doubles, compared eight bytes per element (see `diffDoubles`). */
    doubles: { store: Float64Array; shadow: Float64Array } | undefined;
    raw: FieldArray;
    rawShadow: FieldArray;
    size: number;
    /** The store's byte offset in its memory (read once: a typed array's `byteOffset` is a getter). */
    base: number;
  }[] = [];
  /**
   * The SIMD kernel comparing each numeric column with its shadow in place, when the shadows live
   * in the twins of the component's column memory (see schema/column-memory.ts); undefined: the
   * JavaScript loops.
   */
  private readonly kernel: BlockDiff | undefined;
  private readonly twinOffset: number = 0;
  private readonly scratch: number = 0;
  private readonly blocks: Int32Array | undefined;
  private readonly strings: { store: string[]; sent: string[] }[] = [];
  /** One past the largest id that was ever a member: the range a column diff covers. */
  private span = 0;
  private sweep = 0;
  private readonly list = new IdList();

  constructor(layout: ComponentLayout, tracking: Tracking = 'scan') {
    this.layout = layout;
    this.tracking = tracking;
    const capacity = layout.capacity;
    this.candidates = new DirtyBits(capacity);
    this.members = new EntitySet();
    this.member = new Uint8Array(capacity);
    this.changed = new Uint32Array(capacity);
    this.sent = [];
    this.delta = [];
    const kinds: number[] = [];
    const storeBits: (Int32Array | undefined)[] = [];
    const sentBits: (Int32Array | undefined)[] = [];
    const seen: (Int32Array | undefined)[] = [];
    const nans: (IdList | undefined)[] = [];
    // Shadows in the twins of the component's column memory, unless another server holds them.
    const memory = layout.component[componentInfo].columns;
    const twins = memory !== undefined && claimTwins(memory, this) ? memory : undefined;
    if (twins !== undefined) {
      this.twinOffset = twins.twinOffset;
      this.scratch = twins.scratch;
      this.kernel = blockDiffFor(twins.memory);
      this.blocks = new Int32Array(twins.memory.buffer, twins.scratch, COLUMN_SCRATCH_BYTES >>> 2);
    } else {
      this.kernel = undefined;
      this.blocks = undefined;
    }
    /** A shadow array for `store`: its twin, or a fresh array. */
    const shadowOf = <A extends FieldArray>(store: FieldArray, type: new (buffer: ArrayBuffer, offset: number, length: number) => A, length: number): A =>
      twins === undefined ? new type(new ArrayBuffer(store.byteLength), 0, length) : new type(twins.memory.buffer, store.byteOffset + twins.twinOffset, length);
    for (const f of layout.fields) {
      nans.push(f.code === FieldCode.Quantized ? new IdList() : undefined);
      if (f.code === FieldCode.String) {
        const sent = new Array<string>(capacity).fill('');
        this.strings.push({ store: f.store as string[], sent });
        this.sent.push(sent);
        this.delta.push(undefined);
        kinds.push(CompareKind.String);
        storeBits.push(undefined);
        sentBits.push(undefined);
        seen.push(undefined);
        continue;
      }
      const store = f.store as FieldArray;
      const isFloat = store instanceof Float32Array || store instanceof Float64Array;
      const bits = isFloat ? new Int32Array(store.buffer, store.byteOffset, store.byteLength >>> 2) : undefined;
      storeBits.push(bits);
      if (f.code === FieldCode.Quantized) {
        const last = shadowOf(store, Int32Array, store.byteLength >>> 2);
        this.sent.push(new Float64Array(capacity));
        this.delta.push(new Float64Array(capacity));
        kinds.push(store instanceof Float32Array ? CompareKind.Quantized32 : CompareKind.Quantized64);
        sentBits.push(undefined);
        seen.push(last);
        const storeDoubles = bits === undefined ? undefined : doubleView(bits);
        const lastDoubles = doubleView(last);
        const doubles = storeDoubles !== undefined && lastDoubles !== undefined ? { store: storeDoubles, shadow: lastDoubles } : undefined;
        this.columns.push({ store: bits, shadow: last, doubles, raw: store, rawShadow: last, size: store.BYTES_PER_ELEMENT, base: store.byteOffset });
        continue;
      }
      const sent = shadowOf(store, store.constructor as new (buffer: ArrayBuffer, offset: number, length: number) => FieldArray, capacity);
      this.sent.push(sent);
      this.delta.push(undefined);
      seen.push(undefined);
      if (isFloat) {
        const words = new Int32Array(sent.buffer, sent.byteOffset, sent.byteLength >>> 2);
        kinds.push(store instanceof Float32Array ? CompareKind.Bits32 : CompareKind.Bits64);
        sentBits.push(words);
        this.columns.push({ store: bits, shadow: words, doubles: undefined, raw: store, rawShadow: sent, size: store.BYTES_PER_ELEMENT, base: store.byteOffset });
      } else {
        kinds.push(CompareKind.Integer);
        sentBits.push(undefined);
        this.columns.push({ store: wordView(store), shadow: wordView(sent), doubles: undefined, raw: store, rawShadow: sent, size: store.BYTES_PER_ELEMENT, base: store.byteOffset });
      }
    }
    this.targets = {
      fields: layout.fields,
      kinds: Uint8Array.from(kinds),
      storeBits,
      sent: this.sent,
      sentBits,
      seen,
      delta: this.delta,
      nans,
      changed: this.changed,
      member: this.member,
    };
    this.compareRows = genericRowCompare(this.targets);
    this.codes = Uint8Array.from(layout.fields, (f) => f.code);
    this.fullBound = layout.fields.reduce((sum, f) => sum + wireBound(f), 0);
    this.updateBound = 5 + this.fullBound;
  }

  /**
   * Use the generated row compare (kept generic where eval is refused) and, given the server's
   * record arrays, the fused compare-and-write for ticks in which only this component changed.
   */
  compile(records?: RecordTargets, componentBit = 0): void {
    this.compareRows = compileRowCompare(this.targets) ?? this.compareRows;
    if (records !== undefined) this.fused = compileFusedUpdates(this.targets, records, componentBit);
  }

  addMember(eid: number): void {
    this.members.add(eid);
    this.member[eid] = 1;
    if (eid >= this.span) this.span = eid + 1;
  }

  removeMember(eid: number): void {
    this.members.remove(eid);
    this.member[eid] = 0;
  }

  /** Take the store's current values as sent: the entity is about to go out as a full record. */
  adopt(e: number): void {
    const { fields, kinds, storeBits, sentBits, seen, nans } = this.targets;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      switch (kinds[i]) {
        case CompareKind.Quantized32:
        case CompareKind.Quantized64: {
          if (kinds[i] === CompareKind.Quantized32) seen[i]![e] = storeBits[i]![e]!;
          else {
            seen[i]![2 * e] = storeBits[i]![2 * e]!;
            seen[i]![2 * e + 1] = storeBits[i]![2 * e + 1]!;
          }
          // A full record carries NaN as 0 does (see quantize); it is still reported.
          const value = (f.store as Float32Array | Float64Array)[e]!;
          if (Number.isNaN(value)) nans[i]!.push(e);
          (this.sent[i] as Float64Array)[e] = quantize(value, f.step, f.offset, f.minQ, f.maxQ);
          break;
        }
        case CompareKind.Bits32:
          sentBits[i]![e] = storeBits[i]![e]!;
          break;
        case CompareKind.Bits64:
          sentBits[i]![2 * e] = storeBits[i]![2 * e]!;
          sentBits[i]![2 * e + 1] = storeBits[i]![2 * e + 1]!;
          break;
        case CompareKind.String:
          (this.sent[i] as string[])[e] = (f.store as string[])[e]!;
          break;
        default:
          (this.sent[i] as FieldArray)[e] = (f.store as FieldArray)[e]!;
      }
    }
    this.changed[e] = 0;
  }

  /**
   * Gather this tick's candidates (marks; for a scanned component, the column diff's finds)
   * and say whether there are any. With `verify`, a marked component is diffed in full as well:
   * every change found among ids nobody marked was written without a mark; {@link detect} or
   * {@link encodeFused} reports it to `onUnmarked` and sends it like any other change.
   */
  collect(verify: boolean, onUnmarked?: (change: UnmarkedChange) => void): boolean {
    const candidates = this.candidates;
    this.verifying = false;
    if (this.members.size === 0) {
      if (candidates.pending !== 0) candidates.clear();
      this.reported = 0;
      return false;
    }
    if (verify && this.tracking === 'marked') {
      this.verifying = true;
      this.onUnmarked = onUnmarked;
      this.marks ??= new Int32Array(candidates.words.length);
      this.marks.set(candidates.words);
      this.diff(true);
    } else if (this.tracking === 'scan') this.diff(false);
    return candidates.any();
  }

  /**
   * Compare the collected candidates (two-pass path): field bits in {@link changed}, this
   * component's bit in `sink.dirty[eid]`, each changed entity in `sink.changed`.
   */
  detect(sink: ChangeSink, componentBit: number): void {
    const list = this.list;
    list.length = 0;
    this.candidates.drain(list);
    const compare = this.compareRows;
    this.reported = list.length === 0 ? 0 : compare.run(compare.context, list.items, list.length, sink, componentBit);
    if (!this.verifying || this.reported === 0) return;
    const { items } = list;
    for (let i = 0; i < list.length; i++) {
      const e = items[i]!;
      if (this.changed[e] !== 0 && this.member[e] !== 0 && !this.wasMarked(e)) this.reportUnmarked(e, this.changed[e]!);
    }
  }

  /** Move the collected candidates into the list {@link encodeFused} compares; returns how many. */
  drainCandidates(): number {
    const list = this.list;
    list.length = 0;
    this.candidates.drain(list);
    return list.length;
  }

  /**
   * Compare and write the drained candidates in one pass with {@link fused} (the caller checked
   * it exists and that no other component has candidates this tick): update records at `pos` of
   * `buf` (the caller reserved a header and {@link updateBound} per candidate), their ids into
   * `ids`. Returns the position after.
   */
  encodeFused(buf: Uint8Array, pos: number, ids: Int32Array, tick: number, outcome: FusedOutcome, slow: SlowRecord): number {
    const list = this.list;
    const verifying = this.verifying;
    const fused = this.fused!;
    const end = fused.run(fused.context, list.items, list.length, buf, pos, ids, tick, outcome, slow, verifying ? this.marks : undefined, verifying ? this.reportUnmarked : undefined);
    this.reported = outcome.count;
    return end;
  }

  /**
   * The two-pass compare of one entity (for the fused loop's entities it does not write itself);
   * a verify pass reports it when it changed without a mark. Returns 1 when it was reported changed.
   */
  compareOne(e: number, sink: ChangeSink, componentBit: number): number {
    this.one[0] = e;
    const compare = this.compareRows;
    const found = compare.run(compare.context, this.one, 1, sink, componentBit);
    if (found !== 0 && this.verifying && !this.wasMarked(e)) this.reportUnmarked(e, this.changed[e]!);
    return found;
  }

  private wasMarked(e: number): boolean {
    return (this.marks![e >>> 5]! & (1 << (e & 31))) !== 0;
  }

  /** Move every NaN met in a quantised field since the last call into `into`. */
  drainNaNs(into: NaNValue[]): void {
    const { fields, nans } = this.targets;
    for (let i = 0; i < fields.length; i++) {
      const found = nans[i];
      if (found === undefined || found.length === 0) continue;
      for (let k = 0; k < found.length; k++) into.push({ eid: found.items[k]!, component: this.layout.name, field: fields[i]!.name });
      found.length = 0;
    }
  }

  /** Mark `eid` as written this tick (the caller range-checks). */
  markChanged(eid: number): void {
    this.candidates.set(eid);
  }

  /**
   * Flag, in {@link candidates}, every member whose stored bits differ from the shadow. Sparse
   * components (few members spread over a wide id range) list their members instead: the
   * exact compare of a member costs about what diffing a few words of every column does.
   * `allStrings`: compare every string, not this tick's sweep.
   */
  private diff(allStrings: boolean): void {
    const span = this.span;
    const into = this.candidates;
    const members = this.members;
    if (members.size * 4 < span) {
      for (let i = 0; i < members.size; i++) into.set(members.dense[i]!);
      return;
    }
    const kernel = this.kernel;
    for (const c of this.columns) {
      const end = Math.ceil((span * c.size) / 4);
      let flagged = 0;
      if (c.store !== undefined && c.shadow !== undefined) {
        const words = Math.min(end, c.store.length);
        if (kernel !== undefined) flagged = diffInPlace(kernel, c.base, this.twinOffset, this.scratch, this.blocks!, c.store, c.shadow, words, c.size, into);
        else if (c.doubles !== undefined) flagged = diffDoubles(c.doubles.store, c.doubles.shadow, words, c.store, c.shadow, c.size, into);
        else flagged = diffWords(c.store, c.shadow, words, c.size, into);
        // An odd capacity leaves elements past the last whole word.
        const covered = Math.floor((words * 4) / c.size);
        if (covered < span) flagged += diffElements(c.raw, c.rawShadow, covered, span, into);
      } else flagged = diffElements(c.raw, c.rawShadow, 0, span, into);
      // This column flagged every id below the span (everything moved): each member is already a
      // candidate, and the exact compare of a candidate looks at all its fields, strings too. The
      // other columns' diffs could only flag again what is flagged; at 10,000 entities all moving
      // they cost about a fifth of the tick (docs/architecture.md, "Replication").
      if (flagged >= span) return;
    }
    if (this.strings.length === 0) return;
    let from = 0;
    let to = span;
    if (!allStrings && span > STRING_SWEEP) {
      if (this.sweep >= span) this.sweep = 0;
      from = this.sweep;
      to = Math.min(span, from + STRING_SWEEP);
      this.sweep = to;
    }
    for (const s of this.strings) diffStrings(s.store, s.sent, from, to, into);
  }
}

/**
 * String ids a scanned component compares per tick (all of them up to this many entities): a
 * string compare is a call, about ten times a word compare, so a full sweep of 10,000 entities
 * every tick would cost more than every numeric field together.
 */
export const STRING_SWEEP = 512;
