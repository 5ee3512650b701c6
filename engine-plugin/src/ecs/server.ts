import { type World, addComponent, entityExists, hasComponent, observe, onAdd, onRemove, query } from 'bitecs';
import type { Connection } from '../connection/connection.js';
import type { ConnectionEvent } from '../connection/connection-events.js';
import type { ServerConnection } from '../connection/server-connection.js';
import type { ReceivedMessage } from '../connection/message-receiver.js';
import type { ByteWriter } from '../protocol/bytes.js';
import { type ServerEndpointOptions, ServerEndpoint } from '../connection/server-endpoint.js';
import { CloseCode } from '../protocol/close-codes.js';
import type { Shape, ShapeValue } from '../schema/fields.js';
import type { Component } from '../schema/component.js';
import type { MessageType } from '../schema/message.js';
import type { Protocol } from '../schema/protocol.js';
import { ServerReplication, type ServerReplicationOptions } from '../replication/server-replication.js';
import { Networked } from './networked.js';
import { Ownership } from './ownership.js';
import { EntityLifetime } from './entity-lifetime.js';
import { OwnershipMessage, ResyncMessage } from '../schema/system-messages.js';
import type { Received } from './received.js';
import { TickBuffers } from '../messaging/tick-buffers.js';
import { type IncomingRequest, ServerMessaging } from '../messaging/server-messaging.js';
import type { ServerMessagingOptions } from '../messaging/messaging-options.js';
import type { RequestOptions } from '../messaging/client-messaging.js';
import type { RequestType } from '../schema/request.js';
import type { PresenceMetadata } from '../messaging/presence.js';
import { consoleLogger } from '../connection/logger.js';
import { type Clock, systemClock } from '../transport/clock.js';
import { jsonWireFormat, speaksJson } from '../messaging/json-format.js';
import { Matchmaker, type MatchmakingOptions } from '../matchmaking/matchmaker.js';
import type { RoomEvent } from '../matchmaking/room-events.js';
import { smallestClientFrameBytes } from '../replication/largest-record.js';
import { claimStores } from './store-claims.js';
import { busSessionHome } from '../messaging/bus-session-home.js';
import { requestSeat } from '../matchmaking/seat.js';
import { MAX_CLOSE_REASON_BYTES } from '../transport/close-reason.js';

const NO_EVENTS: readonly ConnectionEvent[] = Object.freeze([]);

/** A game loop started before the transport: it would run forever and never listen. */
const TICK_BEFORE_START =
  'tickwire: NetworkServer.receive() ran before start(): the server is not listening, so no client can ever connect. ' +
  'Call `await net.start()` before the first tick.';

/** Options of {@link createServer}. */
export interface ServerOptions extends Omit<ServerEndpointOptions, 'tickRate' | 'wireFormats' | 'checkAdmission' | 'minClientFrameBytes' | 'sessionHome'> {
  /** Ticks per second the game runs `receive … flush` at; announced to clients. Default 20. */
  readonly tickRate?: number;
  /** Interest management and capacity for replication. */
  readonly replication?: ServerReplicationOptions;
  /** Request/response, topics, direct messages and presence: the authorisation hook and identity keys. */
  readonly messaging?: ServerMessagingOptions;
  /** Room types, seats and the room directory (see the README's Matchmaking section). */
  readonly matchmaking?: MatchmakingOptions;
}

/** Options of {@link NetworkServer.drain}. */
export interface DrainOptions {
  /** How long the rooms may run on before their remaining clients are sent to matchmaking, ms. Default 30,000. */
  readonly timeoutMs?: number;
  /** The close reason those clients get with code 4011. */
  readonly reason?: string;
  /** Called once the node is out of the directory and of room placement: no seat is handed out here from then on. */
  readonly onUnlisted?: () => void;
}

/** Close reason of the clients a drain sends to matchmaking (code 4011) when its timeout passes. */
export const DRAIN_TIMEOUT_REASON = 'this node is going away: join a room through matchmaking';

/**
 * The server half of tickwire for one bitECS world. Run `receive` first in every tick, your game
 * systems next, then `replicate` and `flush`:
 *
 * ```ts
 * const net = createServer(world, protocol, { transport: webSocketServer({ port: 8080 }) });
 * await net.start();
 * fixedTick(20, () => { net.receive(); game(world, net); net.replicate(); net.flush(); });
 * ```
 */
export class NetworkServer {
  /** The tick being run; advanced by `receive`. */
  tick = 0;
  readonly endpoint: ServerEndpoint;
  readonly replication: ServerReplication;
  /** Request/response, topics, direct messages and presence (see the README's Messaging section). */
  readonly messaging: ServerMessaging;
  /** Room types, `joinOrCreate`/`join`/`create`, and the rooms this server runs (see the README's Matchmaking section). */
  readonly matchmaker: Matchmaker;
  private readonly messageBuffers = new TickBuffers<MessageType, Received<unknown>>();
  private eventBuffer: readonly ConnectionEvent[] = NO_EVENTS;
  private tickEvents: ConnectionEvent[] = [];
  private readonly ownership = new Ownership();
  /** Connections that ended for good this tick: `owned()` still lists their entities until the next `receive`. */
  private readonly endedOwners: number[] = [];
  private readonly unobserve: Array<() => void> = [];
  /** When this tick's `receive` started (performance.now), for the tick-duration observer hook. */
  private tickStartedAt = -1;
  private lifecycle: 'created' | 'started' | 'stopped' = 'created';

  private readonly clock: Clock;

  constructor(
    readonly world: World,
    readonly protocol: Protocol,
    options: ServerOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    const address = options.matchmaking?.address ?? '/';
    if (new TextEncoder().encode(address).byteLength > MAX_CLOSE_REASON_BYTES)
      throw new TypeError(`matchmaking.address is longer than ${MAX_CLOSE_REASON_BYTES} bytes: a redirect (close 4010) carries it as its close reason`);
    // Tokens name this node; a resume naming another is sent home, or (home gone) here only with a seat of this node's.
    const sessionHome = busSessionHome(options.messaging?.bus?.node ?? 'local', {
      bus: () => this.messaging.bus,
      address,
      holds: (token) => this.endpoint.holds(token),
      adopt: (request) => requestSeat(request) !== undefined,
    });
    this.endpoint = new ServerEndpoint(protocol, {
      ...options,
      tickRate: options.tickRate ?? 20,
      wireFormats: [jsonWireFormat],
      checkAdmission: (request) => this.matchmaker.admit(request),
      minClientFrameBytes: smallestClientFrameBytes(protocol),
      sessionHome,
    });
    this.replication = new ServerReplication(protocol, { ...options.replication, tickRate: options.tickRate ?? 20 });
    const logger = options.logger ?? consoleLogger();
    this.messaging = new ServerMessaging(protocol, this.endpoint, options.clock ?? systemClock, logger, options.messaging);
    sessionHome.serve();
    this.matchmaker = new Matchmaker(
      {
        bus: this.messaging.bus,
        logger,
        clock: options.clock ?? systemClock,
        handshakeTimeoutMs: this.endpoint.settings.handshakeTimeoutMs,
        disconnect: (connection, code, reason) => this.disconnect(connection, code, reason),
      },
      options.matchmaking,
    );
    claimStores(protocol, { side: 'server', live: () => this.lifecycle !== 'stopped' });
    this.observeWorld();
  }

  private observeWorld(): void {
    const { world, replication, protocol } = this;
    this.unobserve.push(
      observe(world, onAdd(Networked), (eid: number) => {
        replication.spawn(eid);
        protocol.components.forEach((component, id) => {
          if (hasComponent(world, eid, component)) replication.addComponent(eid, id);
        });
      }),
      observe(world, onRemove(Networked), (eid: number) => {
        replication.despawn(eid);
        this.endOwnership(eid);
      }),
      // Fires only when the entity itself is removed (nothing else removes the marker).
      observe(world, onRemove(EntityLifetime), (eid: number) => {
        this.endOwnership(eid);
        replication.forget(eid);
      }),
    );
    protocol.components.forEach((component, id) => {
      this.unobserve.push(
        observe(world, onAdd(component), (eid: number) => {
          if (hasComponent(world, eid, Networked)) replication.addComponent(eid, id);
        }),
        observe(world, onRemove(component), (eid: number) => {
          if (hasComponent(world, eid, Networked)) replication.removeComponent(eid, id);
        }),
      );
    });
    // Entities made Networked before the server existed.
    for (const eid of [...query(world, [Networked])]) {
      replication.spawn(eid);
      protocol.components.forEach((component, id) => {
        if (hasComponent(world, eid, component)) replication.addComponent(eid, id);
      });
    }
  }

  /** Start accepting connections. Ticking (`receive`) before calling it throws: nothing would ever connect. */
  start(): Promise<void> {
    this.lifecycle = 'started';
    return this.endpoint.start();
  }

  /**
   * Drain, then stop: what a node of a cluster does on SIGTERM. At once the server leaves room
   * placement, unlists its rooms (so it hands out no new seat) and reports not ready; a Hello that
   * would start a new session is closed with 4011. Its rooms keep running — keep ticking — and
   * resolve early once no session is left; at `timeoutMs` the clients still here are closed with
   * 4011 (a client with a `matchmake` option finds a room on another node by itself), then the
   * server stops as {@link stop} does.
   *
   * ```ts
   * process.once('SIGTERM', () => void net.drain({ timeoutMs: 10_000 }).then(() => process.exit(0)));
   * ```
   */
  async drain(options: DrainOptions = {}): Promise<void> {
    if (this.lifecycle === 'stopped') return;
    const timeoutMs = options.timeoutMs ?? 30_000;
    const deadline = this.clock.now() + timeoutMs;
    this.endpoint.beginDrain();
    await this.matchmaker.drain();
    options.onUnlisted?.();
    while (this.endpoint.connections.size > 0 && this.clock.now() < deadline) {
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, Math.min(50, Math.max(1, deadline - this.clock.now()))));
    }
    this.endpoint.closeAll(CloseCode.Rematchmake, options.reason ?? DRAIN_TIMEOUT_REASON);
    await this.stop(options.reason ?? DRAIN_TIMEOUT_REASON);
  }

  /** Graceful shutdown: every client gets its queued messages and close 4004; the transport stops. */
  async stop(reason = 'server shutdown'): Promise<void> {
    this.lifecycle = 'stopped';
    await this.endpoint.shutdown(reason);
    await this.matchmaker.close();
    await this.messaging.close();
    for (const dispose of this.unobserve.splice(0)) dispose();
  }

  /**
   * System, first in the tick: advance the tick and turn everything that arrived since the last
   * tick into this tick's events and messages.
   */
  readonly receive = (): void => {
    if (this.lifecycle === 'created') throw new Error(TICK_BEFORE_START);
    // Timed only for an observer: reading the clock is a call into the runtime, every tick.
    this.tickStartedAt = this.endpoint.observers.any ? performance.now() : -1;
    this.tick++;
    this.endpoint.tick = this.tick;
    for (const id of this.endedOwners.splice(0)) this.ownership.releaseAll(id);
    this.eventBuffer = NO_EVENTS;
    this.messageBuffers.clear();
    this.messaging.beginTick();
    this.endpoint.drain(this.onEvent, this.onMessage);
    this.matchmaker.beginTick();
    for (const event of this.matchmaker.events()) this.trackRoomMembership(event);
  };

  /** A matchmade room is also the interest room of its clients: one name, one concept. */
  private trackRoomMembership(event: RoomEvent): void {
    if (event.type === 'joined') this.replication.joinRoom(event.connection.id, event.room.id);
    // A session that ended has left every interest room already.
    else if (event.type === 'left' && this.replication.roomMembers(event.room.id).has(event.connection.id)) this.replication.leaveRoom(event.connection.id, event.room.id);
  }

  // `drain`'s callbacks, made once rather than per tick.
  private readonly onEvent = (event: ConnectionEvent): void => {
    // An array only for a tick that has events (most have none); a tick's array never changes after its tick.
    if (this.eventBuffer === NO_EVENTS) {
      this.tickEvents = [];
      this.eventBuffer = this.tickEvents;
    }
    this.tickEvents.push(event);
    this.trackForReplication(event);
    this.messaging.connectionEvent(event);
    this.matchmaker.connectionEvent(event);
  };

  private readonly onMessage = (source: ServerConnection, message: ReceivedMessage): void => {
    if (message.type === ResyncMessage) this.replication.resync(source.id);
    else if (!this.messaging.route(source, message)) this.messageBuffers.push(message.type, { source, data: message.data });
  };

  private trackForReplication(event: ConnectionEvent): void {
    const id = event.connection.id;
    switch (event.type) {
      case 'connected':
        this.replication.addClient(id);
        break;
      case 'reconnected':
        this.replication.resync(id);
        break;
      case 'disconnected':
        if (!event.resumable) this.endClient(id);
        break;
      case 'expired':
        this.endClient(id);
        break;
    }
  }

  private endClient(id: number): void {
    this.replication.removeClient(id);
    this.endedOwners.push(id);
  }

  /** System: find what changed in networked entities and encode it once for everyone. */
  readonly replicate = (): void => {
    this.replication.replicate(this.tick);
  };

  /** System, last in the tick: one frame per connection with its messages and its state. */
  readonly flush = (): void => {
    this.messaging.flush();
    this.endpoint.flush(this.tick, this.writeState, this.splitState);
    const observers = this.endpoint.observers;
    if (observers.any && this.tickStartedAt >= 0) {
      observers.emit('tick', performance.now() - this.tickStartedAt, query(this.world, [Networked]).length);
      this.tickStartedAt = -1;
    }
  };

  private readonly writeState = (connection: ServerConnection, w: ByteWriter): void => {
    // State is binary-only: a JSON peer gets messages, never a state section.
    if (!speaksJson(connection)) this.replication.writeState(connection.id, w);
  };

  private readonly splitState = (section: Uint8Array, budget: number): readonly Uint8Array[] => this.replication.splitState(section, budget);

  /** Connection events of this tick: connected, disconnected (with code and reason), reconnected, expired, error. */
  events(): readonly ConnectionEvent[] {
    return this.eventBuffer;
  }

  /** Messages of one type received this tick, with their source. */
  messages<S extends Shape>(type: MessageType<S>): readonly Received<ShapeValue<S>>[] {
    return this.messageBuffers.get(type) as readonly Received<ShapeValue<S>>[];
  }

  private session(connection: Connection): ServerConnection | undefined {
    const session = this.endpoint.connections.get(connection.id);
    return session && session === connection ? session : undefined;
  }

  /** Queue a message to one connection for this tick's frame. False if it is gone or its channel overflowed. */
  send<S extends Shape>(to: Connection, type: MessageType<S>, data: ShapeValue<S>): boolean {
    const session = this.session(to);
    if (!session) return false;
    if (type.direction === 'toServer') throw new TypeError(`message ${type.name} is client → server only`);
    return session.enqueue(type, data);
  }

  /** Queue a message to every connection (held sessions too: they get it on resume). Encoded once. */
  broadcast<S extends Shape>(type: MessageType<S>, data: ShapeValue<S>): void;
  /** Queue a message to the connections in a room (see `joinRoom`). Encoded once. */
  broadcast<S extends Shape>(room: string, type: MessageType<S>, data: ShapeValue<S>): void;
  broadcast<S extends Shape>(...args: [MessageType<S>, ShapeValue<S>] | [string, MessageType<S>, ShapeValue<S>]): void {
    if (typeof args[0] === 'string') this.broadcastToRoom(args[0], args[1] as MessageType<S>, args[2] as ShapeValue<S>);
    else this.broadcastTo(this.endpoint.connections.values(), args[0], args[1] as ShapeValue<S>, undefined);
  }

  /** Queue a message to every connection but one. */
  broadcastExcept<S extends Shape>(except: Connection, type: MessageType<S>, data: ShapeValue<S>): void;
  /** Queue a message to the connections in a room but one. */
  broadcastExcept<S extends Shape>(room: string, except: Connection, type: MessageType<S>, data: ShapeValue<S>): void;
  broadcastExcept<S extends Shape>(
    ...args: [Connection, MessageType<S>, ShapeValue<S>] | [string, Connection, MessageType<S>, ShapeValue<S>]
  ): void {
    if (typeof args[0] === 'string') this.broadcastToRoom(args[0], args[2] as MessageType<S>, args[3] as ShapeValue<S>, args[1] as Connection);
    else this.broadcastTo(this.endpoint.connections.values(), args[1] as MessageType<S>, args[2] as ShapeValue<S>, args[0]);
  }

  /** Queue a message to the connections in a room. */
  broadcastToRoom<S extends Shape>(room: string, type: MessageType<S>, data: ShapeValue<S>, except?: Connection): void {
    const members: ServerConnection[] = [];
    for (const id of this.replication.roomMembers(room)) {
      const session = this.endpoint.connections.get(id);
      if (session) members.push(session);
    }
    this.broadcastTo(members, type, data, except);
  }

  private broadcastTo<S extends Shape>(
    targets: Iterable<ServerConnection>,
    type: MessageType<S>,
    data: ShapeValue<S>,
    except: Connection | undefined,
  ): void {
    if (type.direction === 'toServer') throw new TypeError(`message ${type.name} is client → server only`);
    const payload = this.endpoint.codec.encode(type, data);
    const typeId = this.protocol.messageId(type);
    for (const session of [...targets]) {
      if (session !== except && session.state !== 'closed') session.enqueueEncoded(typeId, payload, type.droppable);
    }
  }

  /** This tick's requests of one type: answer each with `respond(reply)` or `fail(code, message)`, now or later. */
  requests<Q extends Shape, R extends Shape>(type: RequestType<Q, R>): readonly IncomingRequest<ShapeValue<Q>, ShapeValue<R>>[] {
    return this.messaging.requests(type);
  }

  /** Ask a client (a request type declared `toClient` or `both`); rejects with a `RequestError` on timeout, disconnect or refusal. */
  request<Q extends Shape, R extends Shape>(to: Connection, type: RequestType<Q, R>, data: ShapeValue<Q>, options: RequestOptions = {}): Promise<ShapeValue<R>> {
    return this.messaging.request(to, type, data, options.timeout);
  }

  /** Publish to every connection subscribed to `topic` (by name or pattern); returns how many it reached. */
  publish<S extends Shape>(topic: string, type: MessageType<S>, data: ShapeValue<S>): number {
    return this.messaging.publish(topic, type, data);
  }

  /** Send a message to every connection of an identity; returns how many — 0 when it is offline. */
  sendToIdentity<S extends Shape>(identity: string, type: MessageType<S>, data: ShapeValue<S>): number {
    return this.messaging.sendToIdentity(identity, type, data);
  }

  /** Set the metadata presence watchers see for an online identity (announced at `flush`); false when offline. */
  setPresence(identity: string, metadata: PresenceMetadata | undefined): boolean {
    return this.messaging.setPresence(identity, metadata);
  }

  /** The identity key of a connection (see the `identityKey` option). */
  identityOf(connection: Connection): string | undefined {
    return this.messaging.identityOf(connection);
  }

  /** Close a connection (default 4003 kicked). Emits `disconnected` at the next `receive`. */
  disconnect(connection: Connection, code: number = CloseCode.Kicked, reason = 'kicked'): void {
    this.session(connection)?.close(code, reason);
  }

  /** Every active or held connection. */
  connections(): IterableIterator<Connection> {
    return this.endpoint.connections.values();
  }

  /** A connection by id. */
  connection(id: number): Connection | undefined {
    return this.endpoint.connections.get(id);
  }

  /**
   * Change one connection's update rate at run time: a frame every `ticks` ticks (1: every tick),
   * staggered by id. Starts at `settings.sendInterval`. Skipped ticks lose nothing: the next frame
   * carries the queued messages and the latest state of everything that changed.
   */
  setSendInterval(connection: Connection, ticks: number): void {
    const session = this.endpoint.connections.get(connection.id);
    if (session === undefined) throw new RangeError(`connection ${connection.id} is not connected to this server`);
    session.sendInterval = ticks;
  }

  /**
   * Cap one connection's bandwidth at run time: its frames (header, messages and state) carry at
   * most `bytesPerSecond` on average; `undefined` lifts the cap. Starts at
   * `replication.bandwidth.bytesPerSecond`. Under the cap, entities with the highest accumulated
   * priority go first (see `replication.bandwidth.priority`; by default nearer the connection's
   * focus is more important) and the rest wait with their priority growing, so nothing starves
   * and nothing is lost: the client converges once the cap allows.
   */
  setBandwidth(connection: Connection, bytesPerSecond: number | undefined): void {
    if (this.endpoint.connections.get(connection.id) === undefined) throw new RangeError(`connection ${connection.id} is not connected to this server`);
    this.replication.setBandwidth(connection.id, bytesPerSecond);
  }

  /**
   * Record which connection owns an entity (its inputs may drive it); undefined to clear. The
   * owner is told (`tickwire.ownership`), so its client knows which entity to predict and follow.
   *
   * Ownership ends with the entity: removing it (`removeEntity`) or its `Networked` marker tells
   * the owner `owned: false` in that tick's frame, and an entity that reuses the id starts
   * unowned. It also ends when the owner's session ends for good (see {@link owned}). Throws a
   * `RangeError` for an entity not in the world or a connection that is not this server's.
   */
  setOwner(eid: number, owner: Connection | undefined): void {
    if (owner !== undefined) {
      if (this.session(owner) === undefined) throw new RangeError(`connection ${owner.id} is not connected to this server (closed, or its session expired)`);
      this.track(eid);
    }
    const previous = this.ownership.owner(eid);
    if (previous === owner?.id) return;
    this.ownership.set(eid, owner?.id);
    const released = previous === undefined ? undefined : this.endpoint.connections.get(previous);
    if (released) released.enqueue(OwnershipMessage, { entity: eid, owned: false });
    if (owner) this.session(owner)?.enqueue(OwnershipMessage, { entity: eid, owned: true });
  }

  /** The connection that owns an entity, if any (still connected or held). */
  owner(eid: number): Connection | undefined {
    const id = this.ownership.owner(eid);
    return id === undefined ? undefined : this.endpoint.connections.get(id);
  }

  /** The entity ended: its owner (if any) is told at once, in this tick's frame. */
  private endOwnership(eid: number): void {
    const previous = this.ownership.owner(eid);
    if (previous === undefined) return;
    this.ownership.forget(eid);
    this.endpoint.connections.get(previous)?.enqueue(OwnershipMessage, { entity: eid, owned: false });
  }

  /** Mark an entity tickwire keeps records for, so that its removal ends them (see EntityLifetime). */
  private track(eid: number): void {
    if (!entityExists(this.world, eid)) throw new RangeError(`entity ${eid} does not exist in this server's world`);
    if (!hasComponent(this.world, eid, EntityLifetime)) addComponent(this.world, eid, EntityLifetime);
  }

  /**
   * Entities owned by a connection (a copy: safe to remove them while iterating). For a
   * connection whose session ended this tick (`expired`, or `disconnected` and not resumable),
   * the entities it owned when it ended, so the game can remove them; from the next tick on, none.
   */
  owned(connection: Connection): number[] {
    return [...this.ownership.entities(connection.id)];
  }

  /**
   * True when `connection` owns `eid`: check it before acting on an entity id a client named.
   * False once the connection's session has ended (expired or closed for good).
   */
  owns(connection: Connection, eid: number): boolean {
    return this.ownership.owner(eid) === connection.id && this.session(connection) !== undefined;
  }

  /**
   * This tick's messages of one type, once per entity their sender owns: the safe way to apply
   * inputs, since the entity comes from the server's ownership record, never from the client.
   */
  ownedInputs<S extends Shape>(type: MessageType<S>): Array<Received<ShapeValue<S>> & { readonly eid: number }> {
    const out: Array<Received<ShapeValue<S>> & { readonly eid: number }> = [];
    const received = this.messages(type);
    if (received.length === 0) return out;
    for (const input of received) {
      for (const eid of this.ownership.entities(input.source.id)) out.push({ ...input, eid });
    }
    return out;
  }

  /**
   * Announce a write to `component`'s fields of `eid` this tick. Components listed in
   * `replication.marked` are compared only where marked, so an entity nobody touched costs
   * nothing; for other components this does nothing. Mark after (or while) writing, before
   * `replicate`:
   *
   * ```ts
   * Position.x[eid] += vx; Position.y[eid] += vy;
   * net.markChanged(eid, Position);
   * ```
   */
  markChanged(eid: number, component: Component): void {
    this.replication.markChanged(eid, component);
  }

  /**
   * Put a connection in a room — connection first, then the room's name: it sees the room's
   * entities (see {@link NetworkServer.addToRoom}) and receives `broadcast(room, …)`.
   */
  joinRoom(connection: Connection, room: string): void {
    checkRoomArguments('joinRoom(connection, room)', typeof connection === 'object' && connection !== null, room);
    this.replication.joinRoom(connection.id, room);
  }

  /** Take a connection out of a room (connection first, then the room's name). */
  leaveRoom(connection: Connection, room: string): void {
    checkRoomArguments('leaveRoom(connection, room)', typeof connection === 'object' && connection !== null, room);
    this.replication.leaveRoom(connection.id, room);
  }

  /**
   * Scope an entity to a room — entity id first, then the room's name: only the room's
   * connections see it (entities in no room are global). An entity may be in several rooms.
   * Scoping belongs to the entity until it is removed from the world or `removeFromRoom`
   * is called: removing and re-adding `Networked` keeps it. Throws a `RangeError` for an entity
   * not in the world.
   */
  addToRoom(eid: number, room: string): void {
    checkRoomArguments('addToRoom(eid, room)', typeof eid === 'number', room);
    this.track(eid);
    this.replication.addToRoom(eid, room);
  }

  /** Take an entity out of a room (entity id first, then the room's name). */
  removeFromRoom(eid: number, room: string): void {
    checkRoomArguments('removeFromRoom(eid, room)', typeof eid === 'number', room);
    this.replication.removeFromRoom(eid, room);
  }

  /** Spatial interest: the connection sees entities within `radius` of `eid`. */
  setFocus(connection: Connection, eid: number | undefined, radius = 0): void {
    this.replication.setFocus(connection.id, eid, radius);
  }

  /** Custom interest: the final say on whether a connection sees an entity. */
  setFilter(filter: ((connection: Connection, eid: number) => boolean) | undefined): void {
    this.replication.setFilter(
      filter &&
        ((clientId, eid) => {
          const connection = this.endpoint.connections.get(clientId);
          return connection ? filter(connection, eid) : false;
        }),
    );
  }
}

/** Swapped arguments would scope nothing and say nothing: refuse them (JavaScript callers have no type check). */
function checkRoomArguments(signature: string, firstIsRight: boolean, room: unknown): void {
  if (!firstIsRight || typeof room !== 'string') throw new TypeError(`tickwire: ${signature} — the room's name comes second, as a string`);
}

/** Create the server half of tickwire for a bitECS world. Call `start()` to accept connections. */
export function createServer(world: World, protocol: Protocol, options: ServerOptions): NetworkServer {
  return new NetworkServer(world, protocol, options);
}
