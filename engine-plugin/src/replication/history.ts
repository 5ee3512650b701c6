import type { FieldArray } from '../schema/component.js';

/** Options of a {@link History}. */
export interface HistoryOptions {
  /** Ticks kept, the newest included; a rewind reaches at most `ticks − 1` back. Default 10 (500 ms at 20 Hz). */
  readonly ticks?: number;
  /** Entities recorded per tick at most; more are left out of that tick (counted in `overflowed`). Default 1024. */
  readonly maxEntities?: number;
}

/**
 * A bounded server-side history of some component fields (e.g. `Position.x`, `Position.y`) of
 * the entities a hit test can touch, one record per tick: the raw material of lag compensation.
 * A client draws other entities in the past (its interpolation delay plus the trip); with the
 * tick it saw sent along with its action, the server evaluates the action against where things
 * were then, not where they are now.
 *
 * Memory is fixed at construction: `ticks × maxEntities × (fields + 1)` numbers. Record once per
 * tick after the simulation moved things (`record(tick, eids)`), then `rewind` a client's claimed
 * tick into the window and read values with `valueAt` / `forEachAt`, which interpolate between
 * the two recorded ticks around a fractional tick, as the client's interpolation did.
 */
export class History {
  readonly ticks: number;
  readonly maxEntities: number;
  /** Entities left out of a tick's record because it was full. */
  overflowed = 0;
  private readonly slots: Float64Array[];
  private readonly counts: Int32Array;
  private readonly slotTicks: Float64Array;
  private readonly index: Map<number, number>[];
  private newest = -1;

  constructor(
    /** The stores of the recorded fields, in the order values are reported. */
    readonly fields: readonly FieldArray[],
    options: HistoryOptions = {},
  ) {
    this.ticks = Math.max(1, Math.floor(options.ticks ?? 10));
    this.maxEntities = Math.max(1, Math.floor(options.maxEntities ?? 1024));
    const stride = fields.length + 1;
    this.slots = Array.from({ length: this.ticks }, () => new Float64Array(this.maxEntities * stride));
    this.counts = new Int32Array(this.ticks);
    this.slotTicks = new Float64Array(this.ticks).fill(-1);
    this.index = Array.from({ length: this.ticks }, () => new Map<number, number>());
  }

  /** The newest recorded tick, or -1 before the first record. */
  get newestTick(): number {
    return this.newest;
  }

  /** Record the fields of `eids` as they are at `tick` (ticks must not go backwards; a repeated tick overwrites). */
  record(tick: number, eids: Iterable<number>): void {
    if (tick < this.newest) throw new RangeError(`history ticks must not go backwards (${tick} after ${this.newest})`);
    const s = tick % this.ticks;
    const slot = this.slots[s]!;
    const index = this.index[s]!;
    index.clear();
    const stride = this.fields.length + 1;
    let n = 0;
    for (const eid of eids) {
      if (n === this.maxEntities) {
        this.overflowed++;
        continue;
      }
      const at = n * stride;
      slot[at] = eid;
      for (let f = 0; f < this.fields.length; f++) slot[at + 1 + f] = this.fields[f]![eid]!;
      index.set(eid, n);
      n++;
    }
    this.counts[s] = n;
    this.slotTicks[s] = tick;
    this.newest = tick;
  }

  /**
   * Bring a tick a client claims to have seen into what the history can answer: not in the
   * future, not older than the window (`ticks − 1` back from the newest), and a non-finite claim
   * means "now". A client can therefore rewind at most the window, however it lies. With
   * `expected` (the server's own estimate of what the client saw, e.g. newest − (RTT / 2 +
   * interpolation delay) in ticks), a claim more than `toleranceTicks` away from it is replaced
   * by the estimate, as Source does with 200 ms.
   */
  rewind(claimedTick: number, expected?: { readonly tick: number; readonly toleranceTicks: number }): number {
    if (this.newest < 0) return 0;
    let tick = Number.isFinite(claimedTick) ? claimedTick : this.newest;
    if (expected && Number.isFinite(expected.tick) && Math.abs(tick - expected.tick) > expected.toleranceTicks) tick = expected.tick;
    const oldest = Math.max(0, this.newest - (this.ticks - 1));
    return Math.min(this.newest, Math.max(oldest, tick));
  }

  /**
   * Field `field` (its position in `fields`) of `eid` at fractional `tick`, interpolated between
   * the records around it; `undefined` when the entity was not recorded at both (clamp the tick
   * with `rewind` first).
   */
  valueAt(eid: number, field: number, tick: number): number | undefined {
    const lo = Math.floor(tick);
    const a = this.read(lo, eid, field);
    if (a === undefined) return undefined;
    const t = tick - lo;
    if (t === 0) return a;
    const b = this.read(lo + 1, eid, field);
    return b === undefined ? a : a + (b - a) * t;
  }

  /** Call `visit` for every entity recorded at fractional `tick`, with its fields there (a reused array: copy what you keep). */
  forEachAt(tick: number, visit: (eid: number, values: readonly number[]) => void): void {
    const lo = Math.floor(tick);
    const s = lo % this.ticks;
    if (lo < 0 || this.slotTicks[s] !== lo) return;
    const slot = this.slots[s]!;
    const stride = this.fields.length + 1;
    const values: number[] = new Array(this.fields.length).fill(0);
    for (let i = 0; i < this.counts[s]!; i++) {
      const eid = slot[i * stride]!;
      for (let f = 0; f < this.fields.length; f++) values[f] = this.valueAt(eid, f, tick) ?? slot[i * stride + 1 + f]!;
      visit(eid, values);
    }
  }

  private read(tick: number, eid: number, field: number): number | undefined {
    if (tick < 0) return undefined;
    const s = tick % this.ticks;
    if (this.slotTicks[s] !== tick) return undefined;
    const i = this.index[s]!.get(eid);
    if (i === undefined) return undefined;
    return this.slots[s]![i * (this.fields.length + 1) + 1 + field];
  }
}
