/** Largest target depth, ticks: past this, jitter is a link problem a buffer should not hide. */
export const MAX_PLAYOUT_DEPTH = 3;

/** Ticks without a late input after which the target depth drops by one. */
const RELAX_TICKS = 200;

/**
 * Playout counters summed over every connection a server ever had (a closed connection's counts
 * stay in): what Prometheus exports as counters and `/health` reports.
 */
export class InputPlayoutTotals {
  /** Inputs applied beyond the nominal rate to drain a backlog. */
  caughtUp = 0;
  /** Inputs dropped (acknowledged unapplied) because a connection was far behind. */
  dropped = 0;
  /** Late inputs: a tick with nothing to apply followed by one with two or more queued. */
  late = 0;
  /** Ticks a playing connection had nothing to apply (an observer sees that player stand still). */
  starved = 0;
}

/**
 * One connection's input playout buffer, deciding each tick how many of its queued inputs game
 * code gets. Inputs apply at their nominal rate; a late input no longer costs its step (the
 * buffer absorbs it), and a backlog drains instead of lasting forever.
 *
 * - A target depth D (0…{@link MAX_PLAYOUT_DEPTH}) of inputs kept queued grows by one each time
 *   an input arrives late (an empty tick followed by a tick with two or more) and relaxes after
 *   {@link RELAX_TICKS} calm ticks. After idling, play starts once more than D inputs are queued
 *   (or D ticks passed), so D stay queued as slack and a jittered stream does not starve mid-walk.
 * - While more than D are queued, one extra input a tick catches up, paid from a token bucket that
 *   fills at the nominal input rate: over any window a client gets at most its rate plus a small
 *   burst, so catching up never buys speed.
 * - Far behind (more than D + `maxBacklog` queued) the oldest are dropped; the client's prediction
 *   then corrects. Never synthesised: a repeated input would be a step the client did not predict.
 */
export class InputPlayout {
  /** Target depth, inputs; starts at one tick of slack, since a link with no jitter is rare. */
  depth = 1;
  /** Inputs applied beyond the nominal rate to drain a backlog. */
  caughtUp = 0;
  /** Inputs dropped because the connection was far behind. */
  dropped = 0;
  /** Late inputs seen: ticks that had nothing to apply followed by a catch-up. */
  late = 0;
  /** Ticks this connection was playing and had nothing to apply. */
  starved = 0;
  /** Inputs queued after the last decision (what still waits). */
  backlog = 0;
  private tokens: number;
  private lastTick = -1;
  private playing = false;
  private waitedTicks = 0;
  private calmTicks = 0;
  private emptyBefore = false;

  constructor(
    /** Nominal inputs per tick (input rate / tick rate). */
    private readonly perTick: number,
    /** Inputs beyond the target depth a connection may queue before the oldest are dropped. */
    private readonly maxBacklog = 8,
    /** Where the server sums every connection's counters. */
    private readonly totals: InputPlayoutTotals = new InputPlayoutTotals(),
  ) {
    this.tokens = this.capacity;
  }

  private get capacity(): number {
    return Math.max(1, this.depth) + this.perTick;
  }

  /**
   * Decide tick `tick` for `queued` waiting inputs: how many to drop (oldest first), then how many
   * to apply. Ticks not decided (nothing arrived) count as empty.
   */
  decide(tick: number, queued: number): { drop: number; apply: number } {
    const elapsed = this.lastTick < 0 ? 1 : Math.max(0, tick - this.lastTick);
    if (elapsed === 0) {
      // Called again within a tick (leftovers): nothing new to spend.
      return { drop: 0, apply: 0 };
    }
    this.lastTick = tick;
    const skipped = elapsed > 1 ? elapsed - 1 : 0;
    this.tokens = Math.min(this.capacity, this.tokens + this.perTick * elapsed);
    // A tick with nothing before one with two or more: an input came late.
    if (this.playing && (this.emptyBefore || skipped > 0) && skipped <= MAX_PLAYOUT_DEPTH && queued >= 2) {
      this.late++;
      this.totals.late++;
      // Ticks nothing arrived for were not decided: they were starved too.
      this.starved += skipped;
      this.totals.starved += skipped;
      this.calmTicks = 0;
      if (this.depth < MAX_PLAYOUT_DEPTH) this.depth++;
    } else if (++this.calmTicks >= RELAX_TICKS) {
      this.calmTicks = 0;
      if (this.depth > 0) this.depth--;
    }
    if (skipped > MAX_PLAYOUT_DEPTH) this.playing = false; // idle, not late
    let drop = 0;
    if (queued > this.depth + this.maxBacklog) {
      drop = queued - this.depth - this.maxBacklog;
      this.dropped += drop;
      this.totals.dropped += drop;
    }
    let waiting = queued - drop;
    if (!this.playing) {
      if (waiting === 0 || (waiting <= this.depth && this.waitedTicks++ < this.depth)) {
        this.emptyBefore = false;
        this.backlog = waiting;
        return { drop, apply: 0 };
      }
      this.playing = true;
      this.waitedTicks = 0;
    }
    const nominal = Math.max(1, Math.floor(this.perTick));
    let apply = Math.min(waiting, nominal, Math.floor(this.tokens));
    if (waiting - apply > this.depth && this.tokens - apply >= 1) {
      apply++;
      this.caughtUp++;
      this.totals.caughtUp++;
    }
    this.tokens -= apply;
    waiting -= apply;
    this.emptyBefore = apply === 0;
    if (apply === 0) {
      this.starved++;
      this.totals.starved++;
    }
    this.backlog = waiting;
    return { drop, apply };
  }
}
