import type { ConnectionStats } from 'tickwire';

/** Bandwidth over the last sampling window, from the connection's byte counters. */
export class TrafficMeter {
  /** Kilobits per second received, over the last window. */
  kbpsIn = 0;
  /** Kilobits per second sent, over the last window. */
  kbpsOut = 0;
  private lastAt = -1;
  private lastIn = 0;
  private lastOut = 0;

  constructor(private readonly windowMs = 1000) {}

  /** Call every frame; recomputes the rates once per window. */
  sample(stats: Readonly<ConnectionStats>, now: number): void {
    if (this.lastAt < 0) {
      this.reset(stats, now);
      return;
    }
    const elapsed = now - this.lastAt;
    if (elapsed < this.windowMs) return;
    // bytes * 8 bits / 1000 per kilobit / seconds = bytes * 8 / ms
    this.kbpsIn = ((stats.bytesIn - this.lastIn) * 8) / elapsed;
    this.kbpsOut = ((stats.bytesOut - this.lastOut) * 8) / elapsed;
    this.reset(stats, now);
  }

  private reset(stats: Readonly<ConnectionStats>, now: number): void {
    this.lastAt = now;
    this.lastIn = stats.bytesIn;
    this.lastOut = stats.bytesOut;
  }
}
