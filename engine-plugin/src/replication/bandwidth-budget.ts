import { EntitySet } from './entity-set.js';

/**
 * How much an entity matters to one client right now: a non-negative number, 1 for "normal".
 * Each frame an entity waits, its accumulated priority grows by this much; the frame's budget
 * goes to the highest accumulated priorities first. Values below {@link MIN_PRIORITY} (and NaN)
 * count as {@link MIN_PRIORITY}, so every entity's turn comes eventually.
 */
export type PriorityFunction = (clientId: number, eid: number) => number;

/** The least an entity's priority counts for: what guarantees nothing starves. */
export const MIN_PRIORITY = 0.01;

/** Server-wide bandwidth settings (see {@link BandwidthBudget}). */
export interface BandwidthOptions {
  /**
   * Bytes per second each connection's frames may carry (header, messages and state together),
   * unless {@link ServerReplication.setBandwidth} says otherwise for it. Undefined: no budget.
   */
  readonly bytesPerSecond?: number;
  /**
   * Who gets the budget first. Default: with a spatial focus, `1 / (1 + 4·distance / radius)`
   * from the focus entity (1 on top of it, 0.2 at the edge of the radius); otherwise 1 for every
   * entity, which makes the budget a fair round-robin.
   */
  readonly priority?: PriorityFunction;
}

/** Refuse a byte rate that is not a positive finite number. */
export function checkBytesPerSecond(bytesPerSecond: number): void {
  if (!(bytesPerSecond > 0) || !Number.isFinite(bytesPerSecond))
    throw new RangeError(`bytesPerSecond must be a positive finite number (got ${bytesPerSecond})`);
}

/**
 * One client's byte budget with priority accumulation (Gaffer's "priority accumulator", with
 * naia's token bucket). Every frame gets `bytesPerTick × ticks since the last frame` (at most
 * a second's worth), minus any debt; spawns, despawns and snapshots go out regardless and leave
 * a debt the next frames repay. Changes that did not fit wait in {@link pending} with their
 * accumulated priority and go out later as full records (absolute values), so nothing is lost
 * and the client converges exactly once the budget catches up.
 */
export class BandwidthBudget {
  /** Entities whose latest values this client has not received (visible to it). */
  readonly pending = new EntitySet();
  /** Per entity: priority accumulated while waiting. Grown on demand, like {@link View.incarnation}. */
  accumulated = new Float32Array(64);
  /** Bytes this frame may still spend; negative is debt. */
  tokens = 0;
  /** The tick of the last frame written under this budget (-1 before any). */
  lastTick = -1;
  /** Ticks the last {@link refill} covered: what each waiting entity's priority grew by. */
  elapsedTicks = 1;

  constructor(
    /** Bytes per tick: the configured rate divided by the tick rate. Infinity drains {@link pending} then retires the budget. */
    public bytesPerTick: number,
    /** How much an entity matters to this client now. */
    readonly priority: (eid: number) => number,
  ) {}

  /** A snapshot of `frameBytes` went out at `tick`: it carried everything that waited, and it is paid for. */
  afterSnapshot(tick: number, frameBytes: number): void {
    this.clear();
    this.refill(tick, 1);
    this.tokens -= frameBytes;
  }

  /** Refill for a frame at `tick`; returns the frame's allowance in bytes. */
  refill(tick: number, maxTicks: number): number {
    const elapsed = this.lastTick < 0 ? 1 : Math.min(maxTicks, Math.max(1, tick - this.lastTick));
    this.lastTick = tick;
    this.elapsedTicks = elapsed;
    // Unused allowance does not carry over (the rate is a ceiling, not an average to catch up to); debt does.
    const refill = this.bytesPerTick * elapsed;
    this.tokens = Math.min(this.tokens + refill, refill);
    return this.tokens;
  }

  /** Add `amount` to `eid`'s accumulated priority; returns the new total. */
  accumulate(eid: number, amount: number): number {
    if (eid >= this.accumulated.length) {
      let capacity = this.accumulated.length * 2;
      while (capacity <= eid) capacity *= 2;
      const next = new Float32Array(capacity);
      next.set(this.accumulated);
      this.accumulated = next;
    }
    const total = this.accumulated[eid]! + amount;
    this.accumulated[eid] = total;
    return total;
  }

  /** `eid`'s latest values went out (or it left the client's world): it waits no more. */
  settle(eid: number): void {
    this.pending.remove(eid);
    if (eid < this.accumulated.length) this.accumulated[eid] = 0;
  }

  /** Forget everything waiting: a snapshot carries it all. */
  clear(): void {
    const { dense, size } = this.pending;
    for (let i = 0; i < size; i++) {
      const e = dense[i]!;
      if (e < this.accumulated.length) this.accumulated[e] = 0;
    }
    this.pending.clear();
  }
}
