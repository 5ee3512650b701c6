import { LEADERBOARD_SIZE, Leaderboard, Player } from '@tickwire/demo-shared';
import { query } from 'bitecs';
import type { Connection, MessageData } from 'tickwire';
import type { Game } from './game';

type Standings = MessageData<typeof Leaderboard>;

type Entry = Standings['entries'][number];

/**
 * The top players by score, ties broken by name (code-unit order) so the order does not flicker.
 * One pass keeping the best {@link LEADERBOARD_SIZE}: it runs for every join and twice a second,
 * so sorting every player (with `localeCompare`) would cost O(n log n) per join at thousands of players.
 */
export function standings({ world }: Game): Standings {
  const top: Entry[] = [];
  for (const eid of query(world, [Player])) {
    const score = Player.score[eid]!;
    const last = top[top.length - 1];
    // Most players lose to the current last place on score alone; their name is never read.
    if (top.length === LEADERBOARD_SIZE && last !== undefined && (score < last.score || (score === last.score && Player.name[eid]! >= last.name)))
      continue;
    const entry: Entry = { name: Player.name[eid]!, hue: Player.hue[eid]!, score };
    let at = top.length;
    while (at > 0 && ranksAbove(entry, top[at - 1]!)) at--;
    top.splice(at, 0, entry);
    if (top.length > LEADERBOARD_SIZE) top.pop();
  }
  return { entries: top };
}

function ranksAbove(a: Entry, b: Entry): boolean {
  return a.score > b.score || (a.score === b.score && a.name < b.name);
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
