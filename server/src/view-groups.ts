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

function roomName(group: number): string {
  return `view-${group}`;
}

/** Put an entity (and, for a player, its connection) into view group `index mod N`; a no-op without view groups. */
export function placeInViewGroup({ net, config }: Game, eid: number, index: number, connection?: Connection): void {
  if (config.viewGroups <= 0) {
    ViewGroup.of[eid] = 0;
    return;
  }
  const group = (index % config.viewGroups) + 1;
  ViewGroup.of[eid] = group;
  net.addToRoom(eid, roomName(group));
  if (connection) net.joinRoom(connection, roomName(group));
}

/**
 * A chat line for everyone who can see `eid`: its view group, or everybody without view groups.
 * A server-wide notice per join would cost every client a message per join: O(n²) in a ramp.
 */
export function announceNear({ net }: Game, eid: number, line: MessageData<typeof ChatLine>): void {
  const group = ViewGroup.of[eid]!;
  if (group > 0) net.broadcastToRoom(roomName(group), ChatLine, line);
  else net.broadcast(ChatLine, line);
}

/** True when two entities may see and touch each other. */
export function sameViewGroup(a: number, b: number): boolean {
  return ViewGroup.of[a] === ViewGroup.of[b];
}
