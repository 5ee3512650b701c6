/** Frame intervals kept: about 2 s at 60 fps. */
const WINDOW = 120;

/**
 * How late this page's frames run: the 95th percentile of the interval between rendered frames
 * minus its median. A slow page delays when frames are read as much as the network does, so the
 * HUD shows it apart from the link's jitter.
 */
export class FrameLateness {
  private readonly intervals = new Float64Array(WINDOW);
  private readonly sorted = new Float64Array(WINDOW);
  private count = 0;
  private head = 0;
  private last = -1;

  /** Note a rendered frame at `time`, ms. */
  sample(time: number): void {
    if (this.last >= 0) {
      this.intervals[this.head] = time - this.last;
      this.head = (this.head + 1) % WINDOW;
      if (this.count < WINDOW) this.count++;
    }
    this.last = time;
  }

  /** p95 minus median of recent frame intervals, ms (0 until there are a few). */
  get latenessMs(): number {
    if (this.count < 4) return 0;
    const values = this.sorted.subarray(0, this.count);
    values.set(this.intervals.subarray(0, this.count));
    values.sort();
    return values[Math.min(this.count - 1, Math.floor(this.count * 0.95))]! - values[this.count >> 1]!;
  }
}
