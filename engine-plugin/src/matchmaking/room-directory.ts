/**
 * The seam the matchmaker finds rooms through. The matchmaker (one per node) owns the rooms it
 * created and decides what to do; the directory is where every node's rooms are listed and where
 * seats are taken, atomically, so that two nodes asking at once never put more than `maxClients`
 * in a room nor make two rooms where one would do. {@link embeddedRoomDirectory} is one process;
 * `tickwire/cluster` implements it over Redis (one Lua script per seat, sorted sets per pool).
 *
 * Contract every implementation keeps:
 * - A room's `clients` is its seats taken: reserved seats that have not expired, plus claimed ones.
 *   A reserved seat past its `ttlMs` no longer counts, and is unknown to `claim` (purged lazily by
 *   whatever next touches the room, at the latest).
 * - A room is *open* (found by `reserve`) while it is registered, not locked, and `clients <
 *   maxClients`; it leaves and rejoins the open set on its own as seats are taken and freed.
 * - Among a pool's open rooms, `reserve` takes the fullest (ties: any), so rooms fill up before
 *   new ones are made.
 * - Never read the whole directory to answer one query: `reserve` and `reserveIn` touch one pool's
 *   index and one room; `list` reads at most `limit` rooms.
 */
export interface RoomDirectory {
  /**
   * List a room this node has just created, with `seats` already taken (its creator's, and those
   * of other callers the room was made for; at most `maxClients`), in one atomic step. With
   * `creation`, the listing only happens if that creation attempt was not aborted in the meantime
   * ({@link abortCreation}); false means it was, and the owner must drop the room.
   */
  register(listing: RoomListing, options?: RegisterOptions): Promise<RegisterResult>;
  /**
   * Take a seat in the fullest open room of `pool`; undefined when no open room has space. With
   * `seat.avoid`, rooms listed at that address are passed over for this seat only (they stay
   * open for everyone else): the next fullest is taken, or none.
   */
  reserve(pool: string, seat: SeatRequest): Promise<Reservation | undefined>;
  /** Take a seat in one room, whatever its pool; or why not: gone (`missing`), `locked`, or `full`. */
  reserveIn(roomId: string, seat: SeatRequest): Promise<Reservation | JoinRefusal>;
  /**
   * The owner admits a seat before the WebSocket upgrade: `claimed` turns a reserved seat into a
   * used one (once); `used` when it was claimed already; `unknown` when the room never issued it,
   * it expired, or the room is gone.
   */
  claim(roomId: string, seat: string): Promise<SeatClaim>;
  /** A seat's session ended for good (or a claimed seat never became a session): its place is free. */
  release(roomId: string, seat: string): Promise<void>;
  /** Change what listings show of a room: locked (out of the open set, even with space), metadata, capacity. */
  update(roomId: string, change: RoomChange): Promise<void>;
  /**
   * Remove a room. With `onlyIfEmpty`, atomically and only if it has no seat (reserved or
   * claimed): false when it has one, and stays listed. Its reserved seats become unknown.
   */
  unregister(roomId: string, options?: { readonly onlyIfEmpty?: boolean }): Promise<boolean>;
  /** One room's listing, or undefined when it is not registered. */
  get(roomId: string): Promise<RoomListing | undefined>;
  /** At most `query.limit` rooms of one type (and pool), open ones unless `includeLocked`. */
  list(query: RoomQuery): Promise<readonly RoomListing[]>;
  /**
   * Become the one creator of a room in `pool` for at most `ttlMs`; undefined when another
   * creator holds the pool (then wait with {@link creationSettled} and `reserve` again).
   */
  lockCreation(pool: string, ttlMs: number): Promise<CreationLock | undefined>;
  /** Resolves when the pool's creation lock is released or has expired, or after `timeoutMs`. */
  creationSettled(pool: string, timeoutMs: number): Promise<void>;
  /** Release a creation lock this node holds (idempotent). */
  unlockCreation(lock: CreationLock): Promise<void>;
  /**
   * The creator gave up waiting for the room (its node did not answer in time): mark the attempt
   * aborted so a late `register` with it is refused (no twin rooms). False when the room was
   * registered before the abort: it exists and can be reserved in.
   */
  abortCreation(lock: CreationLock): Promise<boolean>;
  /**
   * The nodes `count` new rooms of `type` should be made on, one per room (the cluster: for each,
   * the less loaded of two picked at random among live nodes, counting the rooms placed before it
   * in the same call as `seats` clients each, so a round's rooms spread rather than all go to the
   * node that was lightest when it started); undefined for "this node". No room is placed on a
   * node whose address is in `avoid` while another node is live (see {@link SeatRequest.avoid}).
   */
  placeRooms(type: string, count: number, seats: number, avoid?: readonly string[]): Promise<ReadonlyArray<string | undefined>>;
  /** Once per tick: this node's totals, for placement. Must not block (a cluster queues it for its tick batch). */
  reportLoad(load: NodeLoad): void;
  /**
   * This node is draining: place no new room on it any more, and unlist every room it registered
   * (their owner keeps running them until they end; they take no new seat). Idempotent.
   */
  drain(): Promise<void>;
  /** Stop: unlist what this node registered (a cluster may leave that to its drain). */
  close(): Promise<void>;
}

/** A value a room type filters on: a request joins only rooms whose values for the type's `filterBy` keys are equal. */
export type FilterValue = string | number | boolean;

/** The creation options of a room, and the filter of a request: plain keys to plain values. */
export type RoomOptions = Readonly<Record<string, FilterValue>>;

/** What a room shows in listings (set by its owner): JSON values. */
export type RoomMetadata = Readonly<Record<string, string | number | boolean | null>>;

/** A room as every node sees it in the directory. */
export interface RoomListing {
  readonly roomId: string;
  readonly type: string;
  /**
   * The type and its `filterBy` values in one string: rooms of one pool are interchangeable for
   * `joinOrCreate`, so each pool has its own index of open rooms (a lookup never filters).
   */
  readonly pool: string;
  /** The node that owns (runs) it. */
  readonly node: string;
  /** Where its clients connect: the owner's public WebSocket URL (or a path on the host asked). */
  readonly address: string;
  /** Seats taken: reserved (not expired) and claimed. */
  readonly clients: number;
  readonly maxClients: number;
  /** Locked by its owner: not found by `joinOrCreate` nor joined by id, even with space. */
  readonly locked: boolean;
  /** The values of its type's `filterBy` keys it was created with. */
  readonly filter: RoomOptions;
  readonly metadata: RoomMetadata;
  /** When it was created, ms since the epoch. */
  readonly createdAt: number;
}

/** A seat to take: its id (made by the matchmaker, unguessable) and how long it stays reserved unused. */
export interface SeatRequest {
  readonly seat: string;
  readonly ttlMs: number;
  /**
   * A node address (a listing's `address`, as the client dialed it) the seat must not go to: the
   * client that asks could not reach it, and its node may have died while its rooms are still
   * listed (until its lease runs out). It steers this one seat only — nothing is written about
   * that node, so a client that names a healthy node only moves itself elsewhere. An address no
   * room is listed at changes nothing.
   */
  readonly avoid?: string;
}

/** A seat taken in a room: the credential a client connects to the room's owner with. */
export interface Reservation {
  /** The room as it is with this seat taken. */
  readonly listing: RoomListing;
  readonly seat: string;
  /** After this (ms since the epoch), an unused seat is no longer valid. */
  readonly expiresAt: number;
}

/** Why a seat in one named room could not be had. */
export type JoinRefusal = 'missing' | 'locked' | 'full';

/** What the owner learns when it checks a seat before the upgrade. */
export type SeatClaim = 'claimed' | 'used' | 'unknown';

/** What `register` did: the room is listed with the seats asked for (one reservation each, in order), or its creation was aborted. */
export type RegisterResult = { readonly registered: true; readonly reservations: readonly Reservation[] } | { readonly registered: false };

/** Options of {@link RoomDirectory.register}. */
export interface RegisterOptions {
  /** Take these seats in the new room as it is listed (at most its `maxClients`). Default none. */
  readonly seats?: readonly SeatRequest[];
  /** The creation attempt this room answers; refused if it was aborted. */
  readonly creation?: CreationLock;
}

/** A change to a room's listing; absent fields stay as they are. */
export interface RoomChange {
  readonly locked?: boolean;
  readonly metadata?: RoomMetadata;
  readonly maxClients?: number;
}

/** Which rooms `list` returns. */
export interface RoomQuery {
  readonly type: string;
  /** Only this pool (a type and filter values); default every pool of the type. */
  readonly pool?: string;
  /** Also locked and full rooms. Default false: only rooms `joinOrCreate` could join. */
  readonly includeLocked?: boolean;
  /** At most this many (the directory may hold far more). */
  readonly limit: number;
}

/**
 * The right to create rooms in a pool, for a while. One lock may make several rooms at once (one
 * per `maxClients` callers waiting): each is an attempt of its own, told apart by `attempt`, and
 * registered or aborted on its own — never both.
 */
export interface CreationLock {
  readonly pool: string;
  /** Unique per lock: what `abortCreation`, `unlockCreation` and a late `register` are matched by. */
  readonly token: string;
  /** Which of the lock's rooms this is (default 0). */
  readonly attempt?: number;
}

/** What a node reports about itself once per tick, for placing new rooms. */
export interface NodeLoad {
  readonly rooms: number;
  readonly clients: number;
}
