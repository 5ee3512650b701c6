import type { EntitySet, IdList } from './entity-set.js';
import type { Rooms } from './rooms.js';
import type { SpatialGrid } from './spatial-grid.js';
import type { View } from './view.js';

/** A game-supplied last word on visibility: return false to hide `eid` from `clientId`. */
export type InterestFilter = (clientId: number, eid: number) => boolean;

/** The positions spatial interest reads: the declared component's x and y stores. */
export interface SpatialSource {
  readonly grid: SpatialGrid;
  readonly xs: ArrayLike<number>;
  readonly ys: ArrayLike<number>;
  /** Alive entities without the position component: spatial interest does not narrow them. */
  readonly unplaced: EntitySet;
}

/**
 * Decides which entities a view sees. Composition, from broad to narrow:
 *
 * 1. Rooms scope: an entity in no room is global; an entity in rooms is seen by clients in any
 *    of them (a client sees the union of its rooms plus the global entities).
 * 2. Spatial interest narrows: with a focus, only entities within the radius of the focus
 *    entity's position survive; entities without the position component are not narrowed
 *    (they have no place, e.g. a scoreboard). A focus that is gone sees no placed entity.
 * 3. The custom filter has the final say on what survived 1 and 2.
 */
export class Interest {
  private readonly scratch: { list: IdList };
  filter: InterestFilter | undefined = undefined;

  constructor(
    private readonly alive: EntitySet,
    private readonly rooms: Rooms,
    private readonly spatial: SpatialSource | undefined,
    scratch: IdList,
  ) {
    this.scratch = { list: scratch };
  }

  /** Whether visibility must be recomputed every tick (positions and filters change without structural events). */
  isDynamic(view: View): boolean {
    return view.spec.focus !== undefined || (this.filter !== undefined && view.spec.owner !== undefined);
  }

  /** Fill `out` with the distinct entities `view` sees, marking each `mark[eid] = stamp`. */
  collect(view: View, out: IdList, mark: Uint32Array, stamp: number): void {
    out.length = 0;
    const { rooms: names, focus, radius, owner } = view.spec;
    const filter = owner === undefined ? undefined : this.filter;
    const roomCount = this.rooms.roomCount;
    const accept = (e: number): void => {
      if (mark[e] === stamp) return;
      if (roomCount[e] !== 0 && !this.inAnyRoom(names, e)) return;
      if (filter && !filter(owner!, e)) return;
      mark[e] = stamp;
      out.push(e);
    };
    if (focus !== undefined && this.spatial) {
      const { grid, xs, ys, unplaced } = this.spatial;
      if (this.alive.has(focus) && grid.has(focus)) {
        const near = this.scratch.list;
        near.length = 0;
        grid.query(xs[focus]!, ys[focus]!, radius, xs, ys, near);
        for (let i = 0; i < near.length; i++) accept(near.items[i]!);
      }
      for (let i = 0; i < unplaced.size; i++) accept(unplaced.dense[i]!);
      return;
    }
    const dense = this.alive.dense;
    for (let i = 0; i < this.alive.size; i++) {
      const e = dense[i]!;
      if (roomCount[e] === 0) accept(e);
    }
    for (const name of names) {
      for (const e of this.rooms.entitiesOf(name)) if (this.alive.has(e)) accept(e);
    }
  }

  /**
   * Whether a static view (no focus, no filter) sees `eid`: the per-entity form of
   * {@link collect}, so structural changes re-check only the entities they touched.
   */
  sees(view: View, eid: number): boolean {
    if (!this.alive.has(eid)) return false;
    return this.rooms.roomCount[eid] === 0 || this.inAnyRoom(view.spec.rooms, eid);
  }

  private inAnyRoom(names: readonly string[], eid: number): boolean {
    for (const name of names) if (this.rooms.hasEntity(name, eid)) return true;
    return false;
  }
}
