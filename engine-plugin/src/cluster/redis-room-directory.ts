import { randomBytes } from 'node:crypto';
import type {
  CreationLock,
  JoinRefusal,
  NodeLoad,
  RegisterOptions,
  RegisterResult,
  Reservation,
  RoomChange,
  RoomDirectory,
  RoomListing,
  RoomMetadata,
  RoomOptions,
  RoomQuery,
  SeatClaim,
  SeatRequest,
} from '../matchmaking/room-directory.js';
import type { ClusterNode } from './cluster-node.js';
import {
  ABORT_CREATION,
  CLAIM_SEAT,
  GET_ROOM,
  LIST_ROOMS,
  LOCK_CREATION,
  MAX_SEATS_PER_CALL,
  REGISTER_ROOM,
  RELEASE_SEAT,
  SWEEP_PER_CALL,
  REPORT_LOAD,
  RESERVE,
  RESERVE_IN,
  SWEEP_SEATS,
  TWO_CHOICES,
  UNLIST_NODE_ROOMS,
  UNLOCK_CREATION,
  UNREGISTER_ROOM,
  UPDATE_ROOM,
} from './room-directory-scripts.js';

/** Options of {@link redisRoomDirectory}. */
export interface RedisRoomDirectoryOptions {
  /**
   * How often a caller waiting for another node's creation lock looks whether it is gone, ms.
   * Waiters on one node share one look per pool; a lock released on this node wakes them at once.
   * Default 2.
   */
  readonly settlePollMs?: number;
  /**
   * How often this node sweeps lapsed seats out of the directory, ms: full rooms whose reserved
   * seats were never used reopen, and `tickwire_cluster_seats_expired_total` counts them. A
   * reserve that finds no open room sweeps too, so no room is made while a lapsed one could be
   * reused. Default 1,000.
   */
  readonly sweepMs?: number;
}

/** Thrown when this node may not write to the directory: its lease was lost and it has not taken a new epoch yet. */
export class DirectoryFenced extends Error {
  constructor(node: string) {
    super(`cluster node ${node} is fenced (its lease lapsed): it lists no room until it re-registers`);
    this.name = 'DirectoryFenced';
  }
}

/** The fixed part of a listing, stored once as JSON (`l`); counts, lock and metadata live beside it. */
interface FixedListing {
  readonly roomId: string;
  readonly type: string;
  readonly pool: string;
  readonly node: string;
  readonly address: string;
  readonly filter: RoomOptions;
  readonly createdAt: number;
}

/** A listing as the scripts answer it: fixed JSON, metadata JSON, seats taken, capacity, locked. */
type ListingReply = [string, string, number | string, string, string];

const UNLIST_CHUNK = 200;

/** Addresses one placement passes over at most (each widens its random draw by one node). */
const MAX_AVOIDED = 8;

interface ReserveQueue {
  readonly pool: string;
  readonly ttlMs: number;
  readonly waiting: Array<{ readonly seat: string; readonly resolve: (found: Reservation | undefined) => void; readonly reject: (error: unknown) => void }>;
  /** RESERVE calls of this queue on their way. */
  inFlight: number;
}

/**
 * The cluster's {@link RoomDirectory}: every node's rooms in Redis, each operation one Lua script.
 * A seat is reserved by one script over the pool's sorted set of open rooms (score = seats taken,
 * the fullest first), which purges expired seats, checks lock and capacity, adds the seat and
 * rescores or unlists the room, atomically. Nothing reads the whole directory: a reserve touches
 * one pool's index and one room; a listing reads at most `limit` rooms.
 *
 * Listings live as long as their owner's lease, not a health ping: a slow node keeps its rooms;
 * a dead one's are unlisted by the node that reaps it, and no seat is handed out in a room whose
 * owner's lease has lapsed. Creation: one lock per pool (a hash set only if absent, with a PX expiry), rooms placed on the less
 * loaded of two random live nodes, and a compare-and-set that refuses a registration arriving
 * after its attempt was aborted (no twin rooms).
 *
 * ```ts
 * const cluster = await joinCluster({ redis: 'redis://127.0.0.1:6379', address: 'ws://10.0.0.5:8081/ws' });
 * const server = createServer(world, protocol, {
 *   messaging: { bus: cluster.bus },
 *   matchmaking: { directory: redisRoomDirectory(cluster), address: cluster.options.address },
 * });
 * ```
 */
export function redisRoomDirectory(cluster: ClusterNode, options: RedisRoomDirectoryOptions = {}): RoomDirectory {
  return new RedisRoomDirectory(cluster, options.settlePollMs ?? 2, options.sweepMs ?? 1000);
}

class RedisRoomDirectory implements RoomDirectory {
  private readonly prefix: string;
  /** Waiters per pool for another node's creation lock: one poll per pool, however many wait. */
  private readonly settling = new Map<string, { readonly waiters: Set<() => void>; timer: ReturnType<typeof setTimeout> | undefined }>();
  /** Reserves waiting for a call per pool (and ttl), and how many calls are in flight. */
  private readonly reserving = new Map<string, ReserveQueue>();
  /** A flush of the queued reserves is scheduled for the end of this turn. */
  private reservesDue = false;
  /** Pools this node holds the creation lock of: other callers here wait without asking Redis. */
  private readonly creating = new Map<string, string>();
  /** Listing JSON parsed once per distinct text (bounded). */
  private readonly json = new ParsedJson(4096);
  private loadWanted: number | undefined;
  private loadSent: number | undefined;
  private loadWriting = false;
  /** No more load reports (draining or closed). */
  private closed = false;
  private readonly sweeper: ReturnType<typeof setInterval>;
  private sweeping = false;
  private shut = false;

  constructor(
    private readonly cluster: ClusterNode,
    private readonly settlePollMs: number,
    sweepMs: number,
  ) {
    this.prefix = cluster.keys.prefix;
    this.reportLoad({ rooms: 0, clients: 0 });
    this.sweeper = setInterval(() => this.sweep(), sweepMs);
    this.sweeper.unref?.();
  }

  /** Lapsed seats found by any script of this node count once, here. */
  private expired(seats: number | string | undefined): void {
    const n = Number(seats);
    if (n > 0) this.cluster.stats.seatsExpired += n;
  }

  /** One bounded sweep at a time; more is due → the next right after. */
  private sweep(): void {
    if (this.sweeping || this.closed) return;
    this.sweeping = true;
    this.script<[number, number]>(SWEEP_SEATS, []).then(
      ([rooms, seats]) => {
        this.sweeping = false;
        this.expired(seats);
        if (rooms >= SWEEP_PER_CALL) this.sweep();
      },
      () => {
        // Redis unreachable: the next period sweeps.
        this.sweeping = false;
      },
    );
  }

  private script<T>(source: string, args: ReadonlyArray<string | number>): Promise<T> {
    return this.cluster.link.script<T>(source, [this.prefix, ...args]);
  }

  private epoch(): number {
    const epoch = this.cluster.epoch;
    if (epoch === 0) throw new DirectoryFenced(this.cluster.node);
    return epoch;
  }

  async register(listing: RoomListing, options: RegisterOptions = {}): Promise<RegisterResult> {
    if (listing.node !== this.cluster.node) throw new TypeError(`room ${listing.roomId} names node ${listing.node}; this directory lists node ${this.cluster.node}'s rooms`);
    const fixed: FixedListing = {
      roomId: listing.roomId,
      type: listing.type,
      pool: listing.pool,
      node: listing.node,
      address: listing.address,
      filter: listing.filter,
      createdAt: listing.createdAt,
    };
    const l = JSON.stringify(fixed);
    const m = JSON.stringify(listing.metadata);
    const seats = options.seats ?? [];
    if (seats.length > listing.maxClients) throw new TypeError(`room ${listing.roomId} cannot be listed with ${seats.length} seats: its maxClients is ${listing.maxClients}`);
    // One script takes them all, so they share one ttl: the shortest asked for.
    let ttlMs = Number.POSITIVE_INFINITY;
    for (const seat of seats) ttlMs = Math.min(ttlMs, seat.ttlMs);
    const reply = await this.script<[string, number?, number?]>(REGISTER_ROOM, [
      this.cluster.node,
      this.epoch(),
      listing.roomId,
      l,
      m,
      listing.maxClients,
      listing.pool,
      listing.type,
      listing.createdAt,
      seats.length > 0 ? ttlMs : 0,
      options.creation?.pool ?? '',
      options.creation?.token ?? '',
      options.creation?.attempt ?? 0,
      ...seats.map((seat) => seat.seat),
    ]);
    switch (reply[0]) {
      case 'fenced':
        this.cluster.fenced();
        throw new DirectoryFenced(this.cluster.node);
      case 'exists':
        throw new TypeError(`room ${listing.roomId} is already registered`);
      case 'aborted':
        return { registered: false };
      default:
        break;
    }
    const registered = this.listingOf(l, m, Number(reply[1]), String(listing.maxClients), '0');
    const expiresAt = Number(reply[2]);
    return { registered: true, reservations: seats.map((seat) => ({ listing: registered, seat: seat.seat, expiresAt })) };
  }

  private listingOf(l: string, m: string, count: number | string, max: string, locked: string): RoomListing {
    const fixed = this.json.of<FixedListing>(l);
    return { ...fixed, clients: Number(count), maxClients: Number(max), locked: locked === '1', metadata: this.json.of<RoomMetadata>(m) };
  }

  reserve(pool: string, seat: SeatRequest): Promise<Reservation | undefined> {
    if (seat.avoid !== undefined) return this.reserveAvoiding(pool, seat, seat.avoid);
    return new Promise((resolve, reject) => {
      const key = `${pool}\n${seat.ttlMs}`;
      let queue = this.reserving.get(key);
      if (!queue) {
        queue = { pool, ttlMs: seat.ttlMs, waiting: [], inFlight: 0 };
        this.reserving.set(key, queue);
      }
      queue.waiting.push({ seat: seat.seat, resolve, reject });
      // Alone: at once. Others of this turn (or while one is on its way): together at the end of the turn.
      if (queue.inFlight === 0 && queue.waiting.length === 1 && !this.reservesDue) this.sendReserves(key, queue);
      else if (!this.reservesDue) {
        this.reservesDue = true;
        setImmediate(() => this.flushReserves());
      }
    });
  }

  /** Every queued reserve goes, one RESERVE call per pool per {@link MAX_SEATS_PER_CALL} seats. */
  private flushReserves(): void {
    this.reservesDue = false;
    for (const [key, queue] of this.reserving) while (queue.waiting.length > 0) this.sendReserves(key, queue);
  }

  /**
   * One RESERVE call for the callers queued on a pool (up to {@link MAX_SEATS_PER_CALL}). Calls
   * made in one event-loop turn share a script, and a call does not wait for the one before it to
   * come back (Redis runs them in order): a burst of a thousand is a handful of scripts, each
   * answered on the turn its reply arrives, and each seat is still taken atomically, fullest room first.
   */
  private sendReserves(key: string, queue: ReserveQueue): void {
    const batch = queue.waiting.splice(0, MAX_SEATS_PER_CALL);
    queue.inFlight++;
    const args: Array<string | number> = [queue.pool, queue.ttlMs, ''];
    for (const waiter of batch) args.push(waiter.seat);
    this.script<Array<string | number>>(RESERVE, args).then(
      (reply) => {
        this.doneReserves(key, queue);
        this.expired(reply[1]);
        for (const [i, waiter] of batch.entries()) waiter.resolve(this.reservedIn(reply, i, waiter.seat));
      },
      (error: unknown) => {
        this.doneReserves(key, queue);
        for (const waiter of batch) waiter.reject(error);
      },
    );
  }

  /** The `i`th seat of a RESERVE reply, or undefined when it found no room. */
  private reservedIn(reply: ReadonlyArray<string | number>, i: number, seat: string): Reservation | undefined {
    if (i >= Number(reply[0])) return undefined;
    const at = 2 + i * 6;
    const listing = this.listingOf(String(reply[at]), String(reply[at + 1]), reply[at + 2]!, String(reply[at + 3]), String(reply[at + 4]));
    return { listing, seat, expiresAt: Number(reply[at + 5]) };
  }

  /**
   * A seat away from `avoid`: its own RESERVE call, not batched with the pool's other callers
   * (they must not skip those rooms). Rare — only after a client's dial went unanswered.
   */
  private async reserveAvoiding(pool: string, seat: SeatRequest, avoid: string): Promise<Reservation | undefined> {
    const reply = await this.script<Array<string | number>>(RESERVE, [pool, seat.ttlMs, avoid, seat.seat]);
    this.expired(reply[1]);
    return this.reservedIn(reply, 0, seat.seat);
  }

  private doneReserves(key: string, queue: ReserveQueue): void {
    queue.inFlight--;
    if (queue.inFlight === 0 && queue.waiting.length === 0) this.reserving.delete(key);
  }

  async reserveIn(roomId: string, seat: SeatRequest): Promise<Reservation | JoinRefusal> {
    const reply = await this.script<[string, number, string?, string?, number?, string?, string?, number?]>(RESERVE_IN, [roomId, seat.seat, seat.ttlMs]);
    this.expired(reply[1]);
    if (reply[0] !== 'ok') return reply[0] as JoinRefusal;
    return { listing: this.listingOf(reply[2]!, reply[3]!, reply[4]!, reply[5]!, reply[6]!), seat: seat.seat, expiresAt: Number(reply[7]) };
  }

  async claim(roomId: string, seat: string): Promise<SeatClaim> {
    const [claim, expired] = await this.script<[SeatClaim, number]>(CLAIM_SEAT, [roomId, seat]);
    this.expired(expired);
    return claim;
  }

  async release(roomId: string, seat: string): Promise<void> {
    await this.script(RELEASE_SEAT, [roomId, seat]);
  }

  async update(roomId: string, change: RoomChange): Promise<void> {
    const locked = change.locked === undefined ? '' : change.locked ? '1' : '0';
    const metadata = change.metadata === undefined ? '' : JSON.stringify(change.metadata);
    const max = change.maxClients === undefined ? '' : change.maxClients;
    if ((await this.script<number>(UPDATE_ROOM, [this.cluster.node, this.epoch(), roomId, locked, metadata, max])) === 0) {
      this.cluster.fenced();
      throw new DirectoryFenced(this.cluster.node);
    }
  }

  async unregister(roomId: string, options: { readonly onlyIfEmpty?: boolean } = {}): Promise<boolean> {
    const [removed, expired] = await this.script<[number, number]>(UNREGISTER_ROOM, [roomId, options.onlyIfEmpty ? '1' : '0']);
    this.expired(expired);
    return removed === 1;
  }

  async get(roomId: string): Promise<RoomListing | undefined> {
    const reply = await this.script<ListingReply | null>(GET_ROOM, [roomId]);
    return reply ? this.listingOf(...reply) : undefined;
  }

  async list(query: RoomQuery): Promise<readonly RoomListing[]> {
    const limit = Math.floor(query.limit);
    if (!(limit > 0)) return [];
    const flat = await this.script<Array<string | number>>(LIST_ROOMS, [query.type, query.pool ?? '', query.includeLocked ? '1' : '0', limit]);
    const out: RoomListing[] = [];
    for (let i = 0; i + 4 < flat.length; i += 5) out.push(this.listingOf(String(flat[i]), String(flat[i + 1]), flat[i + 2]!, String(flat[i + 3]), String(flat[i + 4])));
    return out;
  }

  async lockCreation(pool: string, ttlMs: number): Promise<CreationLock | undefined> {
    // A burst on one node asks Redis for the lock once, not once per caller.
    if (this.creating.has(pool)) return undefined;
    this.creating.set(pool, '');
    const lock = await this.takeLock(pool, ttlMs).catch((error: unknown) => {
      this.creating.delete(pool);
      throw error;
    });
    if (!lock) {
      this.creating.delete(pool);
      return undefined;
    }
    this.creating.set(pool, lock.token);
    // Like the lock in Redis, the local mark lapses with its ttl if nobody unlocks it.
    setTimeout(() => this.releaseLocal(lock), ttlMs).unref?.();
    return lock;
  }

  private releaseLocal(lock: CreationLock): void {
    if (this.creating.get(lock.pool) === lock.token) this.creating.delete(lock.pool);
  }

  private async takeLock(pool: string, ttlMs: number): Promise<CreationLock | undefined> {
    const token = randomBytes(9).toString('base64url');
    const taken = await this.script<number>(LOCK_CREATION, [pool, token, Math.max(1, Math.ceil(ttlMs))]);
    return taken === 1 ? { pool, token } : undefined;
  }

  creationSettled(pool: string, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let waiting = this.settling.get(pool);
      if (!waiting) {
        waiting = { waiters: new Set(), timer: undefined };
        this.settling.set(pool, waiting);
      }
      const done = () => {
        clearTimeout(timer);
        waiting.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      waiting.waiters.add(done);
      // A wait shorter than one poll is a pause (the matchmaker's next round looks for itself).
      if (timeoutMs > this.settlePollMs) this.pollSettled(pool);
    });
  }

  private pollSettled(pool: string): void {
    const waiting = this.settling.get(pool);
    if (!waiting || waiting.timer !== undefined) return;
    waiting.timer = setTimeout(async () => {
      let held = true;
      try {
        held = (await this.cluster.link.command<number>(['EXISTS', `${this.prefix}create:${pool}`])) === 1;
      } catch {
        // Redis unreachable: the waiters' own timeouts end their wait.
      }
      waiting.timer = undefined;
      if (!held) this.wake(pool);
      else if (waiting.waiters.size > 0) this.pollSettled(pool);
      else this.settling.delete(pool);
    }, this.settlePollMs);
  }

  private wake(pool: string): void {
    const waiting = this.settling.get(pool);
    if (!waiting) return;
    this.settling.delete(pool);
    if (waiting.timer !== undefined) clearTimeout(waiting.timer);
    for (const done of [...waiting.waiters]) done();
  }

  async unlockCreation(lock: CreationLock): Promise<void> {
    // Released here at once: a lock asked for after this call goes to Redis after the release (one
    // connection, in order), so the caller need not wait for it to ask again.
    this.releaseLocal(lock);
    try {
      await this.script(UNLOCK_CREATION, [lock.pool, lock.token]);
    } finally {
      this.wake(lock.pool);
    }
  }

  async abortCreation(lock: CreationLock): Promise<boolean> {
    return (await this.script<number>(ABORT_CREATION, [lock.pool, lock.token, lock.attempt ?? 0])) === 1;
  }

  async placeRooms(_type: string, count: number, seats: number, avoid: readonly string[] = []): Promise<ReadonlyArray<string | undefined>> {
    if (count <= 0) return [];
    // Matched against each node's lease (`address` of joinCluster): give matchmaking the same address.
    const nodes = await this.script<string[]>(TWO_CHOICES, [count, seats, ...avoid.slice(0, MAX_AVOIDED)]);
    return Array.from({ length: count }, (_, i) => (nodes[i] === undefined || nodes[i] === this.cluster.node ? undefined : nodes[i]));
  }

  /** Queues this node's load (clients + rooms); at most one write in flight, none when unchanged. */
  reportLoad(load: NodeLoad): void {
    if (this.closed) return;
    this.loadWanted = load.clients + load.rooms;
    this.writeLoad();
  }

  private writeLoad(): void {
    if (this.loadWriting || this.loadWanted === this.loadSent || this.loadWanted === undefined) return;
    const load = this.loadWanted;
    this.loadWriting = true;
    this.script(REPORT_LOAD, [this.cluster.node, load]).then(
      () => {
        this.loadSent = load;
        this.loadWriting = false;
        if (!this.closed) this.writeLoad();
      },
      () => {
        // Redis unreachable: the next tick's report tries again.
        this.loadWriting = false;
      },
    );
  }

  async drain(): Promise<void> {
    // No load report after this one: a report would put the node back in the placement set.
    this.closed = true;
    await this.cluster.link.command(['ZREM', `${this.prefix}load`, this.cluster.node]);
    await this.unlistOwnRooms();
  }

  async close(): Promise<void> {
    if (this.shut) return;
    this.shut = true;
    this.closed = true;
    clearInterval(this.sweeper);
    for (const pool of [...this.settling.keys()]) this.wake(pool);
    await this.unlistOwnRooms();
  }

  private async unlistOwnRooms(): Promise<void> {
    let removed: number;
    do removed = await this.script<number>(UNLIST_NODE_ROOMS, [this.cluster.node, '', UNLIST_CHUNK]);
    while (removed > 0);
  }
}

/** Parsed listing JSON by its text, so a burst seated in one room parses it once, not once per seat. */
class ParsedJson {
  private readonly parsed = new Map<string, unknown>();

  constructor(private readonly max: number) {}

  /** `text` parsed (frozen: it is shared by every listing made from it). */
  of<T>(text: string): T {
    let value = this.parsed.get(text);
    if (value === undefined) {
      value = deepFrozen(JSON.parse(text) as unknown);
      // Bounded: rooms come and go; a full cache starts over rather than evicting one by one.
      if (this.parsed.size >= this.max) this.parsed.clear();
      this.parsed.set(text, value);
    }
    return value as T;
  }
}

function deepFrozen(value: unknown): unknown {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFrozen(inner);
    Object.freeze(value);
  }
  return value;
}
