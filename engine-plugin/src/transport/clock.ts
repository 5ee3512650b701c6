/**
 * Time as the connection layer and the in-memory transport see it. Injected so tests can run a
 * ManualClock: heartbeats, timeouts, latency and jitter then happen exactly when the test says.
 */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Milliseconds since the Unix epoch (for Welcome's server time). */
  wallTime(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** An opaque timer handle. */
export type TimerHandle = { readonly __timer: true } | ReturnType<typeof setTimeout>;

/** Real time. */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallTime: () => Date.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    // A pending heartbeat must never keep a Node process alive on its own.
    (handle as { unref?: () => void }).unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

interface ManualTimer {
  readonly __timer: true;
  at: number;
  seq: number;
  callback: () => void;
  cancelled: boolean;
}

/** A clock that only moves when told to; timers fire in time order during {@link ManualClock.advance}. */
export class ManualClock implements Clock {
  private time = 0;
  private seq = 0;
  private timers: ManualTimer[] = [];

  now(): number {
    return this.time;
  }

  wallTime(): number {
    return 1_700_000_000_000 + this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer: ManualTimer = { __timer: true, at: this.time + Math.max(0, ms), seq: this.seq++, callback, cancelled: false };
    this.timers.push(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    (handle as ManualTimer).cancelled = true;
  }

  /** Move time forward by `ms`, firing every timer that comes due, in order (including ones they set). */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const t of this.timers) {
        if (t.cancelled || t.at > target) continue;
        if (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq)) next = t;
      }
      if (!next) break;
      this.time = next.at;
      next.cancelled = true;
      next.callback();
    }
    this.timers = this.timers.filter((t) => !t.cancelled);
    this.time = target;
  }

  /** Timers still waiting. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
}
