import { AdmissionRefused } from '../connection/admission-refused.js';
import type { Connection } from '../connection/connection.js';
import type { ConnectionEvent } from '../connection/connection-events.js';
import type { Logger } from '../connection/logger.js';
import type { ServerConnection } from '../connection/server-connection.js';
import { CloseCode } from '../protocol/close-codes.js';
import type { ConnectionRequest } from '../transport/transport.js';
import { type Clock, type TimerHandle, systemClock } from '../transport/clock.js';
import { MAX_CLOSE_REASON_BYTES } from '../transport/close-reason.js';
import { BusUnavailable, type MessagingBus } from '../messaging/bus.js';
import { embeddedRoomDirectory } from './embedded-room-directory.js';
import { MatchmakingError } from './matchmaking-error.js';
import { Room, type RoomOwner } from './room.js';
import type { CreationLock, Reservation, RoomChange, RoomDirectory, RoomListing, RoomOptions } from './room-directory.js';
import type { RoomEvent } from './room-events.js';
import { type RoomType, type RoomTypeOptions, checkRoomOptions, filterOf, poolOf, resolveRoomType } from './room-type.js';
import { formatSeat, parseSeat, randomId, requestSeat } from './seat.js';

/** Options of the matchmaker `createServer` makes (`ServerOptions.matchmaking`). */
export interface MatchmakingOptions {
  /** Where rooms are listed and seats taken. Default {@link embeddedRoomDirectory}: this process only. */
  readonly directory?: RoomDirectory;
  /**
   * The URL clients of this node's rooms connect to (`ws://host:port/ws`), handed out with every
   * seat. A path (`/ws`) means "the host the client asked": a matchmaking endpoint resolves it
   * against the request. Default `/`.
   */
  readonly address?: string;
  /** How long a reserved seat waits for its client, ms (a room type may set its own). Default 15,000. */
  readonly seatTtlMs?: number;
  /** Refuse an upgrade without a seat with HTTP 401: every client must come through matchmaking. Default false. */
  readonly requireSeat?: boolean;
  /** How long a room's creation on another node may take before it is aborted, ms. Default 2,000. */
  readonly creationTimeoutMs?: number;
}

/** A seat in a room: connect to `address` with it (`seatUrl` builds the URL) before `expiresAt`. */
export interface SeatReservation {
  /** The room owner's WebSocket URL (or a path on the host asked, see `MatchmakingOptions.address`). */
  readonly address: string;
  /** The credential: `?seat=<seat>` on the upgrade request. Good for one session. */
  readonly seat: string;
  /** The room as listed with this seat taken. */
  readonly room: RoomListing;
  /** After this (ms since the epoch) an unused seat is refused with 401. */
  readonly expiresAt: number;
}

/** What a client reported along with its request (see {@link Matchmaker.joinOrCreate}). */
export interface SeatingHints {
  /**
   * A node address the client dialed and got no answer from (`MatchmakeAttempt.unreachable`): the
   * seat goes to no room listed at it, and a room made for it goes on no node whose lease names it
   * while another node is live. It steers this caller's seat only — nothing about that node is
   * written or believed — so a client naming a healthy node just moves itself; what it can cause
   * at most is a new room, which `create` allows anyway. Ignored when empty or longer than an
   * address can be (123 bytes: a redirect's close reason carries it).
   */
  readonly avoid?: string;
}

/** Which rooms {@link Matchmaker.listRooms} returns. */
export interface ListRoomsOptions {
  /** Only rooms of this pool: the type's `filterBy` values (a missing key: rooms made without it). */
  readonly filter?: RoomOptions;
  /** Also locked and full rooms. Default false. */
  readonly includeLocked?: boolean;
  /** At most this many. Default 100. */
  readonly limit?: number;
}

/** What the matchmaker needs from the server it serves. */
export interface MatchmakerContext {
  /** Messaging's bus: a room is created on another node through a request to it. */
  readonly bus: MessagingBus;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** How long a socket may take from the upgrade to its session (the handshake timeout), ms. */
  readonly handshakeTimeoutMs: number;
  /** Close a connection (a fresh session that came with a seat another session holds). */
  disconnect(connection: Connection, code: number, reason: string): void;
}

/** The bus method a node serves to create a room another node's matchmaker placed on it. */
export const CREATE_ROOM_METHOD = 'tickwire.matchmaking.create';

/** A `joinOrCreate` waits for other creators at most this many creation timeouts before giving up (503). */
const JOIN_TIMEOUT_FACTOR = 5;

/** Rooms one creation round makes at most; callers past them wait for the next round. */
const ROOMS_PER_ROUND = 64;

/** Seats one room is made with at most (the rest of its callers reserve in it once it is listed). */
const SEATS_PER_CREATION = 256;

/**
 * While another node holds a pool's creation lock, the first this many rounds follow each other
 * 1 ms apart (a creation takes a few round trips); after them, {@link SLOW_RETRY_MS} apart (a
 * holder that died keeps its lock until the lock's ttl).
 */
const FAST_RETRIES = 64;
const SLOW_RETRY_MS = 20;

/** A seat the owner admitted: waiting for its session, then held by it. */
interface AdmittedSeat {
  readonly room: Room;
  readonly secret: string;
  connection: ServerConnection | undefined;
  /** Until its session arrives: the seat is freed if none does within the handshake timeout. */
  timer: TimerHandle | undefined;
}

interface CreateRequest {
  readonly type: string;
  readonly options: RoomOptions;
  /** Chosen by the asker, so it can find the room if the answer is lost after the room was listed. */
  readonly roomId: string;
  /** The seats the room is listed with, one per caller it is made for. */
  readonly secrets: readonly string[];
  readonly creation?: CreationLock;
}

/** A `joinOrCreate` that found no seat, waiting for a room made for it. */
interface CreationWaiter {
  readonly options: RoomOptions;
  /** The address its client could not reach ({@link SeatingHints.avoid}). */
  readonly avoid: string | undefined;
  /** `clock.now()` past which it stops waiting for another node's creator (its `joinOrCreate` gives up). */
  readonly deadline: number;
  /** Its seat, or undefined: look again (the room it was to get was not made). */
  readonly resolve: (seat: SeatReservation | undefined) => void;
  readonly reject: (error: unknown) => void;
}

/** The callers of one pool on this node waiting for rooms, and whether a creation round runs for them. */
interface PoolDemand {
  readonly roomType: RoomType;
  readonly waiting: CreationWaiter[];
  running: boolean;
}

/**
 * Finds and makes rooms, hands out seats, and admits them. `joinOrCreate`, `join` and `create`
 * may be called from anywhere in the process (a game system, an HTTP endpoint); they go through
 * the {@link RoomDirectory}, so with a shared one they see every node's rooms. Rooms this node
 * created are {@link Room}s here; its seats are checked before the upgrade (401 unknown or
 * expired, 409 already used) and their sessions join the room's interest room.
 */
export class Matchmaker implements RoomOwner {
  /** Where rooms are listed and seats taken. */
  readonly directory: RoomDirectory;
  private readonly types = new Map<string, RoomType>();
  private readonly local = new Map<string, Room>();
  private readonly admitted = new Map<string, AdmittedSeat>();
  private readonly seatOf = new Map<Connection, string>();
  /** Per room, the seats admitted here (on their way, or held by a session). */
  private readonly seatsIn = new Map<Room, Set<string>>();
  private readonly emptyChecks = new Map<Room, TimerHandle>();
  private readonly demand = new Map<string, PoolDemand>();
  private pending: RoomEvent[] = [];
  private visible: readonly RoomEvent[] = [];
  private readonly clock: Clock;
  private readonly address: string;
  private readonly seatTtlMs: number;
  private readonly creationTimeoutMs: number;
  private closed = false;

  constructor(
    private readonly context: MatchmakerContext,
    private readonly options: MatchmakingOptions = {},
  ) {
    this.directory = options.directory ?? embeddedRoomDirectory();
    this.clock = context.clock ?? systemClock;
    this.address = options.address ?? '/';
    this.seatTtlMs = options.seatTtlMs ?? 15_000;
    this.creationTimeoutMs = options.creationTimeoutMs ?? 2_000;
    context.bus.serve(CREATE_ROOM_METHOD, (data) => this.createForPeer(data));
  }

  /** This node's name (the bus's). */
  get node(): string {
    return this.context.bus.node;
  }

  /**
   * Define a kind of room clients can be matched into. Define the same types on every node of a
   * cluster: a room may be placed on any of them.
   */
  defineRoomType(name: string, options: RoomTypeOptions = {}): void {
    if (this.types.has(name)) throw new TypeError(`room type ${name} is already defined`);
    this.types.set(name, resolveRoomType(name, options, this.seatTtlMs));
  }

  /**
   * A seat in the fullest open room of `type` whose filter values equal `options`' (its
   * `filterBy` keys), or in a new room made with `options` when none has space. Concurrent calls
   * fill rooms before making more: one creator per pool at a time in the cluster, and it makes
   * as many rooms as the callers waiting on its node need, each listed with their seats. With
   * `hints.avoid` (a node the client could not reach) the seat is found away from that node.
   */
  async joinOrCreate(type: string, options?: RoomOptions, hints: SeatingHints = {}): Promise<SeatReservation> {
    const roomType = this.typeNamed(type);
    this.refuseWhileDraining();
    const checked = checkRoomOptions(options);
    const avoid = avoidedAddress(hints.avoid);
    const pool = poolOf(roomType, filterOf(roomType, checked));
    // Waiting for other creators is bounded in time, not in turns: a burst of a thousand fills
    // twenty rooms one after another, and the last caller waits through all of them.
    const deadline = this.clock.now() + this.creationTimeoutMs * JOIN_TIMEOUT_FACTOR;
    while (this.clock.now() < deadline) {
      const found = await this.reserve(pool, roomType, avoid);
      if (found) return found;
      const made = await this.madeFor(pool, roomType, checked, avoid, deadline);
      if (made) return made;
    }
    throw new MatchmakingError('unavailable', `no seat in a ${type} room within ${this.creationTimeoutMs * JOIN_TIMEOUT_FACTOR} ms`);
  }

  /** A seat in one room by id; refused with `missing` (404), `locked` or `full` (409). */
  async join(roomId: string): Promise<SeatReservation> {
    if (typeof roomId !== 'string' || roomId.length === 0 || roomId.length > 64) throw new MatchmakingError('missing', 'no such room');
    this.refuseWhileDraining();
    const listing = await this.directory.get(roomId);
    const roomType = listing && this.types.get(listing.type);
    if (!listing || !roomType) throw new MatchmakingError('missing', `room ${roomId} is not listed`);
    const result = await this.directory.reserveIn(roomId, { seat: randomId(22), ttlMs: roomType.seatTtlMs });
    if (typeof result === 'string') throw new MatchmakingError(result, `room ${roomId} is ${result === 'missing' ? 'not listed' : result}`);
    return this.reservation(result);
  }

  /** A seat in a new room of `type` made with `options`, even when others have space. */
  async create(type: string, options?: RoomOptions): Promise<SeatReservation> {
    const roomType = this.typeNamed(type);
    this.refuseWhileDraining();
    const [node] = await this.directory.placeRooms(roomType.name, 1, 1);
    const made = await this.createRoom(roomType, checkRoomOptions(options), undefined, 1, node);
    if (!made) throw new MatchmakingError('unavailable', `the ${type} room could not be created in time`);
    return made[0]!;
  }

  /** Rooms of a type as listed (every node's, with a shared directory): open ones unless `includeLocked`. */
  listRooms(type: string, options: ListRoomsOptions = {}): Promise<readonly RoomListing[]> {
    const roomType = this.typeNamed(type);
    const limit = Math.max(0, Math.min(options.limit ?? 100, 1000));
    const pool = options.filter === undefined ? undefined : poolOf(roomType, filterOf(roomType, checkRoomOptions(options.filter)));
    return this.directory.list({ type, limit, includeLocked: options.includeLocked ?? false, ...(pool === undefined ? {} : { pool }) });
  }

  /** One of this node's rooms by id (undefined when it is another node's, or gone). */
  room(roomId: string): Room | undefined {
    return this.local.get(roomId);
  }

  /** The rooms this node runs. */
  rooms(): IterableIterator<Room> {
    return this.local.values();
  }

  /** The room a connection came in through (undefined when it connected without a seat). */
  roomOf(connection: Connection): Room | undefined {
    const seat = this.seatOf.get(connection);
    return seat === undefined ? undefined : this.admitted.get(seat)?.room;
  }

  /** This tick's room events: created, joined, left, disposed. */
  events(): readonly RoomEvent[] {
    return this.visible;
  }

  /**
   * A draining node is not ready (its load balancer stops sending it players): its matchmaking
   * answers 503 at once, so a client asks another node rather than wait on this one's bus.
   */
  private refuseWhileDraining(): void {
    if (this.closed) throw new MatchmakingError('unavailable', 'this node is draining: ask another node');
  }

  private typeNamed(type: string): RoomType {
    const roomType = typeof type === 'string' ? this.types.get(type) : undefined;
    if (!roomType) throw new MatchmakingError('unknown-type', `no room type ${String(type).slice(0, 64)} is defined`);
    return roomType;
  }

  private async reserve(pool: string, roomType: RoomType, avoid?: string): Promise<SeatReservation | undefined> {
    const seat = { seat: randomId(22), ttlMs: roomType.seatTtlMs };
    const found = await this.directory.reserve(pool, avoid === undefined ? seat : { ...seat, avoid });
    return found && this.reservation(found);
  }

  private reservation(found: Reservation): SeatReservation {
    return { address: found.listing.address, seat: formatSeat(found.listing.roomId, found.seat), room: found.listing, expiresAt: found.expiresAt };
  }

  /** Wait, with this node's other callers of the pool, for a room made for them; undefined: look again. */
  private madeFor(pool: string, roomType: RoomType, options: RoomOptions, avoid: string | undefined, deadline: number): Promise<SeatReservation | undefined> {
    if (this.closed) return Promise.reject(new MatchmakingError('unavailable', 'this node is stopping'));
    let demand = this.demand.get(pool);
    if (!demand) {
      demand = { roomType, waiting: [], running: false };
      this.demand.set(pool, demand);
    }
    const waiting = demand;
    return new Promise((resolve, reject) => {
      waiting.waiting.push({ options, avoid, deadline, resolve, reject });
      if (!waiting.running) void this.createRounds(pool, waiting);
    });
  }

  /**
   * The creator of a pool on this node, while callers wait: in one turn, ask for the pool's
   * creation lock (one creator in the cluster), a second look for every caller (Redis runs it
   * after the lock: a room listed between the first look and the lock is found), and a placement
   * for the rooms they may need — one round trip, not three. With the lock, make the rooms the
   * callers still unseated need — ceil(unseated / maxClients), made in parallel, each listed with
   * its callers' seats. Callers that arrive meanwhile wait for the next round; while another node
   * holds the lock, rounds follow each other 1 ms apart (or at once when it is released here), so
   * a caller takes a seat in that node's new room the moment it is listed, and the lock the
   * moment it is free. A burst of a thousand makes its
   * twenty rooms in a few rounds instead of twenty, and never more rooms than its callers fill.
   */
  private async createRounds(pool: string, demand: PoolDemand): Promise<void> {
    demand.running = true;
    const { roomType } = demand;
    /** Rounds in a row that found the lock held by another node. */
    let busyRounds = 0;
    try {
      while (demand.waiting.length > 0) {
        const round = demand.waiting.splice(0);
        if (this.closed) {
          for (const waiter of round) waiter.reject(new MatchmakingError('unavailable', 'this node is draining or stopping'));
          continue;
        }
        const rooms = Math.min(ROOMS_PER_ROUND, Math.ceil(round.length / roomType.maxClients));
        const [locked, again, placed] = await Promise.allSettled([
          this.directory.lockCreation(pool, this.creationTimeoutMs * 2),
          Promise.all(round.map((waiter) => this.reserve(pool, roomType, waiter.avoid))),
          this.directory.placeRooms(roomType.name, rooms, roomType.maxClients, avoidedBy(round)),
        ]);
        const lock = locked.status === 'fulfilled' ? locked.value : undefined;
        const failure = [locked, again, placed].find((result) => result.status === 'rejected');
        if (failure) {
          if (lock) await this.unlock(lock);
          for (const waiter of round) waiter.reject(failure.reason);
          continue;
        }
        const seats = (again as PromiseFulfilledResult<Array<SeatReservation | undefined>>).value;
        const unseated: CreationWaiter[] = [];
        for (const [i, waiter] of round.entries()) {
          const seat = seats[i];
          if (seat) waiter.resolve(seat);
          else unseated.push(waiter);
        }
        if (!lock) {
          // Another node is creating. Its callers' rooms may have space for these too: the next
          // round (at once, or when the lock is released here) looks for a seat again and asks for
          // the lock in the same turn, so a caller is seated as soon as a room with space is
          // listed, or creates as soon as the lock is free — not after a poll saw the lock gone
          // and a reserve and a lock call more. Callers past their deadline give up.
          const now = this.clock.now();
          const still = unseated.filter((waiter) => {
            if (now < waiter.deadline) return true;
            waiter.resolve(undefined);
            return false;
          });
          if (still.length === 0) continue;
          demand.waiting.unshift(...still);
          busyRounds++;
          await this.directory.creationSettled(pool, busyRounds <= FAST_RETRIES ? 1 : SLOW_RETRY_MS);
          continue;
        }
        busyRounds = 0;
        try {
          await this.createRound(roomType, unseated, lock, (placed as PromiseFulfilledResult<ReadonlyArray<string | undefined>>).value);
        } catch (error) {
          // Settled waiters ignore this: only the ones still waiting fail.
          for (const waiter of unseated) waiter.reject(error);
        } finally {
          // Not awaited: the next round's lock call goes after the release on the same connection.
          void this.unlock(lock);
        }
      }
    } finally {
      demand.running = false;
      if (demand.waiting.length === 0) this.demand.delete(pool);
    }
  }

  private unlock(lock: CreationLock): Promise<void> {
    return this.directory.unlockCreation(lock).catch((error: unknown) => this.context.logger.warn('matchmaking could not release a creation lock', { error: String(error) }));
  }

  /** The rooms `unseated` callers need, on the nodes `placed` names (one per room), each made with its callers' seats. */
  private async createRound(roomType: RoomType, unseated: readonly CreationWaiter[], lock: CreationLock, placed: ReadonlyArray<string | undefined>): Promise<void> {
    const groups: CreationWaiter[][] = [];
    for (let i = 0; i < unseated.length && groups.length < placed.length; i += roomType.maxClients) groups.push(unseated.slice(i, i + roomType.maxClients));
    await Promise.all(
      groups.map(async (group, attempt) => {
        try {
          const made = await this.createRoom(roomType, group[0]!.options, { ...lock, attempt }, Math.min(group.length, SEATS_PER_CREATION), placed[attempt]);
          for (const [i, waiter] of group.entries()) waiter.resolve(made?.[i]);
        } catch (error) {
          for (const waiter of group) waiter.reject(error);
        }
      }),
    );
    // Past the round's rooms: look again (the next round, or a seat in what this one made).
    for (const waiter of unseated.slice(groups.length * roomType.maxClients)) waiter.resolve(undefined);
  }

  /**
   * Make a room on `node` (undefined: here), with `seats` seats taken; undefined when an aborted
   * attempt should look again.
   */
  private async createRoom(roomType: RoomType, options: RoomOptions, creation: CreationLock | undefined, seats: number, node: string | undefined): Promise<SeatReservation[] | undefined> {
    const request: CreateRequest = {
      type: roomType.name,
      options,
      roomId: randomId(12),
      secrets: Array.from({ length: seats }, () => randomId(22)),
      ...(creation ? { creation } : {}),
    };
    if (node === undefined || node === this.node) return (await this.createHere(request)).map((r) => this.reservation(r));
    let made: unknown;
    try {
      const answer = this.context.bus.request(node, CREATE_ROOM_METHOD, request, this.creationTimeoutMs);
      // Out now rather than with the next tick's batch: callers are waiting for this room.
      this.context.bus.flush();
      made = await answer;
    } catch (error) {
      if (!(error instanceof BusUnavailable)) throw error;
      // Too late is never twice: a registration after this abort is refused by the directory.
      if (creation && !(await this.directory.abortCreation(creation))) return this.madeElsewhere(request, roomType);
      if (this.closed || !creation) throw new MatchmakingError('unavailable', `node ${node} did not create the room: ${error.message}`);
      // The node placed on is slow or gone; this one is alive and still holds the pool's lock, so
      // the room is made here (the aborted attempt can no longer register).
      this.context.logger.warn('room creation on another node timed out; creating it here', { node, error: error.message });
      const { creation: _aborted, ...here } = request;
      return (await this.createHere({ ...here, roomId: randomId(12) })).map((r) => this.reservation(r));
    }
    return (made as Reservation[]).map((r) => this.reservation(r));
  }

  /** The room was listed before the abort, but its answer was lost: its seats are the ones asked for. */
  private async madeElsewhere(request: CreateRequest, roomType: RoomType): Promise<SeatReservation[] | undefined> {
    const listing = await this.directory.get(request.roomId);
    if (!listing) return undefined;
    // No later than the seats' real expiry: they were reserved after this was asked.
    const expiresAt = this.clock.wallTime() + roomType.seatTtlMs - this.creationTimeoutMs;
    return request.secrets.map((seat) => this.reservation({ listing, seat, expiresAt }));
  }

  private createForPeer(data: unknown): Promise<Reservation[]> {
    const request = data as CreateRequest;
    if (typeof request.roomId !== 'string' || !Array.isArray(request.secrets) || !request.secrets.every((s) => typeof s === 'string')) {
      return Promise.reject(new MatchmakingError('unavailable', 'malformed room creation request'));
    }
    return this.createHere({ ...request, options: checkRoomOptions(request.options) });
  }

  private async createHere(request: CreateRequest): Promise<Reservation[]> {
    const roomType = this.typeNamed(request.type);
    if (this.closed) throw new MatchmakingError('unavailable', 'this node is draining or stopping');
    const filter = filterOf(roomType, request.options);
    const metadata = Object.freeze({ ...roomType.metadata(request.options) });
    const room = new Room(request.roomId, roomType.name, Object.freeze({ ...request.options }), Object.freeze(filter), poolOf(roomType, filter), roomType.maxClients, metadata, this.clock.wallTime(), this);
    const listing: RoomListing = {
      roomId: room.id,
      type: room.type,
      pool: room.pool,
      node: this.node,
      address: this.address,
      clients: 0,
      maxClients: room.maxClients,
      locked: false,
      filter: room.filter,
      metadata,
      createdAt: room.createdAt,
    };
    const seats = request.secrets.slice(0, room.maxClients).map((seat) => ({ seat, ttlMs: roomType.seatTtlMs }));
    const result = await this.directory.register(listing, { seats, ...(request.creation ? { creation: request.creation } : {}) });
    if (!result.registered) throw new MatchmakingError('unavailable', 'the room creation was aborted');
    this.local.set(room.id, room);
    this.pending.push({ type: 'created', room });
    this.scheduleEmptyCheck(room, roomType.emptyLifetimeMs);
    return [...result.reservations];
  }

  // ---- the owner's side: seats before the upgrade, sessions in rooms ----

  /**
   * Before the upgrade: a request with `?seat=` must bring a seat of one of this node's rooms that
   * was reserved and not used yet (401 unknown or expired, 409 already used by a connected
   * session). A used seat whose session is held for a resume is let through: that is its client
   * reconnecting. Without a seat the request passes, unless `requireSeat` (401).
   */
  async admit(request: ConnectionRequest): Promise<void> {
    const seat = requestSeat(request);
    if (seat === undefined) {
      if (this.options.requireSeat) throw new AdmissionRefused(401, 'a seat is required: join a room through matchmaking first');
      return;
    }
    const credential = parseSeat(seat);
    const room = credential && this.local.get(credential.roomId);
    if (!credential || !room) throw new AdmissionRefused(401, 'unknown or expired seat');
    const known = this.admitted.get(seat);
    if (known) {
      if (known.connection?.state === 'suspended') return;
      throw new AdmissionRefused(409, 'seat already used');
    }
    const claim = await this.directory.claim(room.id, credential.secret);
    if (claim === 'unknown' || room.disposed) throw new AdmissionRefused(401, 'unknown or expired seat');
    if (claim === 'used' || this.admitted.has(seat)) throw new AdmissionRefused(409, 'seat already used');
    const timer = this.clock.setTimeout(() => this.unbind(seat), this.context.handshakeTimeoutMs + 1000);
    this.admitted.set(seat, { room, secret: credential.secret, connection: undefined, timer });
    let seats = this.seatsIn.get(room);
    if (!seats) {
      seats = new Set();
      this.seatsIn.set(room, seats);
    }
    seats.add(seat);
    this.cancelEmptyCheck(room);
  }

  /** A connection event from `receive`: sessions that came with a seat join its room, and leave it when they end. */
  connectionEvent(event: ConnectionEvent): void {
    switch (event.type) {
      case 'connected':
        this.bind(event.connection as ServerConnection);
        break;
      case 'disconnected':
        if (!event.resumable) this.leave(event.connection);
        break;
      case 'expired':
        this.leave(event.connection);
        break;
      default:
        break;
    }
  }

  private bind(connection: ServerConnection): void {
    const seat = requestSeat(connection.request);
    if (seat === undefined) return;
    const entry = this.admitted.get(seat);
    if (!entry || (entry.connection !== undefined && entry.connection !== connection)) {
      // A fresh session on a seat another session holds (its URL was reused without the resume).
      this.context.disconnect(connection, CloseCode.Kicked, entry ? 'seat already used' : 'seat no longer valid');
      return;
    }
    if (entry.timer) this.clock.clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.connection = connection;
    this.seatOf.set(connection, seat);
    entry.room.connections.add(connection);
    this.pending.push({ type: 'joined', room: entry.room, connection });
  }

  private leave(connection: Connection): void {
    const seat = this.seatOf.get(connection);
    if (seat !== undefined) this.unbind(seat);
  }

  /** A seat's session ended, or its admission never became one: free the seat. */
  private unbind(seat: string): void {
    const entry = this.admitted.get(seat);
    if (!entry) return;
    this.admitted.delete(seat);
    if (entry.timer) this.clock.clearTimeout(entry.timer);
    const { room, connection } = entry;
    const seats = this.seatsIn.get(room);
    seats?.delete(seat);
    if (seats?.size === 0) this.seatsIn.delete(room);
    if (connection) {
      this.seatOf.delete(connection);
      room.connections.delete(connection);
      this.pending.push({ type: 'left', room, connection });
    }
    if (room.disposed) return;
    this.background(this.directory.release(room.id, entry.secret), 'release a seat');
    if (!this.occupied(room)) this.scheduleEmptyCheck(room, this.types.get(room.type)!.emptyLifetimeMs);
  }

  /** Sessions in it, or seats admitted and on their way. */
  private occupied(room: Room): boolean {
    return room.connections.size > 0 || this.seatsIn.has(room);
  }

  private scheduleEmptyCheck(room: Room, delayMs: number): void {
    if (!Number.isFinite(delayMs) || this.emptyChecks.has(room)) return;
    this.emptyChecks.set(
      room,
      this.clock.setTimeout(() => {
        this.emptyChecks.delete(room);
        this.background(this.disposeIfEmpty(room), 'dispose an empty room');
      }, delayMs),
    );
  }

  private cancelEmptyCheck(room: Room): void {
    const timer = this.emptyChecks.get(room);
    if (timer === undefined) return;
    this.clock.clearTimeout(timer);
    this.emptyChecks.delete(room);
  }

  /** Seats reserved elsewhere keep it alive: look again when they could have expired. */
  private async disposeIfEmpty(room: Room): Promise<void> {
    if (room.disposed || this.occupied(room)) return;
    const roomType = this.types.get(room.type)!;
    if (await this.directory.unregister(room.id, { onlyIfEmpty: true })) this.disposed(room);
    else if (!this.occupied(room)) this.scheduleEmptyCheck(room, Math.max(roomType.seatTtlMs, roomType.emptyLifetimeMs));
  }

  /** RoomOwner: a room's lock or metadata changed. */
  changed(room: Room, change: RoomChange): void {
    this.background(this.directory.update(room.id, change), 'update a room listing');
  }

  /** RoomOwner: end a room now. */
  dispose(room: Room): void {
    this.background(this.directory.unregister(room.id), 'unlist a disposed room');
    this.disposed(room);
  }

  private disposed(room: Room): void {
    if (room.disposed) return;
    room.markDisposed();
    this.cancelEmptyCheck(room);
    this.local.delete(room.id);
    for (const seat of [...(this.seatsIn.get(room) ?? [])]) this.unbind(seat);
    this.pending.push({ type: 'disposed', room });
  }

  private background(work: Promise<unknown>, what: string): void {
    work.catch((error: unknown) => this.context.logger.warn(`matchmaking could not ${what}`, { error: String(error) }));
  }

  /** Start of `receive`, after the connection events: what happened since the last tick becomes this tick's events. */
  beginTick(): void {
    this.visible = this.pending;
    if (this.pending.length > 0) this.pending = [];
    let clients = 0;
    for (const room of this.local.values()) clients += room.connections.size;
    this.directory.reportLoad({ rooms: this.local.size, clients });
  }

  /**
   * The server is draining: no new room is made here nor placed here by other nodes, and every
   * room of this node is unlisted, so it hands out no new seat; the rooms keep running (their
   * sessions, and resumes of them, carry on) until they end or the server stops.
   */
  async drain(): Promise<void> {
    this.closed = true;
    await this.directory.drain();
  }

  /** The server is stopping: no new rooms here; every room of this node is unlisted. */
  async close(): Promise<void> {
    this.closed = true;
    for (const room of [...this.local.values()]) this.dispose(room);
    await this.directory.close();
  }
}

/**
 * A client's `avoid` hint if it can be an address at all; undefined (ignored) otherwise. No
 * address is longer than a close reason (`createServer` refuses one), so nothing longer is
 * carried into a directory script.
 */
function avoidedAddress(avoid: unknown): string | undefined {
  return typeof avoid === 'string' && avoid.length > 0 && avoid.length <= MAX_CLOSE_REASON_BYTES ? avoid : undefined;
}

/** The distinct addresses a round's callers could not reach: its rooms are placed away from all of them. */
function avoidedBy(round: readonly CreationWaiter[]): string[] {
  const avoided = new Set<string>();
  for (const waiter of round) if (waiter.avoid !== undefined) avoided.add(waiter.avoid);
  return [...avoided];
}
