/**
 * Which connection owns which entity, indexed both ways: inputs are applied per owned entity every
 * tick, so `owned(connection)` must not scan every entity in the world.
 */
export class Ownership {
  private readonly ownerOf = new Map<number, number>();
  private readonly entitiesOf = new Map<number, Set<number>>();

  /** Set (or with undefined clear) the owner of `eid`. */
  set(eid: number, connectionId: number | undefined): void {
    const previous = this.ownerOf.get(eid);
    if (previous === connectionId) return;
    if (previous !== undefined) this.release(eid, previous);
    if (connectionId !== undefined) {
      this.ownerOf.set(eid, connectionId);
      let set = this.entitiesOf.get(connectionId);
      if (!set) {
        set = new Set();
        this.entitiesOf.set(connectionId, set);
      }
      set.add(eid);
    }
  }

  private release(eid: number, connectionId: number): void {
    this.ownerOf.delete(eid);
    const set = this.entitiesOf.get(connectionId);
    set?.delete(eid);
    if (set?.size === 0) this.entitiesOf.delete(connectionId);
  }

  /** The owning connection id of `eid`. */
  owner(eid: number): number | undefined {
    return this.ownerOf.get(eid);
  }

  /** Entities a connection owns (live view; copy before removing entities while iterating). */
  entities(connectionId: number): ReadonlySet<number> {
    return this.entitiesOf.get(connectionId) ?? EMPTY;
  }

  /** The entity is gone: forget its owner. */
  forget(eid: number): void {
    const owner = this.ownerOf.get(eid);
    if (owner !== undefined) this.release(eid, owner);
  }

  /** The connection is gone for good: it owns nothing any more. */
  releaseAll(connectionId: number): void {
    const set = this.entitiesOf.get(connectionId);
    if (!set) return;
    for (const eid of set) this.ownerOf.delete(eid);
    this.entitiesOf.delete(connectionId);
  }
}

const EMPTY: ReadonlySet<number> = new Set();
