/** Frames kept: about 2 s at 60 fps. */
const WINDOW = 120;

/**
 * How late this page runs its frames, the page's own share of what the player sees (not the
 * network's): the 95th percentile of how long after a frame's timestamp its script started, plus
 * the 95th percentile of the frame interval minus its median (frames the page skipped). A busy
 * page shows both: scripts start late within their frame, and whole frames go missing.
 */
export class FrameLateness {
  private readonly intervals = new Float64Array(WINDOW);
  private readonly starts = new Float64Array(WINDOW);
  private readonly sorted = new Float64Array(WINDOW);
  private count = 0;
  private head = 0;
  private last = -1;

  /** Note a rendered frame with timestamp `time` whose script started at `startedAt` (same clock, ms). */
  sample(time: number, startedAt: number): void {
    if (this.last >= 0) {
      this.intervals[this.head] = time - this.last;
      this.starts[this.head] = Math.max(0, startedAt - time);
      this.head = (this.head + 1) % WINDOW;
      if (this.count < WINDOW) this.count++;
    }
    this.last = time;
  }

  /** p95 script start delay plus p95 − median frame interval, ms (0 until there are a few frames). */
  get latenessMs(): number {
    if (this.count < 4) return 0;
    const intervals = this.sortedCopy(this.intervals);
    const skipped = intervals[Math.min(this.count - 1, Math.floor(this.count * 0.95))]! - intervals[this.count >> 1]!;
    const starts = this.sortedCopy(this.starts);
    return skipped + starts[Math.min(this.count - 1, Math.floor(this.count * 0.95))]!;
  }

  private sortedCopy(values: Float64Array): Float64Array {
    const out = this.sorted.subarray(0, this.count);
    out.set(values.subarray(0, this.count));
    return out.sort();
  }
}
