import { ByteWriter } from '../protocol/bytes.js';
import { IdList } from './entity-set.js';

/**
 * The bytes every entity contributes this tick, encoded once and shared by all clients.
 *
 * Update records sit back to back in ascending entity order, each with its id gap from the
 * previous changed entity: a view that sees a run of consecutive changed entities copies the
 * whole run with one `set`, rewriting only the first header. Full records are encoded lazily,
 * the first time any client needs an entity's full state this tick.
 */
export class TickRecords {
  /** The current replicate tick, and the previous one (-1 before any). */
  tick = -1;
  previousTick = -1;
  /** Bumped every replicate: stamps per-entity caches as belonging to this tick. */
  generation = 0;
  /** Entities whose values changed this tick (ascending) with an update record each. */
  readonly changed = new IdList();
  readonly updates = new ByteWriter(4096);
  /** Per entity: byte offsets of its update record's body (after the id gap) and end in {@link updates}. */
  readonly updateBody: Int32Array;
  readonly updateEnd: Int32Array;
  /** Per entity: the tick it last changed in any way (values, components, spawn). */
  readonly lastChanged: Float64Array;
  /** Entities spawned or whose component set changed this tick: they go out as full records. */
  readonly restructured = new IdList();
  readonly restructuredGeneration: Uint32Array;
  private readonly fulls = new ByteWriter(4096);
  private readonly fullStart: Int32Array;
  private readonly fullEnd: Int32Array;
  private readonly fullGeneration: Uint32Array;

  constructor(capacity: number) {
    this.updateBody = new Int32Array(capacity);
    this.updateEnd = new Int32Array(capacity);
    this.lastChanged = new Float64Array(capacity).fill(-1);
    this.restructuredGeneration = new Uint32Array(capacity);
    this.fullStart = new Int32Array(capacity);
    this.fullEnd = new Int32Array(capacity);
    this.fullGeneration = new Uint32Array(capacity);
  }

  begin(tick: number): void {
    this.previousTick = this.tick;
    this.tick = tick;
    this.generation = (this.generation + 1) >>> 0 || 1;
    this.changed.length = 0;
    this.restructured.length = 0;
    this.updates.reset();
    this.fulls.reset();
  }

  markRestructured(eid: number): void {
    if (this.restructuredGeneration[eid] === this.generation) return;
    this.restructuredGeneration[eid] = this.generation;
    this.restructured.push(eid);
  }

  isRestructured(eid: number): boolean {
    return this.restructuredGeneration[eid] === this.generation;
  }

  /** Append `eid`'s full record body to `w`, encoding it with `encode` the first time this tick. */
  copyFull(w: ByteWriter, eid: number, encode: (into: ByteWriter, eid: number) => void): void {
    this.encodeFull(eid, encode);
    copyRange(this.fulls, this.fullStart[eid]!, this.fullEnd[eid]!, w);
  }

  /** Bytes of `eid`'s full record body, encoding it with `encode` the first time this tick (then {@link copyFull} only copies). */
  fullLength(eid: number, encode: (into: ByteWriter, eid: number) => void): number {
    this.encodeFull(eid, encode);
    return this.fullEnd[eid]! - this.fullStart[eid]!;
  }

  private encodeFull(eid: number, encode: (into: ByteWriter, eid: number) => void): void {
    if (this.fullGeneration[eid] === this.generation) return;
    this.fullGeneration[eid] = this.generation;
    this.fullStart[eid] = this.fulls.length;
    encode(this.fulls, eid);
    this.fullEnd[eid] = this.fulls.length;
  }

  /** Append update bytes [from, to) of {@link updates} to `w`. */
  copyUpdates(w: ByteWriter, from: number, to: number): void {
    copyRange(this.updates, from, to, w);
  }
}

/** Append bytes [from, to) of `source` to `w`, straight between the buffers: no subarray views (two allocations per copy) for a few bytes. */
function copyRange(source: ByteWriter, from: number, to: number, w: ByteWriter): void {
  const length = to - from;
  const bytes = source.ensure(0);
  const into = w.ensure(length);
  const at = w.length;
  if (length <= 32) for (let i = 0; i < length; i++) into[at + i] = bytes[from + i]!;
  else into.set(bytes.subarray(from, to), at);
  w.length = at + length;
}
