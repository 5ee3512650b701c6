const EMPTY: ReadonlySet<number> = new Set<number>();

interface Room {
  readonly clients: Set<number>;
  readonly entities: Set<number>;
}

/**
 * Named groups of clients and entities. A client sees the entities of every room it is in;
 * an entity in no room is global. Rooms exist while they hold anything and vanish when empty,
 * so a stream of one-off room names cannot grow memory.
 */
export class Rooms {
  private readonly rooms = new Map<string, Room>();
  private readonly entityRooms = new Map<number, Set<string>>();
  /** Per entity: how many rooms it is in (0 = global). A typed array so the per-tick scan avoids a Map lookup. */
  readonly roomCount: Uint32Array;

  constructor(capacity: number) {
    this.roomCount = new Uint32Array(capacity);
  }

  private room(name: string): Room {
    let room = this.rooms.get(name);
    if (!room) {
      room = { clients: new Set(), entities: new Set() };
      this.rooms.set(name, room);
    }
    return room;
  }

  private dropIfEmpty(name: string, room: Room): void {
    if (room.clients.size === 0 && room.entities.size === 0) this.rooms.delete(name);
  }

  joinClient(clientId: number, name: string): void {
    this.room(name).clients.add(clientId);
  }

  leaveClient(clientId: number, name: string): void {
    const room = this.rooms.get(name);
    if (!room) return;
    room.clients.delete(clientId);
    this.dropIfEmpty(name, room);
  }

  /** Client ids in the room (a live view; do not mutate). */
  clientsOf(name: string): ReadonlySet<number> {
    return this.rooms.get(name)?.clients ?? EMPTY;
  }

  /** Entity ids in the room (a live view; do not mutate). */
  entitiesOf(name: string): ReadonlySet<number> {
    return this.rooms.get(name)?.entities ?? EMPTY;
  }

  hasEntity(name: string, eid: number): boolean {
    return this.rooms.get(name)?.entities.has(eid) ?? false;
  }

  /** True when anything about the entity's rooms changed. */
  addEntity(eid: number, name: string): boolean {
    const room = this.room(name);
    if (room.entities.has(eid)) return false;
    room.entities.add(eid);
    let names = this.entityRooms.get(eid);
    if (!names) {
      names = new Set();
      this.entityRooms.set(eid, names);
    }
    names.add(name);
    this.roomCount[eid]!++;
    return true;
  }

  /** True when anything about the entity's rooms changed. */
  removeEntity(eid: number, name: string): boolean {
    const room = this.rooms.get(name);
    if (!room?.entities.delete(eid)) return false;
    this.dropIfEmpty(name, room);
    const names = this.entityRooms.get(eid)!;
    names.delete(name);
    if (names.size === 0) this.entityRooms.delete(eid);
    this.roomCount[eid]!--;
    return true;
  }

  /** Forget every room of an entity (it was despawned; a recycled id must not inherit them). */
  removeEntityEverywhere(eid: number): boolean {
    const names = this.entityRooms.get(eid);
    if (!names) return false;
    for (const name of [...names]) this.removeEntity(eid, name);
    return true;
  }
}
