import type { ByteReader } from '../protocol/bytes.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { Component, FieldArray } from '../schema/component.js';
import type { Protocol } from '../schema/protocol.js';
import { type ComponentLayout, entityCapacity, FieldCode, layoutComponents, readBound, wireSize } from './component-layout.js';
import { COMPACT_MASK_FIELDS } from './entity-encoding.js';
import { EntitySet } from './entity-set.js';
import { compileFieldsReader, type FieldsReader } from './compiled-decoding.js';
import type { Generated } from './generated-code.js';
import { readField, readFieldsFast } from './field-decoding.js';
import { getVarintLong, MAX_VARINT_BYTES } from './raw-bytes.js';
import { DESPAWNS_FLAG, FULLS_FLAG, SNAPSHOT_FLAG } from './state-section.js';

const POW2 = Array.from({ length: 33 }, (_, i) => 2 ** i);

/**
 * Where the values of the fields in `mask` end when they start at `pos`, or -1 when they do not
 * all end before `end` (or a varint is longer than {@link MAX_VARINT_BYTES}, or a string is among
 * them): the caller then reads them with the checked reader, which throws what it finds wrong.
 */
function measureValues(wire: Int8Array, buf: Uint8Array, pos: number, end: number, mask: number): number {
  let p = pos;
  for (let m = mask; m !== 0; m &= m - 1) {
    const size = wire[31 - Math.clz32(m & -m)]!;
    if (size > 0) p += size;
    else if (size < 0) return -1;
    else {
      const stop = Math.min(end, p + MAX_VARINT_BYTES);
      while (p < stop && buf[p]! >= 0x80) p++;
      if (p >= stop) return -1;
      p++;
    }
    if (p > end) return -1;
  }
  return p;
}

/** Layouts of up to this many fields get a table of bounds per field mask (256 entries at most). */
const MASK_TABLE_FIELDS = 8;

/** Per field mask of a layout with these per-field bounds: the sum of the bounds of the fields it names. */
function maskBoundTable(bounds: Uint8Array): Uint16Array {
  const table = new Uint16Array(2 ** bounds.length);
  for (let mask = 1; mask < table.length; mask++) {
    const low = mask & -mask;
    table[mask] = table[mask ^ low]! + bounds[31 - Math.clz32(low)]!;
  }
  return table;
}

/** Lists up to this long are emptied by popping (see {@link emptyList}). */
const POP_LIMIT = 32;

/**
 * Empty an event list. Setting an array's length is a call into the runtime, even to 0 and even
 * when it is 0 already; a pop is a few inlined instructions and keeps the backing store for the
 * next tick's pushes. A frame of a small world changes a handful of entities, where that call
 * was about a fifth of the client's time (100 entities, 1 % moving: 1.2 % of all samples against
 * 5.3 % for the whole apply; docs/architecture.md, "Replication").
 */
function emptyList(list: number[]): void {
  if (list.length > POP_LIMIT) list.length = 0;
  else while (list.length !== 0) list.pop();
}

/** How replication creates and edits entities in the client's world (the ecs layer implements it with bitECS). */
export interface EntitySink {
  /** Create an entity; returns its local id. */
  spawn(): number;
  despawn(localId: number): void;
  addComponent(localId: number, component: Component): void;
  removeComponent(localId: number, component: Component): void;
}

/**
 * Called once per component whose authoritative values arrived, after they were applied: the
 * interpolation layer reads them with {@link ClientReplication.authoritative}.
 */
export type UpdateListener = (serverId: number, localId: number, componentId: number, tick: number) => void;

/**
 * The last authoritative values of one component, indexed by SERVER id. Interpolation and
 * prediction overwrite the game's store with presentation values; these stay as received.
 */
export interface AuthoritativeComponent {
  readonly layout: ComponentLayout;
  /** Per field: decoded values (quantised fields as floats `q * step + offset`). */
  readonly values: readonly (FieldArray | string[])[];
  /** Per field: the integer q of quantised fields (the delta baseline), else undefined. */
  readonly quantized: readonly (Float64Array | undefined)[];
  /** Per entity: the server tick of the latest values. */
  readonly tick: Float64Array;
}

function createAuthoritative(layout: ComponentLayout): AuthoritativeComponent {
  const n = layout.capacity;
  const values: (FieldArray | string[])[] = [];
  const quantized: (Float64Array | undefined)[] = [];
  for (const f of layout.fields) {
    if (f.code === FieldCode.String) values.push(new Array<string>(n).fill(''));
    else if (f.code === FieldCode.Quantized) values.push(new Float64Array(n));
    else values.push(new ((f.store as FieldArray).constructor as new (n: number) => FieldArray)(n));
    quantized.push(f.code === FieldCode.Quantized ? new Float64Array(n) : undefined);
  }
  return { layout, values, quantized, tick: new Float64Array(n) };
}

/**
 * The client half of replication: applies state sections into the client world through a
 * server-id → local-id map (bitECS recycles ids at once, so they never match), and lists what
 * spawned, changed and despawned this tick. Every read is bounds-checked and every id, mask and
 * value range is validated: a malformed section throws {@link ProtocolError}, and no map grows
 * past the protocol's entity capacity.
 */
export class ClientReplication {
  /** Local ids spawned since {@link beginTick} and still alive. */
  readonly spawned: number[] = [];
  /** Local ids that existed before {@link beginTick}, changed since, and are still alive. */
  readonly changed: number[] = [];
  /** Local ids that existed before {@link beginTick} and were despawned since. */
  readonly despawned: number[] = [];
  /** Optional hook for the interpolation layer. */
  onUpdate: UpdateListener | undefined = undefined;
  private readonly layouts: readonly ComponentLayout[];
  private readonly state: readonly AuthoritativeComponent[];
  private readonly sink: EntitySink;
  private readonly capacity: number;
  private readonly allComponents: number;
  private readonly localOf: Int32Array;
  private readonly serverOf = new Map<number, number>();
  private readonly known = new EntitySet(1024);
  private readonly components: Uint32Array;
  private readonly fieldTotal: Uint16Array;
  private readonly eventMark: Uint32Array;
  /** Per server id: the {@link eventGeneration} it was spawned in. */
  private readonly bornMark: Uint32Array;
  private eventGeneration = 1;
  /** An entity listed in {@link spawned} or {@link changed} was despawned: filter them after this section. */
  private listsStale = false;
  private readonly snapshotMark: Uint32Array;
  private snapshotGeneration = 0;
  /** A snapshot's sections are being applied and its sweep is still due (see {@link apply}). */
  private snapshotOpen = false;
  /** Per component id: its field masks while an update is read (no allocation per record). */
  private readonly fieldMasks: Int32Array;
  /** Per component id: the most bytes its part of an update body can consume, valid or not. */
  private readonly componentBound: readonly number[];
  /** Per server id: the most bytes its update body can consume (from its component set). */
  private readonly recordBound: Uint32Array;
  /** Per component id: per field, the most bytes its value can consume (for records near the end). */
  private readonly fieldBounds: readonly Uint8Array[];
  /**
   * Per component id of at most {@link MASK_TABLE_FIELDS} fields: per field mask, the sum of its
   * fields' {@link fieldBounds} (one load per record instead of a loop over the mask's bits).
   */
  private readonly maskBounds: readonly (Uint16Array | undefined)[];
  /** Per component id: per field, its bytes on the wire when fixed (1, 4, 8), 0 for a varint, -1 for a string. */
  private readonly fieldWire: readonly Int8Array[];
  /** Where the long-varint reader puts its value. */
  private readonly out = new Float64Array(1);
  /** Per component id: its generated update reader, or undefined for the generic one. */
  private readonly readers: readonly (Generated<FieldsReader> | undefined)[];

  /** `compileDecoders: false` forces the generic readers (used anyway where eval is refused). */
  constructor(protocol: Protocol, sink: EntitySink, options: { readonly compileDecoders?: boolean } = {}) {
    this.layouts = layoutComponents(protocol);
    this.state = this.layouts.map(createAuthoritative);
    this.readers = this.state.map((state) => (options.compileDecoders === false ? undefined : compileFieldsReader(state.layout.fields, state)));
    this.sink = sink;
    this.capacity = entityCapacity(this.layouts);
    this.allComponents = 2 ** this.layouts.length - 1;
    this.localOf = new Int32Array(this.capacity).fill(-1);
    this.components = new Uint32Array(this.capacity);
    this.fieldTotal = new Uint16Array(this.capacity);
    this.eventMark = new Uint32Array(this.capacity);
    this.bornMark = new Uint32Array(this.capacity);
    this.snapshotMark = new Uint32Array(this.capacity);
    this.fieldMasks = new Int32Array(Math.max(1, this.layouts.length));
    this.componentBound = this.layouts.map((l) => l.fields.reduce((sum, f) => sum + readBound(f), MAX_VARINT_BYTES));
    this.recordBound = new Uint32Array(this.capacity);
    this.fieldBounds = this.layouts.map((l) => Uint8Array.from(l.fields, (f) => Math.min(255, readBound(f))));
    this.maskBounds = this.fieldBounds.map((bounds) => (bounds.length > MASK_TABLE_FIELDS ? undefined : maskBoundTable(bounds)));
    this.fieldWire = this.layouts.map((l) => Int8Array.from(l.fields, wireSize));
  }

  /** Start a new tick's event lists. */
  beginTick(): void {
    emptyList(this.spawned);
    emptyList(this.changed);
    emptyList(this.despawned);
    this.eventGeneration = (this.eventGeneration + 1) >>> 0 || 1;
  }

  localId(serverId: number): number | undefined {
    const local = serverId >= 0 && serverId < this.capacity ? this.localOf[serverId]! : -1;
    return local < 0 ? undefined : local;
  }

  serverId(localId: number): number | undefined {
    return this.serverOf.get(localId);
  }

  /** Authoritative values of component `componentId`, indexed by server id. */
  authoritative(componentId: number): AuthoritativeComponent {
    const state = this.state[componentId];
    if (!state) throw new RangeError(`component id ${componentId} is not registered`);
    return state;
  }

  /** Server ids currently replicated to this client (a live view; valid until the next apply). */
  serverIds(): Int32Array {
    return this.known.dense.subarray(0, this.known.size);
  }

  /**
   * Apply one state section, which runs to the end of `r`; an empty one means no state this tick.
   * `final` is false for the sections of a tick split over several frames but its last: a
   * snapshot's sweep (dropping what it did not list) waits for the tick's last section, so a
   * snapshot may be spread over all of them.
   */
  apply(r: ByteReader, tick: number, final = true): void {
    if (r.remaining === 0) {
      if (final) this.endSnapshot();
      return;
    }
    const flags = r.u8();
    if ((flags & ~(SNAPSHOT_FLAG | DESPAWNS_FLAG | FULLS_FLAG)) !== 0) throw new ProtocolError(`state section flags ${flags} carry unknown bits`);
    const snapshot = (flags & SNAPSHOT_FLAG) !== 0;
    if (snapshot && !this.snapshotOpen) {
      this.snapshotGeneration = (this.snapshotGeneration + 1) >>> 0 || 1;
      this.snapshotOpen = true;
    }

    let count = (flags & DESPAWNS_FLAG) !== 0 ? this.count(r, 1) : 0;
    let previous = -1;
    for (let i = 0; i < count; i++) {
      previous = this.nextId(r, previous);
      this.despawnServer(previous);
    }

    count = (flags & FULLS_FLAG) !== 0 ? this.count(r, 2) : 0;
    previous = -1;
    for (let i = 0; i < count; i++) {
      previous = this.nextId(r, previous);
      this.readFull(r, previous, tick);
      if (this.snapshotOpen) this.snapshotMark[previous] = this.snapshotGeneration;
    }

    this.readUpdates(r, tick);
    if (final) this.endSnapshot();
    this.pruneLists();
  }

  /** The tick's last section was applied: if it was a snapshot, drop every entity none of its sections listed. */
  private endSnapshot(): void {
    if (!this.snapshotOpen) return;
    this.snapshotOpen = false;
    const dense = this.known.dense;
    for (let i = this.known.size - 1; i >= 0; i--) {
      const e = dense[i]!;
      if (this.snapshotMark[e] !== this.snapshotGeneration) this.despawnServer(e);
    }
    this.pruneLists();
  }

  /** Drop from spawned/changed the entities a later despawn of this frame removed. */
  private pruneLists(): void {
    if (this.listsStale) {
      this.listsStale = false;
      this.keepAlive(this.spawned);
      this.keepAlive(this.changed);
    }
  }

  private keepAlive(list: number[]): void {
    let kept = 0;
    for (const local of list) if (this.serverOf.has(local)) list[kept++] = local;
    list.length = kept;
  }

  /**
   * The update records, to the end of the section. While a record's worst case (id gap plus
   * {@link recordBound}) fits before the end, it is read with one bounds check for the whole
   * record; near the end, with the per-value checked reader. Both refuse the same inputs.
   */
  private readUpdates(r: ByteReader, tick: number): void {
    const buf = r.source;
    const end = r.limit;
    const { out, recordBound, capacity } = this;
    let pos = r.offset;
    let previous = -1;
    while (pos < end) {
      let gap = buf[pos]!;
      if (gap < 0x80) pos++;
      else if (end - pos >= MAX_VARINT_BYTES) {
        pos = getVarintLong(buf, pos, out);
        gap = out[0]!;
      } else {
        r.offset = pos;
        previous = this.nextId(r, previous);
        this.readUpdate(r, previous, tick);
        pos = r.offset;
        continue;
      }
      const e = previous + 1 + gap;
      if (e >= capacity) throw new ProtocolError(`server entity id ${e} is beyond capacity ${capacity}`);
      previous = e;
      // Near the end (and in every small section) the record's worst case does not fit; it may
      // still fit once its mask says which fields it carries.
      pos = this.readUpdateFast(r, buf, pos, e, tick, end - pos >= recordBound[e]! ? -1 : end);
    }
    r.offset = pos;
  }

  /**
   * {@link readUpdate} reading `buf` directly from `at`; returns the position after the record.
   * `end` < 0: the caller checked that the record's worst case fits. Otherwise the mask fits
   * before `end`, and the values are read fast only if the worst case of the fields it names
   * fits too; else the whole record goes through the checked reader.
   */
  private readUpdateFast(r: ByteReader, buf: Uint8Array, at: number, e: number, tick: number, end: number): number {
    const local = this.localOf[e]!;
    if (local < 0) throw new ProtocolError(`update for server entity ${e}, which this client does not have`);
    const present = this.components[e]! | 0;
    const total = this.fieldTotal[e]!;
    if (total > COMPACT_MASK_FIELDS || (present & (present - 1)) !== 0) {
      // Several components: the mask bookkeeping is the checked reader's; values still come fast.
      r.offset = at;
      this.readUpdate(r, e, tick, end < 0);
      return r.offset;
    }
    let pos = at;
    let mask = end < 0 || pos < end ? buf[pos]! : 0x80;
    if (mask < 0x80) pos++;
    else if (end < 0 || end - pos >= MAX_VARINT_BYTES) {
      pos = getVarintLong(buf, pos, this.out);
      mask = this.out[0]!;
    } else {
      r.offset = at;
      this.readUpdate(r, e, tick);
      return r.offset;
    }
    if (mask >= POW2[total]!) throw new ProtocolError(`field mask ${mask} has bits beyond the entity's ${total} fields`);
    if (mask === 0) return pos;
    const c = 31 - Math.clz32(present);
    if (end >= 0) {
      const table = this.maskBounds[c];
      let need = 0;
      if (table !== undefined) need = table[mask]!;
      else {
        const bounds = this.fieldBounds[c]!;
        for (let m = mask; m !== 0; m &= m - 1) need += bounds[31 - Math.clz32(m & -m)]!;
      }
      // The last record of every section lands here (a varint's worst case is 8 bytes): measure
      // its values exactly rather than read them all through the checked reader.
      if (end - pos < need && measureValues(this.fieldWire[c]!, buf, pos, end, mask) < 0) {
        r.offset = at;
        this.readUpdate(r, e, tick);
        return r.offset;
      }
    }
    this.noteChanged(e, local);
    const state = this.state[c]!;
    const read = this.readers[c];
    pos =
      read !== undefined ? read.run(read.context, r, buf, pos, mask, e, local, this.out) : readFieldsFast(r, buf, pos, state.layout.fields, state, mask, e, local, this.out);
    state.tick[e] = tick;
    this.onUpdate?.(e, local, c, tick);
    return pos;
  }

  /** A list count, refused when the remaining bytes could not possibly hold that many entries. */
  private count(r: ByteReader, minBytesEach: number): number {
    const count = r.varint();
    if (count * minBytesEach > r.remaining) throw new ProtocolError(`state section lists ${count} entities in ${r.remaining} bytes`);
    return count;
  }

  private nextId(r: ByteReader, previous: number): number {
    const id = previous + 1 + r.varint();
    if (id >= this.capacity) throw new ProtocolError(`server entity id ${id} is beyond capacity ${this.capacity}`);
    return id;
  }

  private despawnServer(serverId: number): void {
    const local = this.localOf[serverId]!;
    if (local < 0) return;
    this.localOf[serverId] = -1;
    this.serverOf.delete(local);
    this.components[serverId] = 0;
    this.known.remove(serverId);
    this.sink.despawn(local);
    if (this.eventMark[serverId] === this.eventGeneration) this.listsStale = true;
    // Born and gone within one tick: the game never saw it, so it is in neither list.
    if (this.bornMark[serverId] !== this.eventGeneration) this.despawned.push(local);
  }

  private noteChanged(serverId: number, local: number): void {
    if (this.eventMark[serverId] === this.eventGeneration) return;
    this.eventMark[serverId] = this.eventGeneration;
    this.changed.push(local);
  }

  private readFull(r: ByteReader, e: number, tick: number): void {
    const mask = r.varint();
    if (mask > this.allComponents) throw new ProtocolError(`component mask ${mask} names unregistered components`);
    let total = 0;
    let bits = mask | 0;
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      const layout = this.layouts[31 - Math.clz32(low)]!;
      if (e >= layout.capacity) throw new ProtocolError(`server entity id ${e} is beyond ${layout.name}'s capacity`);
      total += layout.fields.length;
    }
    let local = this.localOf[e]!;
    const isNew = local < 0;
    if (isNew) {
      local = this.sink.spawn();
      this.localOf[e] = local;
      this.serverOf.set(local, e);
      this.known.add(e);
      this.eventMark[e] = this.eventGeneration;
      this.bornMark[e] = this.eventGeneration;
      this.spawned.push(local);
    } else {
      this.noteChanged(e, local);
    }
    const old = isNew ? 0 : this.components[e]!;
    const removed = old & ~mask;
    const added = mask & ~old;
    bits = removed;
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      this.sink.removeComponent(local, this.layouts[31 - Math.clz32(low)]!.component);
    }
    bits = added;
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      const layout = this.layouts[31 - Math.clz32(low)]!;
      if (local >= layout.capacity) throw new RangeError(`local entity id ${local} is beyond ${layout.name}'s capacity`);
      this.sink.addComponent(local, layout.component);
    }
    this.components[e] = mask;
    this.fieldTotal[e] = total;
    let bound = MAX_VARINT_BYTES;
    for (let b = mask | 0; b !== 0; b &= b - 1) bound += this.componentBound[31 - Math.clz32(b & -b)]!;
    this.recordBound[e] = bound;
    bits = mask | 0;
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      const c = 31 - Math.clz32(low);
      const state = this.state[c]!;
      const fields = state.layout.fields;
      for (let i = 0; i < fields.length; i++) readField(r, fields[i]!, state, i, e, local, false);
      state.tick[e] = tick;
      this.onUpdate?.(e, local, c, tick);
    }
  }

  /** `fast`: the caller checked that the record's worst case fits, so values may skip per-read checks. */
  private readUpdate(r: ByteReader, e: number, tick: number, fast = false): void {
    const local = this.localOf[e]!;
    if (local < 0) throw new ProtocolError(`update for server entity ${e}, which this client does not have`);
    const present = this.components[e]! | 0;
    const masks = this.fieldMasks;
    let changedComponents = 0;
    const total = this.fieldTotal[e]!;
    if (total <= COMPACT_MASK_FIELDS) {
      const combined = r.varint();
      if (combined >= POW2[total]!) throw new ProtocolError(`field mask ${combined} has bits beyond the entity's ${total} fields`);
      if ((present & (present - 1)) === 0) {
        // One component (the common case): the combined mask is its field mask.
        masks[31 - Math.clz32(present)] = combined;
        changedComponents = combined === 0 ? 0 : present;
      }
      let shift = 0;
      let bits = (present & (present - 1)) === 0 ? 0 : present;
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        const c = 31 - Math.clz32(low);
        const n = this.layouts[c]!.fields.length;
        const m = (combined >>> shift) & ((1 << n) - 1);
        shift += n;
        masks[c] = m;
        if (m !== 0) changedComponents |= low;
      }
    } else {
      const mask = r.varint();
      if (mask > this.allComponents || (mask & ~present) !== 0) throw new ProtocolError(`update names components the entity does not have`);
      let bits = mask | 0;
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        const c = 31 - Math.clz32(low);
        const m = r.varint();
        if (m > this.layouts[c]!.allFields) throw new ProtocolError(`field mask ${m} has bits beyond ${this.layouts[c]!.name}'s fields`);
        masks[c] = m | 0;
      }
      changedComponents = mask | 0;
    }
    if (changedComponents === 0) return;
    this.noteChanged(e, local);
    let bits = changedComponents;
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      const c = 31 - Math.clz32(low);
      const state = this.state[c]!;
      const fields = state.layout.fields;
      let m = masks[c]!;
      if (fast) {
        const read = this.readers[c];
        r.offset =
          read !== undefined
            ? read.run(read.context, r, r.source, r.offset, m, e, local, this.out)
            : readFieldsFast(r, r.source, r.offset, fields, state, m, e, local, this.out);
        m = 0;
      }
      while (m !== 0) {
        const fbit = m & -m;
        m ^= fbit;
        const index = 31 - Math.clz32(fbit);
        readField(r, fields[index]!, state, index, e, local, true);
      }
      state.tick[e] = tick;
      this.onUpdate?.(e, local, c, tick);
    }
  }
}
