import type { Connection } from '../connection/connection.js';
import type { RoomChange, RoomMetadata, RoomOptions } from './room-directory.js';

/** What a room tells the matchmaker that owns it. */
export interface RoomOwner {
  changed(room: Room, change: RoomChange): void;
  dispose(room: Room): void;
}

/**
 * A matchmade room on the node that runs it. Its id is also the name of the tickwire interest
 * room its clients are put in when their seat is admitted: `net.addToRoom(eid, room.id)` scopes
 * an entity to it, `net.broadcast(room.id, …)` reaches its clients. One concept, not two.
 */
export class Room {
  /** Sessions (active or held for a resume) that came in through a seat of this room. */
  readonly connections = new Set<Connection>();
  private isLocked = false;
  private currentMetadata: RoomMetadata;
  private isDisposed = false;

  constructor(
    /** Unique across the directory; also its interest room's name. */
    readonly id: string,
    /** Its room type's name. */
    readonly type: string,
    /** Everything it was created with (its type's `filterBy` keys among them). */
    readonly options: RoomOptions,
    /** The values of its type's `filterBy` keys: what `joinOrCreate` matches on. */
    readonly filter: RoomOptions,
    /** Its type and filter values: rooms of one pool are interchangeable for `joinOrCreate`. */
    readonly pool: string,
    /** Most clients it holds. */
    readonly maxClients: number,
    metadata: RoomMetadata,
    /** When it was created, ms since the epoch. */
    readonly createdAt: number,
    private readonly owner: RoomOwner,
  ) {
    this.currentMetadata = metadata;
  }

  /** Locked: `joinOrCreate` passes it by and `join(id)` is refused (409), seats already handed out stay valid. */
  get locked(): boolean {
    return this.isLocked;
  }

  /** What listings show of it. */
  get metadata(): RoomMetadata {
    return this.currentMetadata;
  }

  /** True once disposed: it is unlisted and its seats are unknown. */
  get disposed(): boolean {
    return this.isDisposed;
  }

  /** Stop new clients from being matched into it (a match that started). Idempotent. */
  lock(): void {
    if (this.isLocked || this.isDisposed) return;
    this.isLocked = true;
    this.owner.changed(this, { locked: true });
  }

  /** Let new clients in again. Idempotent. */
  unlock(): void {
    if (!this.isLocked || this.isDisposed) return;
    this.isLocked = false;
    this.owner.changed(this, { locked: false });
  }

  /** Replace what listings show of it (a map, a score, a phase): JSON values. */
  setMetadata(metadata: RoomMetadata): void {
    if (this.isDisposed) return;
    this.currentMetadata = Object.freeze({ ...metadata });
    this.owner.changed(this, { metadata: this.currentMetadata });
  }

  /**
   * End it now: unlisted, its unused seats become unknown, its clients leave its interest room
   * (they stay connected; kick them first if the game ends for them). Idempotent.
   */
  dispose(): void {
    if (this.isDisposed) return;
    this.owner.dispose(this);
  }

  /** Called by the owner only. */
  markDisposed(): void {
    this.isDisposed = true;
  }
}
