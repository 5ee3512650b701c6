/**
 * Round-trip time as TCP estimates it (RFC 6298): a smoothed mean and a mean deviation, so one
 * spike moves the estimate by an eighth and the jitter by a quarter, not all the way.
 */
export class RttEstimator {
  /** Smoothed RTT, ms (0 before the first sample). */
  smoothed = 0;
  /** Mean deviation of the RTT, ms: the jitter measure. */
  jitter = 0;
  /** The most recent raw sample, ms. */
  last = 0;
  /** Samples taken. */
  samples = 0;

  sample(rtt: number): void {
    if (!(rtt >= 0) || !Number.isFinite(rtt)) return;
    this.last = rtt;
    if (this.samples++ === 0) {
      this.smoothed = rtt;
      this.jitter = rtt / 2;
      return;
    }
    this.jitter += (Math.abs(rtt - this.smoothed) - this.jitter) / 4;
    this.smoothed += (rtt - this.smoothed) / 8;
  }
}
