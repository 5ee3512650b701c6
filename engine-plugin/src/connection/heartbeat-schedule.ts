import type { Clock, TimerHandle } from '../transport/clock.js';

/** Something that beats: told once its interval has passed since it was last scheduled. */
export interface Beating {
  heartbeat(): void;
}

/**
 * Every connection's next heartbeat, on one timer. All of them share one interval and the clock
 * only moves forward, so the order they were scheduled in is the order they fall due: an
 * insertion-ordered Map is the whole queue, and only its head needs a timer. A connection costs
 * a Map entry instead of a `Timeout` object of its own (plus a fresh one every beat); each still
 * beats exactly its interval after it was scheduled.
 */
export class HeartbeatSchedule<T extends Beating> {
  /** Due time by target, in due order (a re-schedule moves a target to the end). */
  private readonly due = new Map<T, number>();
  private timer: TimerHandle | undefined = undefined;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
  ) {}

  /** Beat `target` one interval from now (replacing the beat it had scheduled, if any). */
  schedule(target: T): void {
    this.due.delete(target);
    this.due.set(target, this.clock.now() + this.intervalMs);
    if (this.timer === undefined) this.arm();
  }

  /** No more beats for `target` until it is scheduled again. */
  cancel(target: T): void {
    if (!this.due.delete(target) || this.due.size > 0 || this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Targets with a beat scheduled. */
  get size(): number {
    return this.due.size;
  }

  private arm(): void {
    for (const at of this.due.values()) {
      this.timer = this.clock.setTimeout(this.fire, Math.max(0, at - this.clock.now()));
      return;
    }
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const now = this.clock.now();
    // Deleting while iterating a Map is safe; a target re-scheduled by its beat goes to the end, due later than now.
    for (const [target, at] of this.due) {
      if (at > now) break;
      this.due.delete(target);
      target.heartbeat();
    }
    if (this.timer === undefined && this.due.size > 0) this.arm();
  };
}
