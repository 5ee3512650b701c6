/**
 * How long the server's ticks take, for `/health`: percentiles over a bounded window of recent
 * ticks, and when recent ticks started (wall clock, sub-millisecond), so that a load generator on
 * the same machine can measure delivery latency from the start of the tick that produced a frame.
 */
export interface TickStatsSnapshot {
  /** Ticks in the window. */
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** `[tick, wall clock ms at its start]` of the latest ticks, oldest first. */
  readonly starts: readonly (readonly [number, number])[];
}

/** Keeps the latest `window` tick durations and start times in fixed-size rings. */
export class TickStats {
  private readonly durations: Float64Array;
  private readonly startTicks: Float64Array;
  private readonly startTimes: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(private readonly window = 400) {
    this.durations = new Float64Array(window);
    this.startTicks = new Float64Array(window);
    this.startTimes = new Float64Array(window);
  }

  /** Record a tick that started at `startedAt` (`performance.now()`) and took `durationMs`. */
  record(tick: number, startedAt: number, durationMs: number): void {
    this.durations[this.next] = durationMs;
    this.startTicks[this.next] = tick;
    this.startTimes[this.next] = performance.timeOrigin + startedAt;
    this.next = (this.next + 1) % this.window;
    this.filled = Math.min(this.window, this.filled + 1);
  }

  /** Percentiles of the window and the start times of its latest `recent` ticks. */
  snapshot(recent = 100): TickStatsSnapshot {
    const sorted = Array.from(this.durations.subarray(0, this.filled)).sort((a, b) => a - b);
    const at = (p: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!);
    const starts: [number, number][] = [];
    const take = Math.min(recent, this.filled);
    for (let i = take; i >= 1; i--) {
      const slot = (this.next - i + this.window) % this.window;
      starts.push([this.startTicks[slot]!, Math.round(this.startTimes[slot]! * 1000) / 1000]);
    }
    const round = (ms: number) => Math.round(ms * 1000) / 1000;
    return { count: sorted.length, p50Ms: round(at(0.5)), p99Ms: round(at(0.99)), maxMs: round(sorted[sorted.length - 1] ?? 0), starts };
  }
}
