import type { Interpolation } from '../schema/fields.js';
import { angleDelta, wrapAngle } from './numeric-fields.js';

/** What {@link SnapshotBuffer.sample} did, for diagnostics and tests. */
export type SampleMode = 'empty' | 'held' | 'interpolated' | 'extrapolated' | 'snapped';

/** How to sample: the same for every entity in one frame. */
export interface SampleSettings {
  /** Blend of each field, in the buffer's field order. */
  blends: readonly Interpolation[];
  /** Extrapolate at most this many ticks past the newest sample. */
  maxExtrapolationTicks: number;
  /** A linear field moving more than this between two samples is a teleport: snap, never slide. */
  snapDistance: number;
}

/**
 * The recent authoritative values of one component of one remote entity, by server tick: a ring
 * of (tick, values) the renderer samples at a tick in the past.
 *
 * Only changes are replicated, so an entity that stood still sends nothing. Without care, the
 * first sample after a pause would be blended with the last one before it, sliding the entity
 * slowly across the whole pause. So when a sample arrives, the buffer first records the entity
 * as unchanged at the previous frame's tick (a "hold"): a frame for that tick was received, and
 * this entity was not in it.
 */
export class SnapshotBuffer {
  private readonly ticks: Float64Array;
  private readonly values: Float64Array;
  private head = 0;
  private count = 0;

  constructor(
    readonly fieldCount: number,
    private readonly capacity = 32,
  ) {
    this.ticks = new Float64Array(capacity);
    this.values = new Float64Array(capacity * fieldCount);
  }

  /** Samples held. */
  get size(): number {
    return this.count;
  }

  /** Tick of the newest sample (-1 when empty). */
  get newestTick(): number {
    return this.count === 0 ? -1 : this.ticks[this.slot(this.count - 1)]!;
  }

  private slot(i: number): number {
    return (this.head + this.capacity - this.count + i) % this.capacity;
  }

  /** Forget everything (the entity was resynchronised by a snapshot). */
  clear(): void {
    this.count = 0;
  }

  /**
   * Record the component's values at `tick`. `previousFrameTick` is the tick of the frame received
   * before this one: the entity is known unchanged from its newest sample until then.
   */
  push(tick: number, values: ArrayLike<number>, previousFrameTick: number): void {
    const newest = this.newestTick;
    if (this.count > 0 && tick <= newest) {
      if (tick < newest) return;
      this.write(this.slot(this.count - 1), tick, values);
      return;
    }
    if (this.count > 0 && previousFrameTick > newest && previousFrameTick < tick) {
      const from = this.slot(this.count - 1) * this.fieldCount;
      this.append(previousFrameTick, this.values.subarray(from, from + this.fieldCount));
    }
    this.append(tick, values);
  }

  private append(tick: number, values: ArrayLike<number>): void {
    // `values` may be a view of our own storage (a hold): copy before the slot can be reused.
    const copy = values instanceof Float64Array && values.buffer === this.values.buffer ? Float64Array.from(values) : values;
    this.write(this.head, tick, copy);
    this.head = (this.head + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  private write(slot: number, tick: number, values: ArrayLike<number>): void {
    this.ticks[slot] = tick;
    const base = slot * this.fieldCount;
    for (let f = 0; f < this.fieldCount; f++) this.values[base + f] = values[f]!;
  }

  /**
   * Write into `out` the component's values at fractional `renderTick`. `knownThrough` is the
   * newest frame tick received: up to it, an entity with no newer sample is known to be still.
   */
  sample(renderTick: number, knownThrough: number, settings: SampleSettings, out: Float64Array): SampleMode {
    const n = this.count;
    if (n === 0) return 'empty';
    const first = this.slot(0);
    if (renderTick <= this.ticks[first]!) {
      this.copy(first, out);
      return 'held';
    }
    const last = this.slot(n - 1);
    const newest = this.ticks[last]!;
    if (renderTick >= newest) {
      if (n === 1 || renderTick <= knownThrough || knownThrough > newest) {
        this.copy(last, out);
        return 'held';
      }
      // Past everything received: continue the last motion, briefly.
      const prev = this.slot(n - 2);
      const span = newest - this.ticks[prev]!;
      if (this.jumps(prev, last, settings)) {
        this.copy(last, out);
        return 'held';
      }
      const ahead = Math.min(renderTick - newest, settings.maxExtrapolationTicks) / span;
      this.blend(prev, last, 1 + ahead, settings.blends, out);
      return ahead > 0 ? 'extrapolated' : 'held';
    }
    // Binary search would pay off only for far longer buffers than a render delay ever needs.
    let i = n - 2;
    while (i > 0 && this.ticks[this.slot(i)]! > renderTick) i--;
    const a = this.slot(i);
    const b = this.slot(i + 1);
    const ta = this.ticks[a]!;
    const t = (renderTick - ta) / (this.ticks[b]! - ta);
    if (this.jumps(a, b, settings)) {
      this.copy(a, out);
      return 'snapped';
    }
    this.blend(a, b, t, settings.blends, out);
    return 'interpolated';
  }

  private copy(slot: number, out: Float64Array): void {
    const base = slot * this.fieldCount;
    for (let f = 0; f < this.fieldCount; f++) out[f] = this.values[base + f]!;
  }

  private jumps(a: number, b: number, settings: SampleSettings): boolean {
    const ba = a * this.fieldCount;
    const bb = b * this.fieldCount;
    for (let f = 0; f < this.fieldCount; f++) {
      if (settings.blends[f] === 'linear' && Math.abs(this.values[bb + f]! - this.values[ba + f]!) > settings.snapDistance) return true;
    }
    return false;
  }

  private blend(a: number, b: number, t: number, blends: readonly Interpolation[], out: Float64Array): void {
    const ba = a * this.fieldCount;
    const bb = b * this.fieldCount;
    for (let f = 0; f < this.fieldCount; f++) {
      const va = this.values[ba + f]!;
      const vb = this.values[bb + f]!;
      switch (blends[f]) {
        case 'linear':
          out[f] = va + (vb - va) * t;
          break;
        case 'angle':
          out[f] = wrapAngle(va + angleDelta(va, vb) * t);
          break;
        default:
          // Stepped fields change when the blended ones arrive at their sample, not before.
          out[f] = t >= 1 ? vb : va;
      }
    }
  }
}
