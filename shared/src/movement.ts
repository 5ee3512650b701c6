import { Position } from './components';
import type { MoveDirection } from './rules';
import { INPUT_RATE, movePoint } from './rules';

/**
 * The Move input's step, shared by both sides: the server runs it once for each Move it takes
 * from the player's owner, the client runs it to predict its own player and again to replay the
 * inputs the server has not processed yet. It reads and writes only the entity's Position and
 * depends only on the input, so replaying the same inputs from the same state lands on the same
 * spot on both sides.
 */
export function applyMove(eid: number, input: MoveDirection): void {
  const next = movePoint(Position.x[eid]!, Position.y[eid]!, input, 1 / INPUT_RATE);
  Position.x[eid] = next.x;
  Position.y[eid] = next.y;
}
