import { ByteReader, ByteWriter } from '../protocol/bytes.js';
import { type ComponentLayout, FieldCode } from './component-layout.js';
import { COMPACT_MASK_FIELDS } from './entity-encoding.js';
import { varintSize } from './raw-bytes.js';
import { DESPAWNS_FLAG, FULLS_FLAG, SNAPSHOT_FLAG } from './state-section.js';

/**
 * Cutting one state section that is too big for a frame into several sections, each within a
 * byte budget, that applied in order do exactly what the whole did (docs/protocol.md, "Tick
 * continuation"). The cut falls between entity records, never inside one: despawns first, then
 * full records, then updates, in their original order; every part of a snapshot keeps the snapshot
 * flag, and the receiver drops what no part of the tick listed only after the tick's last part.
 *
 * It reads the section as the wire format describes it, whoever wrote it (shared view section,
 * catch-up, snapshot), so the writers stay single-pass and the cost is paid only by a section
 * that does not fit — a joiner's first snapshot of a big world, a catch-up after a stall.
 */

/** Worst-case bytes of a part's flags and two list counts. */
const PART_HEAD_BYTES = 1 + 5 + 5;

interface EntityRecord {
  readonly id: number;
  /** Body bytes (after the id gap) inside the section; empty for a despawn. */
  readonly start: number;
  readonly end: number;
}

/** Splits state sections by the server's component layouts (see the module comment). */
export class SectionSplitter {
  private readonly fieldCounts: readonly number[];

  constructor(
    private readonly layouts: readonly ComponentLayout[],
    /** The server's current component mask per entity: what a client has for an entity it gets updates of. */
    private readonly componentMask: Uint32Array,
  ) {
    this.fieldCounts = layouts.map((l) => l.fields.length);
  }

  /** Cut `section` into valid sections of at most `budget` bytes each (a single record bigger than that goes alone). */
  split(section: Uint8Array, budget: number): Uint8Array[] {
    if (section.length <= budget) return [section];
    const r = new ByteReader(section);
    const flags = r.u8();
    const snapshot = (flags & SNAPSHOT_FLAG) !== 0;
    const despawns: EntityRecord[] = [];
    const fulls: EntityRecord[] = [];
    const updates: EntityRecord[] = [];
    const maskInSection = new Map<number, number>();
    let count = (flags & DESPAWNS_FLAG) !== 0 ? r.varint() : 0;
    let previous = -1;
    for (let i = 0; i < count; i++) {
      previous += 1 + r.varint();
      despawns.push({ id: previous, start: 0, end: 0 });
    }
    count = (flags & FULLS_FLAG) !== 0 ? r.varint() : 0;
    previous = -1;
    for (let i = 0; i < count; i++) {
      previous += 1 + r.varint();
      const start = r.offset;
      const mask = r.varint();
      maskInSection.set(previous, mask);
      this.skipFull(r, mask);
      fulls.push({ id: previous, start, end: r.offset });
    }
    previous = -1;
    while (r.remaining > 0) {
      previous += 1 + r.varint();
      const start = r.offset;
      this.skipUpdate(r, maskInSection.get(previous) ?? this.componentMask[previous]!);
      updates.push({ id: previous, start, end: r.offset });
    }
    return new PartWriter(section, budget, snapshot).write(despawns, fulls, updates);
  }

  private skipFull(r: ByteReader, mask: number): void {
    let bits = mask | 0;
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      for (const f of this.layouts[31 - Math.clz32(low)]!.fields) skipField(r, f.code);
    }
  }

  private skipUpdate(r: ByteReader, present: number): void {
    let total = 0;
    let bits = present | 0;
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      total += this.fieldCounts[31 - Math.clz32(low)]!;
    }
    if (total <= COMPACT_MASK_FIELDS) {
      let combined = r.varint();
      bits = present | 0;
      while (bits !== 0 && combined !== 0) {
        const low = bits & -bits;
        bits ^= low;
        const fields = this.layouts[31 - Math.clz32(low)]!.fields;
        for (const f of fields) {
          if (combined % 2 === 1) skipField(r, f.code);
          combined = Math.floor(combined / 2);
        }
      }
      return;
    }
    const dirty = r.varint();
    const fieldMasks: number[] = [];
    bits = dirty | 0;
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      fieldMasks.push(r.varint());
    }
    bits = dirty | 0;
    let k = 0;
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      const fields = this.layouts[31 - Math.clz32(low)]!.fields;
      const fieldMask = fieldMasks[k++]!;
      for (let i = 0; i < fields.length; i++) if ((fieldMask & (2 ** i)) !== 0) skipField(r, fields[i]!.code);
    }
  }
}

/** Step over one value; quantised deltas and absolutes are both a zigzag varint. */
function skipField(r: ByteReader, code: number): void {
  switch (code) {
    case FieldCode.U8:
    case FieldCode.Bool:
    case FieldCode.I8:
      r.u8();
      return;
    case FieldCode.F32:
      r.bytes(4);
      return;
    case FieldCode.F64:
      r.bytes(8);
      return;
    case FieldCode.String:
      r.bytes(r.varint());
      return;
    default:
      r.varint();
  }
}

/** Packs records into parts greedily, each part a complete section. */
class PartWriter {
  private readonly parts: Uint8Array[] = [];
  private partDespawns: number[] = [];
  private partFulls: EntityRecord[] = [];
  private partUpdates: EntityRecord[] = [];
  private used = PART_HEAD_BYTES;
  private lastDespawn = -1;
  private lastFull = -1;
  private lastUpdate = -1;

  constructor(
    private readonly section: Uint8Array,
    private readonly budget: number,
    private readonly snapshot: boolean,
  ) {}

  write(despawns: readonly EntityRecord[], fulls: readonly EntityRecord[], updates: readonly EntityRecord[]): Uint8Array[] {
    for (const d of despawns) {
      this.room(varintSize(d.id - this.lastDespawn - 1));
      this.used += varintSize(d.id - this.lastDespawn - 1);
      this.partDespawns.push(d.id);
      this.lastDespawn = d.id;
    }
    for (const f of fulls) {
      this.room(varintSize(f.id - this.lastFull - 1) + f.end - f.start);
      this.used += varintSize(f.id - this.lastFull - 1) + f.end - f.start;
      this.partFulls.push(f);
      this.lastFull = f.id;
    }
    for (const u of updates) {
      this.room(varintSize(u.id - this.lastUpdate - 1) + u.end - u.start);
      this.used += varintSize(u.id - this.lastUpdate - 1) + u.end - u.start;
      this.partUpdates.push(u);
      this.lastUpdate = u.id;
    }
    this.close();
    return this.parts;
  }

  /** Close the current part if `cost` more bytes would not fit in it (an empty part takes anything). */
  private room(cost: number): void {
    if (this.used + cost > this.budget && this.used > PART_HEAD_BYTES) this.close();
  }

  private close(): void {
    const despawns = this.partDespawns;
    const fulls = this.partFulls;
    const updates = this.partUpdates;
    const w = new ByteWriter(this.used);
    w.u8((this.snapshot ? SNAPSHOT_FLAG : 0) | (despawns.length > 0 ? DESPAWNS_FLAG : 0) | (fulls.length > 0 ? FULLS_FLAG : 0));
    let previous = -1;
    if (despawns.length > 0) {
      w.varint(despawns.length);
      for (const id of despawns) {
        w.varint(id - previous - 1);
        previous = id;
      }
    }
    previous = -1;
    if (fulls.length > 0) {
      w.varint(fulls.length);
      for (const f of fulls) {
        w.varint(f.id - previous - 1);
        w.bytes(this.section.subarray(f.start, f.end));
        previous = f.id;
      }
    }
    previous = -1;
    for (const u of updates) {
      w.varint(u.id - previous - 1);
      w.bytes(this.section.subarray(u.start, u.end));
      previous = u.id;
    }
    this.parts.push(w.finish());
    this.partDespawns = [];
    this.partFulls = [];
    this.partUpdates = [];
    this.used = PART_HEAD_BYTES;
    this.lastDespawn = -1;
    this.lastFull = -1;
    this.lastUpdate = -1;
  }
}
