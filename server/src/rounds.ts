import { ChatLine, Join, Player, Round } from '@tickwire/demo-shared';
import { query } from 'bitecs';
import type { MessageData } from 'tickwire';
import type { Game } from './game';
import { standings } from './leaderboard';

/**
 * Rounds: every `roundSeconds` (default `ROUND_SECONDS`, 90) the player with the most points wins (announced in chat and
 * in the next `Round` message), every score resets, and a new round starts. Joiners are told the
 * current round, so their clients can count down to its end on the server's tick.
 */
export class Rounds {
  private current: MessageData<typeof Round>;

  constructor(private readonly game: Game) {
    this.current = { round: 1, endsAtTick: game.net.tick + this.roundTicks, lastWinner: '', lastWinnerScore: 0 };
  }

  private get roundTicks(): number {
    return this.game.config.roundSeconds * this.game.config.tickRate;
  }

  /** The round being played. */
  get state(): MessageData<typeof Round> {
    return this.current;
  }

  /** System, once a tick: tell joiners the round; at its end, crown the winner, reset scores, start the next. */
  update(): void {
    const { net, world } = this.game;
    for (const { source } of net.messages(Join)) net.send(source, Round, this.current);
    if (net.tick < this.current.endsAtTick) return;
    const top = standings(this.game).entries[0];
    const winner = top && top.score > 0 ? top : undefined;
    if (winner)
      net.broadcast(ChatLine, { from: '', hue: winner.hue, text: `${winner.name} wins round ${this.current.round} with ${winner.score} points!`, system: true });
    for (const eid of query(world, [Player])) Player.score[eid] = 0;
    this.current = {
      round: this.current.round + 1,
      endsAtTick: net.tick + this.roundTicks,
      lastWinner: winner?.name ?? '',
      lastWinnerScore: winner?.score ?? 0,
    };
    net.broadcast(Round, this.current);
  }
}
