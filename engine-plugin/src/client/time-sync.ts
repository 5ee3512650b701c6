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
  private readonly scratch: Float64Array;
  private rttSamples = 0;

  constructor(options: TimeSyncOptions = {}) {
    this.window = Math.max(4, options.window ?? 64);
    this.quantile = Math.min(1, Math.max(0, options.jitterQuantile ?? 0.95));
    this.offsets = new Float64Array(this.window);
    this.ticks = new Float64Array(this.window);
    this.scratch = new Float64Array(this.window);
  }

  /** Start over (a new session: the server's tick numbering is unrelated to what we saw). */
  reset(tickRate: number, tick: number, now: number): void {
    if (tickRate > 0) this.tickIntervalMs = 1000 / tickRate;
    this.count = 0;
    this.head = 0;
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
    if (this.rttSamples++ === 0) {
      this.rtt = rtt;
      this.rttJitter = rtt / 2;
      return;
    }
    this.rttJitter += (Math.abs(rtt - this.rtt) - this.rttJitter) / 4;
    this.rtt += (rtt - this.rtt) / 8;
  }

  private recompute(advanced: boolean): void {
    let best = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < this.count; i++) if (this.offsets[i]! > best) best = this.offsets[i]!;
    this.best = best;
    for (let i = 0; i < this.count; i++) this.scratch[i] = best - this.offsets[i]!;
    const late = this.scratch.subarray(0, this.count).sort();
    this.jitter = late[Math.min(this.count - 1, Math.floor(this.quantile * this.count))]!;
    if (advanced) this.interval = this.medianGap();
  }

  /** The median tick gap between consecutive frames, in ms: the send interval, idle heartbeats ignored. */
  private medianGap(): number {
    let n = 0;
    for (let i = 1; i < this.count; i++) {
      const at = (this.head + this.window - this.count + i) % this.window;
      const gap = this.ticks[at]! - this.ticks[(at + this.window - 1) % this.window]!;
      if (gap > 0) this.scratch[n++] = gap;
    }
    if (n === 0) return this.tickIntervalMs;
    const gaps = this.scratch.subarray(0, n).sort();
    return gaps[n >> 1]! * this.tickIntervalMs;
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

  /** The fractional tick the server is running now: the arrival line plus half a round trip. */
  serverTick(now: number): number {
    return this.arrivalTick(now) + this.rtt / 2 / this.tickIntervalMs;
  }
}
