import { LEADERBOARD_SIZE, Leaderboard, Player } from '@tickwire/demo-shared';
import { query } from 'bitecs';
import type { Connection, MessageData } from 'tickwire';
import type { Game } from './game';

type Standings = MessageData<typeof Leaderboard>;

/** The top players by score, ties broken by name so the order does not flicker. */
export function standings({ world }: Game): Standings {
  const entries = [...query(world, [Player])].map((eid) => ({ name: Player.name[eid]!, hue: Player.hue[eid]!, score: Player.score[eid]! }));
  entries.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
  return { entries: entries.slice(0, LEADERBOARD_SIZE) };
}

/** Send the current leaderboard to one connection (a player who just joined). */
export function sendLeaderboard(game: Game, to: Connection): void {
  game.net.send(to, Leaderboard, standings(game));
}

/** A system that, about twice a second, broadcasts the leaderboard if it changed since its last broadcast. */
export function leaderboardPublisher(): (game: Game) => void {
  let lastPublished = '';
  return (game) => {
    const { net, config } = game;
    if (net.tick % Math.max(1, Math.round(config.tickRate / 2)) !== 0) return;
    const current = standings(game);
    const text = JSON.stringify(current);
    if (text === lastPublished) return;
    lastPublished = text;
    net.broadcast(Leaderboard, current);
  };
}
