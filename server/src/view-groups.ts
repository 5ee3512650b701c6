import { ChatLine } from '@tickwire/demo-shared';
import type { Connection, MessageData } from 'tickwire';
import { ENTITY_CAPACITY, type Game } from './game';

/**
 * Which view group each entity is in (1-based; 0: none, seen by all). Server-only. With
 * `--view-groups N`, players, bots and orbs are dealt into N tickwire rooms that share the arena
 * but never see or touch each other, so one server can host many small matches: what a load
 * test needs to grow connections without every client seeing every other.
 */
export const ViewGroup = {
  of: new Int32Array(ENTITY_CAPACITY),
};

/** The interest room of a view group: an extra arena's room, or one of the `--view-groups`. */
function roomName({ arenas }: Game, group: number): string {
  return arenas.roomName(group) ?? `view-${group}`;
}

/** Put an entity (and a connection) into view group `group` (0: none, seen by all). */
export function placeInGroup(game: Game, eid: number, group: number, connection?: Connection): void {
  ViewGroup.of[eid] = group;
  if (group <= 0) return;
  game.net.addToRoom(eid, roomName(game, group));
  if (connection) game.net.joinRoom(connection, roomName(game, group));
}

/** Put an entity (and, for a player, its connection) into view group `index mod N`; a no-op without view groups. */
export function placeInViewGroup(game: Game, eid: number, index: number, connection?: Connection): void {
  if (game.config.viewGroups <= 0) ViewGroup.of[eid] = 0;
  else placeInGroup(game, eid, (index % game.config.viewGroups) + 1, connection);
}

/**
 * Put a player in the view group of the arena it was matched into (its connection is in the
 * arena's room already, from its seat), or, connected without a seat, dealt like bots and orbs.
 */
export function placePlayer(game: Game, eid: number, connection: Connection): void {
  const room = game.net.matchmaker.roomOf(connection);
  const group = room && game.arenas.group(room.id);
  if (group !== undefined) placeInGroup(game, eid, group);
  else placeInViewGroup(game, eid, connection.id, connection);
}

/**
 * A chat line for everyone who can see `eid`: its view group, or everybody without view groups.
 * A server-wide notice per join would cost every client a message per join: O(n²) in a ramp.
 */
export function announceNear(game: Game, eid: number, line: MessageData<typeof ChatLine>): void {
  const group = ViewGroup.of[eid]!;
  if (group > 0) game.net.broadcastToRoom(roomName(game, group), ChatLine, line);
  else game.net.broadcast(ChatLine, line);
}

/** True when two entities may see and touch each other. */
export function sameViewGroup(a: number, b: number): boolean {
  return ViewGroup.of[a] === ViewGroup.of[b];
}
