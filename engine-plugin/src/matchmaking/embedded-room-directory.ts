import { type Clock, type TimerHandle, systemClock } from '../transport/clock.js';
import type {
  CreationLock,
  JoinRefusal,
  RegisterOptions,
  RegisterResult,
  Reservation,
  RoomChange,
  RoomDirectory,
  RoomListing,
  RoomQuery,
  SeatClaim,
  SeatRequest,
} from './room-directory.js';

interface HeldSeat {
  claimed: boolean;
  readonly expiresAt: number;
  timer: TimerHandle | undefined;
}

interface DirectoryRoom {
  listing: RoomListing;
  readonly seats: Map<string, HeldSeat>;
}

interface PoolCreation {
  readonly token: string;
  readonly settled: Promise<void>;
  readonly settle: () => void;
  readonly timer: TimerHandle;
  /** Per attempt of the lock: registered, or aborted (`abortCreation` answers from it); absent while pending. */
  readonly outcomes: Map<number, 'registered' | 'aborted'>;
}

/** Options of {@link embeddedRoomDirectory}. */
export interface EmbeddedRoomDirectoryOptions {
  /** Seat expiry and creation-lock timeouts; `wallTime` dates listings and seats. Default the system clock. */
  readonly clock?: Clock;
}

/**
 * The room directory of one process: every room and seat in memory, every operation atomic
 * because it runs to completion on the event loop. The default of `createServer`'s matchmaker,
 * and what a test or a single-node game needs; `tickwire/cluster` has the one shared over Redis.
 * Open rooms are indexed per pool by seats taken, so `reserve` looks at one bucket per distinct
 * count (at most `maxClients`), never at every room.
 */
export function embeddedRoomDirectory(options: EmbeddedRoomDirectoryOptions = {}): RoomDirectory {
  return new EmbeddedRoomDirectory(options.clock ?? systemClock);
}

class EmbeddedRoomDirectory implements RoomDirectory {
  private readonly rooms = new Map<string, DirectoryRoom>();
  /** Open rooms per pool, bucketed by seats taken. */
  private readonly open = new Map<string, Map<number, Set<string>>>();
  private readonly creations = new Map<string, PoolCreation>();
  private nextToken = 1;

  constructor(private readonly clock: Clock) {}

  async register(listing: RoomListing, options: RegisterOptions = {}): Promise<RegisterResult> {
    if (options.creation && !this.holds(options.creation)) return { registered: false };
    if (this.rooms.has(listing.roomId)) throw new TypeError(`room ${listing.roomId} is already registered`);
    const seats = options.seats ?? [];
    if (seats.length > listing.maxClients) throw new TypeError(`room ${listing.roomId} cannot be listed with ${seats.length} seats: its maxClients is ${listing.maxClients}`);
    const room: DirectoryRoom = { listing: { ...listing, clients: 0 }, seats: new Map() };
    this.rooms.set(listing.roomId, room);
    if (options.creation) this.creations.get(options.creation.pool)?.outcomes.set(options.creation.attempt ?? 0, 'registered');
    for (const seat of seats) this.take(room, seat);
    this.reindex(room, undefined);
    // Every reservation shows the room as listed, all its seats taken.
    return { registered: true, reservations: seats.map((seat) => ({ listing: room.listing, seat: seat.seat, expiresAt: room.seats.get(seat.seat)!.expiresAt })) };
  }

  async reserve(pool: string, seat: SeatRequest): Promise<Reservation | undefined> {
    const buckets = this.open.get(pool);
    if (!buckets) return undefined;
    if (seat.avoid !== undefined) return this.reserveAvoiding(buckets, seat, seat.avoid);
    let fullest = -1;
    for (const taken of buckets.keys()) if (taken > fullest) fullest = taken;
    const roomId = buckets.get(fullest)?.values().next().value;
    return roomId === undefined ? undefined : this.takeIn(this.rooms.get(roomId)!, seat);
  }

  /** The rare path (a client that could not reach a node): the fullest open room not listed at `avoid`. */
  private reserveAvoiding(buckets: Map<number, Set<string>>, seat: SeatRequest, avoid: string): Reservation | undefined {
    for (const taken of [...buckets.keys()].sort((a, b) => b - a)) {
      for (const roomId of buckets.get(taken)!) {
        const room = this.rooms.get(roomId)!;
        if (room.listing.address !== avoid) return this.takeIn(room, seat);
      }
    }
    return undefined;
  }

  async reserveIn(roomId: string, seat: SeatRequest): Promise<Reservation | JoinRefusal> {
    const room = this.rooms.get(roomId);
    if (!room) return 'missing';
    if (room.listing.locked) return 'locked';
    if (room.listing.clients >= room.listing.maxClients) return 'full';
    return this.takeIn(room, seat);
  }

  async claim(roomId: string, seat: string): Promise<SeatClaim> {
    const held = this.rooms.get(roomId)?.seats.get(seat);
    if (!held) return 'unknown';
    if (held.claimed) return 'used';
    held.claimed = true;
    if (held.timer) this.clock.clearTimeout(held.timer);
    held.timer = undefined;
    return 'claimed';
  }

  async release(roomId: string, seat: string): Promise<void> {
    const room = this.rooms.get(roomId);
    if (room) this.drop(room, seat);
  }

  async update(roomId: string, change: RoomChange): Promise<void> {
    const room = this.rooms.get(roomId);
    if (!room) return;
    const before = this.openKey(room);
    room.listing = { ...room.listing, ...definedFields(change) };
    this.reindex(room, before);
  }

  async unregister(roomId: string, options: { readonly onlyIfEmpty?: boolean } = {}): Promise<boolean> {
    const room = this.rooms.get(roomId);
    if (!room) return true;
    if (options.onlyIfEmpty && room.seats.size > 0) return false;
    this.unindex(room, this.openKey(room));
    for (const held of room.seats.values()) if (held.timer) this.clock.clearTimeout(held.timer);
    room.seats.clear();
    this.rooms.delete(roomId);
    return true;
  }

  async get(roomId: string): Promise<RoomListing | undefined> {
    return this.rooms.get(roomId)?.listing;
  }

  async list(query: RoomQuery): Promise<readonly RoomListing[]> {
    const out: RoomListing[] = [];
    if (query.limit <= 0) return out;
    if (!query.includeLocked) {
      for (const [pool, buckets] of this.open) {
        if (query.pool !== undefined ? pool !== query.pool : this.rooms.get(firstOf(buckets) ?? '')?.listing.type !== query.type) continue;
        for (const ids of buckets.values())
          for (const id of ids) {
            out.push(this.rooms.get(id)!.listing);
            if (out.length >= query.limit) return out;
          }
      }
      return out;
    }
    for (const { listing } of this.rooms.values()) {
      if (listing.type !== query.type || (query.pool !== undefined && listing.pool !== query.pool)) continue;
      out.push(listing);
      if (out.length >= query.limit) break;
    }
    return out;
  }

  async lockCreation(pool: string, ttlMs: number): Promise<CreationLock | undefined> {
    if (this.creations.has(pool)) return undefined;
    const token = `c${this.nextToken++}`;
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const timer = this.clock.setTimeout(() => this.unlockCreation({ pool, token }), ttlMs);
    this.creations.set(pool, { token, settled, settle, timer, outcomes: new Map() });
    return { pool, token };
  }

  creationSettled(pool: string, timeoutMs: number): Promise<void> {
    const creation = this.creations.get(pool);
    if (!creation) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(resolve, timeoutMs);
      creation.settled.then(() => {
        this.clock.clearTimeout(timer);
        resolve();
      });
    });
  }

  async unlockCreation(lock: CreationLock): Promise<void> {
    const creation = this.creations.get(lock.pool);
    if (!creation || creation.token !== lock.token) return;
    this.creations.delete(lock.pool);
    this.clock.clearTimeout(creation.timer);
    creation.settle();
  }

  async abortCreation(lock: CreationLock): Promise<boolean> {
    const creation = this.creations.get(lock.pool);
    if (!creation || creation.token !== lock.token) return true;
    const attempt = lock.attempt ?? 0;
    if (creation.outcomes.get(attempt) === 'registered') return false;
    creation.outcomes.set(attempt, 'aborted');
    return true;
  }

  /** One process: every room is made here, whatever `avoid` names (there is no other node). */
  async placeRooms(_type: string, count: number): Promise<ReadonlyArray<string | undefined>> {
    return new Array<undefined>(count).fill(undefined);
  }

  reportLoad(): void {}

  async drain(): Promise<void> {
    // One process: its rooms are all this directory lists, and there is no other node to place on.
    for (const roomId of [...this.rooms.keys()]) await this.unregister(roomId);
  }

  async close(): Promise<void> {
    for (const roomId of [...this.rooms.keys()]) await this.unregister(roomId);
    for (const creation of this.creations.values()) {
      this.clock.clearTimeout(creation.timer);
      creation.settle();
    }
    this.creations.clear();
  }

  private holds(lock: CreationLock): boolean {
    const creation = this.creations.get(lock.pool);
    return creation !== undefined && creation.token === lock.token && creation.outcomes.get(lock.attempt ?? 0) !== 'aborted';
  }

  private takeIn(room: DirectoryRoom, seat: SeatRequest): Reservation {
    const before = this.openKey(room);
    const reservation = this.take(room, seat);
    this.reindex(room, before);
    return reservation;
  }

  private take(room: DirectoryRoom, { seat, ttlMs }: SeatRequest): Reservation {
    if (room.seats.has(seat)) throw new TypeError(`seat ${seat} is already taken`);
    const expiresAt = this.clock.wallTime() + ttlMs;
    const roomId = room.listing.roomId;
    const timer = this.clock.setTimeout(() => {
      const current = this.rooms.get(roomId);
      if (current?.seats.get(seat)?.claimed === false) this.drop(current, seat);
    }, ttlMs);
    room.seats.set(seat, { claimed: false, expiresAt, timer });
    room.listing = { ...room.listing, clients: room.seats.size };
    return { listing: room.listing, seat, expiresAt };
  }

  private drop(room: DirectoryRoom, seat: string): void {
    const held = room.seats.get(seat);
    if (!held) return;
    if (held.timer) this.clock.clearTimeout(held.timer);
    const before = this.openKey(room);
    room.seats.delete(seat);
    room.listing = { ...room.listing, clients: room.seats.size };
    this.reindex(room, before);
  }

  /** The bucket a room sits in among its pool's open rooms, or undefined when it is not open. */
  private openKey(room: DirectoryRoom): number | undefined {
    const { locked, clients, maxClients } = room.listing;
    return locked || clients >= maxClients ? undefined : clients;
  }

  private reindex(room: DirectoryRoom, before: number | undefined): void {
    const after = this.openKey(room);
    this.unindex(room, before);
    if (after === undefined) return;
    let buckets = this.open.get(room.listing.pool);
    if (!buckets) {
      buckets = new Map();
      this.open.set(room.listing.pool, buckets);
    }
    let ids = buckets.get(after);
    if (!ids) {
      ids = new Set();
      buckets.set(after, ids);
    }
    ids.add(room.listing.roomId);
  }

  private unindex(room: DirectoryRoom, key: number | undefined): void {
    if (key === undefined) return;
    const buckets = this.open.get(room.listing.pool);
    const ids = buckets?.get(key);
    if (!ids?.delete(room.listing.roomId)) return;
    if (ids.size === 0) buckets!.delete(key);
    if (buckets!.size === 0) this.open.delete(room.listing.pool);
  }
}

function firstOf(buckets: Map<number, Set<string>>): string | undefined {
  for (const ids of buckets.values()) for (const id of ids) return id;
  return undefined;
}

function definedFields(change: RoomChange): RoomChange {
  const out: { -readonly [K in keyof RoomChange]: RoomChange[K] } = {};
  if (change.locked !== undefined) out.locked = change.locked;
  if (change.metadata !== undefined) out.metadata = change.metadata;
  if (change.maxClients !== undefined) out.maxClients = change.maxClients;
  return out;
}
