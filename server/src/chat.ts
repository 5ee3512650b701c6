import { CHAT_TOPIC, ChatLine, Player, Say } from '@tickwire/demo-shared';
import type { Connection } from 'tickwire';
import type { Game } from './game';
import { playerOf } from './players';

/** Fewest ticks between two lines from one player: enough to stop a flood, never felt by a typist. */
const MIN_TICKS_BETWEEN_LINES = 5;

/**
 * A system relaying players' chat lines, under the name and colour of the sender's player, to
 * every subscriber of the chat topic: on a cluster that is every player on every node.
 */
export function chatRelay(): (game: Game) => void {
  // Keyed by connection object, so a connection that is gone is forgotten with it.
  const lastLineTick = new WeakMap<Connection, number>();
  return (game) => {
    const { net } = game;
    for (const { source, data } of net.messages(Say)) {
      const eid = playerOf(game, source);
      const text = data.text.replace(/\s+/g, ' ').trim();
      if (eid === undefined || text === '') continue;
      const last = lastLineTick.get(source);
      if (last !== undefined && net.tick - last < MIN_TICKS_BETWEEN_LINES) continue;
      lastLineTick.set(source, net.tick);
      net.publish(CHAT_TOPIC, ChatLine, { from: Player.name[eid]!, hue: Player.hue[eid]!, text, system: false });
    }
  };
}
