/** Options of {@link TimeSync}. */
export interface TimeSyncOptions {
  /** How many recent frame arrivals the estimates look at. Default 64 (about 3 s at 20 Hz). */
  readonly window?: number;
  /** The quantile of frame lateness taken as "the jitter" (0..1). Default 0.95. */
  readonly jitterQuantile?: number;
}

/**
 * The client's estimate of the server's tick timeline, from when Tick frames arrive and from RTT.
 *
 * Every frame for tick T arriving at local time t gives a sample `o = T·interval − t`: the server
 * tick clock minus ours, less that frame's one-way delay. Network delay only ever adds, so the
 * largest `o` in a recent window is the frame that travelled fastest, and `now + max(o)` is where
 * a frame sent right now would land on the tick timeline if it too travelled fastest: the
 * "arrival line". A jitter spike makes one sample small and therefore changes nothing; a real
 * latency rise ages the old maximum out of the window. How far each frame fell behind the line is
 * its lateness; a high quantile of lateness (not the mean, not the maximum) is the jitter the
 * interpolation delay must cover, so one spike in twenty is tolerated rather than obeyed.
 */
export class TimeSync {
  /** Milliseconds per server tick (from the Welcome's tick rate). */
  tickIntervalMs = 50;
  /** Smoothed RTT from pongs, ms (RFC 6298 style, like the connection's). */
  rtt = 0;
  /** RTT mean deviation, ms. */
  rttJitter = 0;
  /** Highest tick seen in a frame. */
  latestTick = 0;
  private readonly window: number;
  private readonly quantile: number;
  private readonly offsets: Float64Array;
  private readonly ticks: Float64Array;
  private count = 0;
  private head = 0;
  private best = Number.NEGATIVE_INFINITY;
  private jitter = 0;
  private interval = 0;
  /**
   * The window's offsets and its positive tick gaps, each kept sorted as frames come and go:
   * the estimates are order statistics of the window, and re-sorting it on every frame cost
   * more than the rest of a client's `receive`.
   */
  private readonly sortedOffsets: Float64Array;
  private readonly sortedGaps: Float64Array;
  private gapCount = 0;
  private rttSamples = 0;
  /** The latest RTT samples (a ring): their minimum is the fastest round trip. */
  private readonly recentRtts = new Float64Array(RTT_WINDOW).fill(Number.POSITIVE_INFINITY);

  constructor(options: TimeSyncOptions = {}) {
    this.window = Math.max(4, options.window ?? 64);
    this.quantile = Math.min(1, Math.max(0, options.jitterQuantile ?? 0.95));
    this.offsets = new Float64Array(this.window);
    this.ticks = new Float64Array(this.window);
    this.sortedOffsets = new Float64Array(this.window);
    this.sortedGaps = new Float64Array(this.window);
  }

  /** Start over (a new session: the server's tick numbering is unrelated to what we saw). */
  reset(tickRate: number, tick: number, now: number): void {
    if (tickRate > 0) this.tickIntervalMs = 1000 / tickRate;
    this.count = 0;
    this.head = 0;
    this.gapCount = 0;
    this.best = Number.NEGATIVE_INFINITY;
    this.jitter = 0;
    this.interval = 0;
    this.latestTick = 0;
    this.observeFrame(tick, now);
  }

  /** A Tick frame for `tick` arrived at local time `now` (ms). */
  observeFrame(tick: number, now: number): void {
    const offset = tick * this.tickIntervalMs - now;
    const last = this.count > 0 ? this.ticks[(this.head + this.window - 1) % this.window]! : -1;
    if (this.count === this.window) {
      // The oldest frame leaves the window, and with it the gap to the frame after it.
      this.count = removeSorted(this.sortedOffsets, this.count, this.offsets[this.head]!);
      const gone = this.ticks[(this.head + 1) % this.window]! - this.ticks[this.head]!;
      if (gone > 0) this.gapCount = removeSorted(this.sortedGaps, this.gapCount, gone);
    }
    if (last >= 0 && tick - last > 0) this.gapCount = insertSorted(this.sortedGaps, this.gapCount, tick - last);
    insertSorted(this.sortedOffsets, this.count, offset);
    this.offsets[this.head] = offset;
    this.ticks[this.head] = tick;
    this.head = (this.head + 1) % this.window;
    if (this.count < this.window) this.count++;
    if (tick > this.latestTick) this.latestTick = tick;
    this.recompute(last >= 0 && tick > last);
  }

  /** A Pong arrived: one RTT sample. */
  observeRtt(rtt: number): void {
    if (!(rtt >= 0) || !Number.isFinite(rtt)) return;
    this.recentRtts[this.rttSamples % RTT_WINDOW] = rtt;
    if (this.rttSamples++ === 0) {
      this.rtt = rtt;
      this.rttJitter = rtt / 2;
      return;
    }
    this.rttJitter += (Math.abs(rtt - this.rtt) - this.rttJitter) / 4;
    this.rtt += (rtt - this.rtt) / 8;
  }

  private recompute(advanced: boolean): void {
    const sorted = this.sortedOffsets;
    const best = sorted[this.count - 1]!;
    this.best = best;
    // Lateness `best − offset` grows as the offset shrinks: its k-th smallest is best minus the k-th largest offset.
    this.jitter = best - sorted[this.count - 1 - Math.min(this.count - 1, Math.floor(this.quantile * this.count))]!;
    if (advanced) this.interval = this.medianGap();
  }

  /** The median tick gap between consecutive frames, in ms: the send interval, idle heartbeats ignored. */
  private medianGap(): number {
    if (this.gapCount === 0) return this.tickIntervalMs;
    return this.sortedGaps[this.gapCount >> 1]! * this.tickIntervalMs;
  }

  /** True once a frame has been seen. */
  get ready(): boolean {
    return this.count > 0;
  }

  /** How often frames arrive, ms (median gap; one tick interval until measured). */
  get sendIntervalMs(): number {
    return this.interval || this.tickIntervalMs;
  }

  /** Frame arrival jitter: the chosen quantile of lateness behind the arrival line, ms. */
  get jitterMs(): number {
    return this.jitter;
  }

  /** The fractional tick a frame sent now would carry when it arrives on the fastest path. */
  arrivalTick(now: number): number {
    return this.count === 0 ? 0 : (now + this.best) / this.tickIntervalMs;
  }

  /** The fastest of the latest {@link RTT_WINDOW} round trips, ms (0 before the first). */
  get minRtt(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const rtt of this.recentRtts) if (rtt < min) min = rtt;
    return Number.isFinite(min) ? min : 0;
  }

  /**
   * The fractional tick the server is running now: the arrival line plus half the fastest recent
   * round trip. The arrival line is where a frame lands on the fastest path, so the trip to add is
   * the fastest one-way too; half the smoothed RTT would add the average jitter a second time.
   */
  serverTick(now: number): number {
    return this.arrivalTick(now) + this.minRtt / 2 / this.tickIntervalMs;
  }
}

/** Round trips the fastest is taken from: 16 heartbeats, 16 s at the default interval. */
const RTT_WINDOW = 16;

/** Insert `value` into the ascending `sorted[0 .. count)`; returns the new count. */
function insertSorted(sorted: Float64Array, count: number, value: number): number {
  let i = count;
  while (i > 0 && sorted[i - 1]! > value) {
    sorted[i] = sorted[i - 1]!;
    i--;
  }
  sorted[i] = value;
  return count + 1;
}

/** Remove one `value` (which must be there) from the ascending `sorted[0 .. count)`; returns the new count. */
function removeSorted(sorted: Float64Array, count: number, value: number): number {
  let i = count - 1;
  while (i > 0 && sorted[i] !== value) i--;
  for (; i < count - 1; i++) sorted[i] = sorted[i + 1]!;
  return count - 1;
}
