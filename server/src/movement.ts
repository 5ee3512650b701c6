import { ARENA, Move, PLAYER_RADIUS, Player, Position, applyMove } from '@tickwire/demo-shared';
import { hasComponent } from 'bitecs';
import type { Game } from './game';

/**
 * Apply this tick's Move inputs, one shared step per input, in the order they were sent: the
 * client predicts with the same steps, so its player lands where the server puts it. Each input
 * moves only the entities its sender owns (the ownership record, never an id from the client),
 * and it carries a direction, never a position. tickwire hands game code at most
 * `maxInputsPerTick` inputs per connection per tick and queues the rest (closing the connection
 * with 4005 when the queue overflows), so a client sending faster than `INPUT_RATE` is held back.
 */
export function applyMoves({ world, net }: Game): void {
  for (const { eid, data } of net.ownedInputs(Move)) {
    if (!hasComponent(world, eid, Player)) continue;
    applyMove(eid, data);
    net.markChanged(eid, Position);
  }
}

/** A random spot at least a player's radius away from the walls. */
export function randomSpot(random: () => number, margin = PLAYER_RADIUS * 2): { x: number; y: number } {
  return {
    x: margin + random() * (ARENA.width - 2 * margin),
    y: margin + random() * (ARENA.height - 2 * margin),
  };
}
