import { Position } from '@tickwire/demo-shared';

/**
 * Where the renderer draws an entity. Every read of a position for display goes through one of
 * these, so interpolation or prediction can be switched in by handing the renderer another source
 * without touching any drawing code.
 */
export interface DisplayPositions {
  x(eid: number): number;
  y(eid: number): number;
}

/** The latest replicated server state, as received: no smoothing. */
export const replicatedPositions: DisplayPositions = {
  x: (eid) => Position.x[eid]!,
  y: (eid) => Position.y[eid]!,
};
