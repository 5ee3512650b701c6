import { ARENA, Move, PLAYER_RADIUS, Player, Position, applyMove } from '@tickwire/demo-shared';
import { hasComponent, query } from 'bitecs';
import { ENTITY_CAPACITY, type Game } from './game';

/**
 * The direction each player last asked to move in. Server-only (not in the protocol): clients
 * see the resulting Position, never each other's keys.
 */
export const MoveIntent = {
  x: new Int8Array(ENTITY_CAPACITY),
  y: new Int8Array(ENTITY_CAPACITY),
};

/**
 * Take this tick's Move inputs. An input only ever steers the entities its sender owns, so a
 * client cannot move anyone else, and it carries a direction, never a position.
 */
export function readMoves({ world, net }: Game): void {
  for (const { source, data } of net.messages(Move)) {
    for (const eid of net.owned(source)) {
      if (!hasComponent(world, eid, MoveIntent)) continue;
      MoveIntent.x[eid] = data.x;
      MoveIntent.y[eid] = data.y;
    }
  }
}

/** Advance every player by the direction they hold, with the shared movement rule. */
export function movePlayers({ world }: Game, dt: number): void {
  for (const eid of query(world, [Player, Position, MoveIntent])) {
    const next = applyMove(Position.x[eid]!, Position.y[eid]!, { x: MoveIntent.x[eid]!, y: MoveIntent.y[eid]! }, dt);
    Position.x[eid] = next.x;
    Position.y[eid] = next.y;
  }
}

/** Stop an entity (its owner dropped and may come back). */
export function stopMoving(eid: number): void {
  MoveIntent.x[eid] = 0;
  MoveIntent.y[eid] = 0;
}

/** A random spot at least a player's radius away from the walls. */
export function randomSpot(random: () => number, margin = PLAYER_RADIUS * 2): { x: number; y: number } {
  return {
    x: margin + random() * (ARENA.width - 2 * margin),
    y: margin + random() * (ARENA.height - 2 * margin),
  };
}
