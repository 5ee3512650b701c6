import type { Round } from '@tickwire/demo-shared';
import type { MessageData } from 'tickwire';

/** How long a round's winner is shown large, ms. */
const WINNER_MS = 4000;

/**
 * The round, top centre: its number and the time left (counted down on the server's tick as time
 * sync estimates it), the last winner; and the winner large for a few seconds when a round ends.
 */
export class RoundPanel {
  private round: MessageData<typeof Round> | undefined;
  private winnerUntil = 0;
  private lastText = '';

  constructor(
    private readonly element: HTMLElement,
    private readonly banner: HTMLElement,
  ) {}

  /** A Round message arrived at `now` (ms). */
  show(round: MessageData<typeof Round>, now: number): void {
    const ended = this.round !== undefined && round.round > this.round.round;
    this.round = round;
    if (ended && round.lastWinner) {
      this.banner.textContent = `${round.lastWinner} wins round ${round.round - 1} with ${round.lastWinnerScore} points!`;
      this.banner.hidden = false;
      this.winnerUntil = now + WINNER_MS;
    }
  }

  /** Seconds left in the round, given the server's current tick and its tick interval (ms). */
  secondsLeft(serverTick: number, tickIntervalMs: number): number {
    if (!this.round) return 0;
    return Math.max(0, ((this.round.endsAtTick - serverTick) * tickIntervalMs) / 1000);
  }

  /** Redraw for time `now` (ms). */
  update(now: number, serverTick: number, tickIntervalMs: number): void {
    if (!this.banner.hidden && now > this.winnerUntil) this.banner.hidden = true;
    const round = this.round;
    if (!round) return;
    const left = Math.ceil(this.secondsLeft(serverTick, tickIntervalMs));
    const clock = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
    const last = round.lastWinner ? ` · last winner ${round.lastWinner} (${round.lastWinnerScore})` : '';
    const text = `round ${round.round} · ${clock} left${last}`;
    if (text === this.lastText) return;
    this.lastText = text;
    this.element.textContent = text;
  }
}
