import type { TimeSync } from './time-sync.js';

/** Options of {@link RenderTimeline}. */
export interface RenderTimelineOptions {
  /** Send intervals of buffer behind the arrival line. Default 2. */
  readonly intervals?: number;
  /** Multiplier on the measured jitter for the safety margin. Default 1. */
  readonly jitterFactor?: number;
  /** Floor of the delay, ms. Default 0. */
  readonly minDelayMs?: number;
  /** Ceiling of the delay, ms. Default 500. */
  readonly maxDelayMs?: number;
  /** Fixed delay, ms, instead of the adaptive one. */
  readonly fixedDelayMs?: number;
  /** Most the playback rate may deviate from real time while converging (0..1). Default 0.1. */
  readonly maxSlew?: number;
  /** An error larger than this (ms) is fixed by a jump rather than a slew. Default 500. */
  readonly snapMs?: number;
}

/**
 * The server tick remote entities are drawn at: `arrival line − delay`, with
 * `delay = intervals · sendInterval + jitterFactor · jitter`.
 *
 * Two send intervals because a sample must exist on both sides of the render time: one interval
 * is the bare minimum when frames are perfectly regular, the second absorbs a frame that is late
 * or lost behind TCP head-of-line blocking. The jitter term covers the measured lateness quantile.
 *
 * The render tick never follows its target directly: it plays at real-time speed ± `maxSlew`
 * toward it, so a changing delay or a corrected arrival estimate stretches or squeezes time a
 * little instead of making entities jump — and, the rate never going below `1 − maxSlew`,
 * time on screen never runs backwards. Only an error beyond `snapMs` (a new session, a frozen
 * tab) is fixed by a jump.
 */
export class RenderTimeline {
  /** The tick being rendered (fractional); advanced by {@link update}. */
  renderTick = 0;
  /** The delay currently aimed for, ms. */
  targetDelayMs = 0;
  private readonly intervals: number;
  private readonly jitterFactor: number;
  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly fixedDelayMs: number | undefined;
  private readonly maxSlew: number;
  private readonly snapMs: number;
  private lastNow = 0;
  private started = false;
  /** Jumps made instead of slews (sessions, frozen tabs). */
  snaps = 0;

  constructor(options: RenderTimelineOptions = {}) {
    this.intervals = options.intervals ?? 2;
    this.jitterFactor = options.jitterFactor ?? 1;
    this.minDelayMs = options.minDelayMs ?? 0;
    this.maxDelayMs = options.maxDelayMs ?? 500;
    this.fixedDelayMs = options.fixedDelayMs;
    this.maxSlew = Math.min(0.9, Math.max(0, options.maxSlew ?? 0.1));
    this.snapMs = options.snapMs ?? 500;
  }

  /** Forget the timeline (a new session). */
  reset(): void {
    this.started = false;
  }

  /** Advance to local time `now` (ms) and return the render tick. */
  update(now: number, sync: TimeSync): number {
    if (!sync.ready) return this.renderTick;
    const adaptive = this.intervals * sync.sendIntervalMs + this.jitterFactor * sync.jitterMs;
    this.targetDelayMs = this.fixedDelayMs ?? Math.min(this.maxDelayMs, Math.max(this.minDelayMs, adaptive));
    const interval = sync.tickIntervalMs;
    const target = sync.arrivalTick(now) - this.targetDelayMs / interval;
    const dt = now - this.lastNow;
    this.lastNow = now;
    if (!this.started || Math.abs(target - this.renderTick) * interval > this.snapMs || dt < 0) {
      if (this.started) this.snaps++;
      this.started = true;
      this.renderTick = target;
      return target;
    }
    const step = dt / interval;
    // Converge over about a second: an error of e ms changes the rate by e/1000, within the slew limit.
    const errorMs = (target - (this.renderTick + step)) * interval;
    const rate = 1 + Math.max(-this.maxSlew, Math.min(this.maxSlew, errorMs / 1000));
    this.renderTick += step * rate;
    return this.renderTick;
  }

  /** How far behind the arrival line the render tick is now, ms. */
  delayMs(now: number, sync: TimeSync): number {
    return (sync.arrivalTick(now) - this.renderTick) * sync.tickIntervalMs;
  }
}
