import type { Connection } from '../connection/connection.js';
import type { ConnectionEvent } from '../connection/connection-events.js';
import type { Logger } from '../connection/logger.js';
import type { ReceivedMessage } from '../connection/message-receiver.js';
import { PendingRequests, type ReplyPayload, RequestError, RequestFailure } from './pending-requests.js';
import { type PresenceEvent, type PresenceMetadata, PresenceRegistry } from './presence.js';
import type { ServerConnection } from '../connection/server-connection.js';
import type { ServerEndpoint } from '../connection/server-endpoint.js';
import { TopicSubscriptions, topicProblem } from './topics.js';
import type { Shape, ShapeValue } from '../schema/fields.js';
import type { MessageType } from '../schema/message.js';
import { InvalidMessageError } from '../schema/message-codec.js';
import {
  Direct,
  DirectMessage,
  MAX_IDENTITY_BYTES,
  PresenceMessage,
  Publish,
  Subscribe,
  TopicMessage,
  Unsubscribe,
  UnwatchPresence,
  WatchPresence,
} from '../schema/messaging-messages.js';
import type { Protocol } from '../schema/protocol.js';
import { type RequestType, requestRole } from '../schema/request.js';
import type { Clock } from '../transport/clock.js';
import { type BusDelivery, BusUnavailable, type CarriedMessage, LOCAL_NODE, type MessagingBus, localBus } from './bus.js';
import { type MessagingAction, type ServerMessagingOptions, anonymousIdentityKey, defaultIdentityKey } from './messaging-options.js';
import { TickBuffers } from './tick-buffers.js';

/** A request as a server system reads it: answer it once, now or later, with `respond` or `fail`. */
export interface IncomingRequest<Q, R> {
  readonly source: Connection;
  readonly data: Q;
  /** The requester's id for it (seed 003's `message_id`). */
  readonly id: number;
  /** Send the reply. False when already answered or the connection is gone. */
  respond(reply: R): boolean;
  /** Refuse with a code (400, 403, 404, 500…) and a message. False when already answered or the connection is gone. */
  fail(code: number, message: string): boolean;
}

const textEncoder = new TextEncoder();

/**
 * The server half of messaging beyond state. `NetworkServer.receive` hands it every connection
 * event and every message; it keeps request/reply, subscribe/publish/direct/presence traffic for
 * itself and answers the built-in requests at once, so game systems only see `requests(Type)`.
 * It serves this process's sessions itself; what may concern other processes goes through its
 * {@link MessagingBus} (by default the local one, which sends nothing anywhere).
 */
export class ServerMessaging {
  private readonly requestBuffers = new TickBuffers<RequestType, IncomingRequest<unknown, unknown>>();
  private readonly pending = new Map<ServerConnection, PendingRequests>();
  private readonly identities = new Map<ServerConnection, string>();
  private readonly topics: TopicSubscriptions<ServerConnection>;
  private readonly presence: PresenceRegistry<ServerConnection>;
  private readonly carriedTypes = new Map<string, MessageType>();
  private readonly builtins = new Map<RequestType, (source: ServerConnection, rid: number, data: never) => void>();
  private publishedThisTick = new Map<ServerConnection, number>();
  /** Sessions that got messages from other nodes since the last relay flush. */
  private relayed = new Set<ServerConnection>();
  private relayScheduled = false;
  /** Where messages for other processes go, and theirs come from. */
  readonly bus: MessagingBus;

  constructor(
    private readonly protocol: Protocol,
    private readonly endpoint: ServerEndpoint,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: ServerMessagingOptions = {},
  ) {
    const settings = endpoint.settings;
    this.topics = new TopicSubscriptions(settings.maxSubscriptions);
    this.presence = new PresenceRegistry(settings.maxWatchedIdentities);
    this.bus = options.bus ?? localBus();
    this.bus.attach(this.delivery());
    for (const type of protocol.messages) if (!type.name.startsWith('tickwire.') && !requestRole(type)) this.carriedTypes.set(type.name, type);
    this.builtin(Subscribe, (source, rid, data: { topics: string[] }) => this.subscribe(source, rid, data.topics));
    this.builtin(Unsubscribe, (source, rid, data: { topics: string[] }) => this.unsubscribe(source, rid, data.topics));
    this.builtin(Publish, (source, rid, data: { topic: string; type: string; data: Uint8Array }) => this.publishFrom(source, rid, data));
    this.builtin(Direct, (source, rid, data: { to: string; type: string; data: Uint8Array }) => this.directFrom(source, rid, data));
    this.builtin(WatchPresence, (source, rid, data: { identities?: string[] }) => this.watch(source, rid, data.identities));
    this.builtin(UnwatchPresence, (source, rid) => {
      this.presence.unwatch(source);
      this.reply(source, UnwatchPresence, rid, {});
    });
  }

  private builtin<Q extends Shape>(type: RequestType<Q>, handle: (source: ServerConnection, rid: number, data: ShapeValue<Q>) => void): void {
    this.builtins.set(type as RequestType, handle as (source: ServerConnection, rid: number, data: never) => void);
  }

  /** Start of `receive`: last tick's requests stop being visible; publish budgets refill. */
  beginTick(): void {
    this.requestBuffers.clear();
    if (this.publishedThisTick.size) this.publishedThisTick = new Map();
  }

  /** A connection event from `receive`: identities, presence and pending requests follow sessions. */
  connectionEvent(event: ConnectionEvent): void {
    const connection = event.connection as ServerConnection;
    switch (event.type) {
      case 'connected': {
        const key = this.keyFor(connection);
        this.identities.set(connection, key);
        this.presence.add(key, connection);
        break;
      }
      case 'disconnected':
        // A reply to a request made before the drop can no longer be told apart from a stale one.
        this.pending.get(connection)?.rejectAll(RequestFailure.Disconnected, `connection ${connection.id} closed with close code ${event.code}`);
        this.pending.delete(connection);
        if (!event.resumable) this.forget(connection);
        break;
      case 'expired':
        this.forget(connection);
        break;
    }
  }

  private keyFor(connection: ServerConnection): string {
    // The local bus is one process; any other bus names this node among others.
    const node = this.bus.node === LOCAL_NODE ? undefined : this.bus.node;
    let key: string;
    try {
      key = (this.options.identityKey ?? defaultIdentityKey)(connection.identity, connection, node);
    } catch (error) {
      this.logger.warn('identityKey threw; the connection is anonymous', { connection: connection.id, error: String(error) });
      return anonymousIdentityKey(connection, node);
    }
    if (typeof key === 'string' && key.length > 0 && textEncoder.encode(key).length <= MAX_IDENTITY_BYTES) return key;
    this.logger.warn('identity key is empty or over 128 bytes; the connection is anonymous', { connection: connection.id });
    return anonymousIdentityKey(connection, node);
  }

  private forget(connection: ServerConnection): void {
    const key = this.identities.get(connection);
    if (key !== undefined) this.presence.remove(key, connection);
    this.identities.delete(connection);
    for (const pattern of this.topics.removeAll(connection)) this.bus.interest(pattern, this.topics.holders(pattern));
    this.presence.unwatch(connection);
  }

  /**
   * What other processes send, delivered to this one's sessions as if sent here — and sent on at
   * once rather than with the next tick (see {@link relay}).
   */
  private delivery(): BusDelivery {
    return {
      direct: (identity, message) => this.relay(this.deliverDirect(this.liveConnectionsOf(identity), message, this.relayed)),
      publish: (topic, message) => this.relay(this.deliverPublication(topic, message, this.relayed)),
      presence: (node, change) => this.presence.setRemote(node, change.identity, change.present, change.metadata),
    };
  }

  /**
   * A message from another node has already waited for its sender's tick: waiting for this node's
   * tick too would add half a tick on average. Its sessions get a Messages frame in a microtask,
   * so everything one bus read delivers leaves in one frame per session, in queue order.
   */
  private relay(reached: number): number {
    if (this.relayScheduled || this.relayed.size === 0) return reached;
    this.relayScheduled = true;
    queueMicrotask(() => {
      this.relayScheduled = false;
      const targets = this.relayed;
      this.relayed = new Set();
      this.endpoint.flushMessages(targets);
    });
    return reached;
  }

  /** Take a received message if it is messaging traffic; false leaves it to `messages(Type)`. */
  route(source: ServerConnection, message: ReceivedMessage): boolean {
    const role = requestRole(message.type);
    if (!role) return false;
    if (role.role === 'reply') {
      this.pending.get(source)?.settle(role.requestType, message.data as ReplyPayload);
      return true;
    }
    const { rid, data } = message.data as { rid: number; data: unknown };
    const builtin = this.builtins.get(role.requestType);
    if (builtin) builtin(source, rid, data as never);
    else this.requestBuffers.push(role.requestType, this.incoming(source, role.requestType, rid, data));
    return true;
  }

  private incoming(source: ServerConnection, type: RequestType, rid: number, data: unknown): IncomingRequest<unknown, unknown> {
    let answered = false;
    const answer = (payload: Omit<ReplyPayload, 'rid'>): boolean => {
      if (answered || this.endpoint.connections.get(source.id) !== source) return false;
      answered = true;
      return source.enqueue(type.reply, { rid, ...payload });
    };
    return {
      source,
      data,
      id: rid,
      respond: (reply) => answer({ data: reply }),
      fail: (code, message) => answer({ error: { code, message } }),
    };
  }

  private reply<R extends Shape>(source: ServerConnection, type: RequestType<Shape, R>, rid: number, data: ShapeValue<R>): void {
    source.enqueue(type.reply as MessageType, { rid, data });
  }

  private refuse(source: ServerConnection, type: RequestType, rid: number, code: number, message: string): void {
    source.enqueue(type.reply, { rid, error: { code, message } });
  }

  private allowed(connection: ServerConnection, action: MessagingAction, target: string): boolean {
    if (!this.options.authorize) return true;
    try {
      return this.options.authorize(connection, action, target) === true;
    } catch (error) {
      this.logger.warn('authorize threw; refusing', { connection: connection.id, action, target, error: String(error) });
      return false;
    }
  }

  /** This tick's requests of one type. */
  requests<Q extends Shape, R extends Shape>(type: RequestType<Q, R>): readonly IncomingRequest<ShapeValue<Q>, ShapeValue<R>>[] {
    return this.requestBuffers.get(type as RequestType) as readonly IncomingRequest<ShapeValue<Q>, ShapeValue<R>>[];
  }

  /** Ask a client; the promise settles with its reply, or rejects (408 timeout, 429, 503 gone, or the client's code). */
  request<Q extends Shape, R extends Shape>(
    to: Connection,
    type: RequestType<Q, R>,
    data: ShapeValue<Q>,
    timeoutMs = this.endpoint.settings.requestTimeoutMs,
  ): Promise<ShapeValue<R>> {
    if (type.direction === 'toServer') throw new TypeError(`request ${type.name} is asked by clients only`);
    const session = this.endpoint.connections.get(to.id);
    if (!session || session !== to || session.state !== 'active')
      return Promise.reject(new RequestError(type.name, RequestFailure.Disconnected, `connection ${to.id} is not connected`));
    let table = this.pending.get(session);
    if (!table) {
      table = new PendingRequests(this.clock, this.endpoint.settings.maxPendingRequests);
      this.pending.set(session, table);
    }
    const opened = table.open(type as RequestType, timeoutMs);
    if (opened instanceof RequestError) return Promise.reject(opened);
    let queued: boolean;
    try {
      queued = session.enqueue(type.request as MessageType, { rid: opened.rid, data });
    } catch (error) {
      // An invalid payload is the caller's bug: thrown to it, with the request withdrawn quietly.
      opened.reply.catch(() => {});
      table.cancel(opened.rid, new RequestError(type.name, RequestFailure.BadReply, 'not sent'));
      throw error;
    }
    if (!queued) table.cancel(opened.rid, new RequestError(type.name, RequestFailure.Disconnected, 'the request could not be queued'));
    return opened.reply as Promise<ShapeValue<R>>;
  }

  // ---- topics ----

  private subscribe(source: ServerConnection, rid: number, topics: readonly string[]): void {
    const subscribed: string[] = [];
    const refused: Array<{ topic: string; code: number }> = [];
    for (const topic of topics) {
      if (topicProblem(topic, true)) refused.push({ topic, code: 400 });
      else if (!this.allowed(source, 'subscribe', topic)) refused.push({ topic, code: 403 });
      else {
        const outcome = this.topics.subscribe(source, topic);
        if (outcome === 'limit') refused.push({ topic, code: 429 });
        else subscribed.push(topic);
        if (outcome === 'added') this.bus.interest(topic, this.topics.holders(topic));
      }
    }
    this.reply(source, Subscribe, rid, { subscribed, refused, active: this.topics.count(source) });
  }

  private unsubscribe(source: ServerConnection, rid: number, topics: readonly string[]): void {
    const unsubscribed = topics.filter((topic) => this.topics.unsubscribe(source, topic));
    for (const topic of unsubscribed) this.bus.interest(topic, this.topics.holders(topic));
    this.reply(source, Unsubscribe, rid, { unsubscribed, active: this.topics.count(source) });
  }

  /** Charge one publication or direct message to the source's per-tick budget. */
  private withinBudget(source: ServerConnection): boolean {
    const used = this.publishedThisTick.get(source) ?? 0;
    if (used >= this.endpoint.settings.maxPublishesPerTick) return false;
    this.publishedThisTick.set(source, used + 1);
    return true;
  }

  /** Check a carried payload as if it had arrived on its own; a problem is returned as a message. */
  private carriedProblem(typeName: string, payload: Uint8Array): string | undefined {
    const type = this.carriedTypes.get(typeName);
    if (!type) return `${typeName} is not a registered message type`;
    try {
      this.endpoint.codec.decode(type, payload);
      return undefined;
    } catch (error) {
      return error instanceof InvalidMessageError || error instanceof Error ? error.message : String(error);
    }
  }

  private publishFrom(source: ServerConnection, rid: number, data: { topic: string; type: string; data: Uint8Array }): void {
    const problem = topicProblem(data.topic, false) ?? this.carriedProblem(data.type, data.data);
    if (!this.withinBudget(source)) this.refuse(source, Publish, rid, 429, 'too many publications this tick');
    else if (problem) this.refuse(source, Publish, rid, 400, problem);
    else if (!this.allowed(source, 'publish', data.topic)) this.refuse(source, Publish, rid, 403, `not allowed to publish to ${data.topic}`);
    else {
      const recipients = this.fanOut(data.topic, carried(this.identities.get(source), data.type, data.data));
      if (typeof recipients === 'number') this.reply(source, Publish, rid, { recipients });
      else this.refuse(source, Publish, rid, 503, recipients.message);
    }
  }

  /** Publish here and beyond: the recipients known at send time, or why other processes could not be reached. */
  private fanOut(topic: string, message: CarriedMessage): number | BusUnavailable {
    const local = this.deliverPublication(topic, message);
    try {
      return local + this.bus.publish(topic, message);
    } catch (error) {
      if (error instanceof BusUnavailable) return new BusUnavailable(`reached ${local} here; other nodes: ${error.message}`);
      throw error;
    }
  }

  private deliverPublication(topic: string, message: CarriedMessage, reached?: Set<ServerConnection>): number {
    const subscribers = this.topics.subscribers(topic);
    if (subscribers.size === 0) return 0;
    const { from, type: typeName, data: payload } = message;
    const wire = from === undefined ? { topic, type: typeName, data: payload } : { topic, from, type: typeName, data: payload };
    // A relay never throws: a subscriber that cannot take the envelope is skipped (and logged) by enqueueEncoded.
    const encoded = this.endpoint.codec.encode(TopicMessage, wire, Number.POSITIVE_INFINITY);
    const id = this.protocol.messageId(TopicMessage);
    let recipients = 0;
    for (const subscriber of subscribers) {
      if (subscriber.state === 'closed' || !subscriber.enqueueEncoded(id, encoded, false)) continue;
      recipients++;
      reached?.add(subscriber);
    }
    return recipients;
  }

  /** Publish from the server to every subscriber of `topic`; returns how many connections it reached. */
  publish<S extends Shape>(topic: string, type: MessageType<S>, data: ShapeValue<S>): number {
    const problem = topicProblem(topic, false);
    if (problem) throw new TypeError(problem);
    if (this.carriedTypes.get(type.name) !== type) throw new TypeError(`message type ${type.name} is not registered for topics`);
    const recipients = this.fanOut(topic, carried(undefined, type.name, this.endpoint.codec.encode(type, data)));
    if (typeof recipients !== 'number') throw recipients;
    return recipients;
  }

  // ---- direct messages ----

  private directFrom(source: ServerConnection, rid: number, data: { to: string; type: string; data: Uint8Array }): void {
    const problem = this.carriedProblem(data.type, data.data);
    if (!this.withinBudget(source)) {
      this.refuse(source, Direct, rid, 429, 'too many direct messages this tick');
      return;
    }
    if (problem) {
      this.refuse(source, Direct, rid, 400, problem);
      return;
    }
    if (!this.allowed(source, 'direct', data.to)) {
      this.refuse(source, Direct, rid, 403, `not allowed to message ${data.to}`);
      return;
    }
    const message = carried(this.identities.get(source), data.type, data.data);
    const local = this.deliverDirect(this.liveConnectionsOf(data.to), message);
    const answer = (remote: number) => {
      if (local + remote === 0) this.refuse(source, Direct, rid, 404, `identity ${data.to} is not connected`);
      else this.reply(source, Direct, rid, { delivered: Math.min(local + remote, 0xffff) });
    };
    const refuseUnavailable = (error: unknown) => {
      if (!(error instanceof BusUnavailable)) throw error;
      // Delivered here but not beyond is still a loss the sender must hear of.
      this.refuse(source, Direct, rid, 503, `reached ${local} here; other nodes: ${error.message}`);
    };
    let remote: number | Promise<number>;
    try {
      remote = this.bus.direct(data.to, message);
    } catch (error) {
      refuseUnavailable(error);
      return;
    }
    if (typeof remote === 'number') answer(remote);
    else remote.then(answer, refuseUnavailable).catch((error) => this.logger.error('direct reply failed', { error: String(error) }));
  }

  private deliverDirect(targets: readonly ServerConnection[], message: CarriedMessage, reached?: Set<ServerConnection>): number {
    if (targets.length === 0) return 0;
    const { from } = message;
    const encoded = this.endpoint.codec.encode(DirectMessage, { ...(from === undefined ? {} : { from }), type: message.type, data: message.data }, Number.POSITIVE_INFINITY);
    const id = this.protocol.messageId(DirectMessage);
    let delivered = 0;
    for (const target of targets) {
      if (!target.enqueueEncoded(id, encoded, false)) continue;
      delivered++;
      reached?.add(target);
    }
    return delivered;
  }

  private liveConnectionsOf(identity: string): ServerConnection[] {
    return [...this.presence.connectionsOf(identity)].filter((c) => c.state !== 'closed');
  }

  /** Send a message to every connection of an identity; returns how many (0: the identity is offline). */
  sendToIdentity<S extends Shape>(identity: string, type: MessageType<S>, data: ShapeValue<S>): number {
    if (type.direction === 'toServer') throw new TypeError(`message ${type.name} is client → server only`);
    const targets = this.liveConnectionsOf(identity);
    if (targets.length === 0) return 0;
    const payload = this.endpoint.codec.encode(type, data);
    const id = this.protocol.messageId(type);
    let delivered = 0;
    for (const target of targets) if (target.enqueueEncoded(id, payload, type.droppable)) delivered++;
    return delivered;
  }

  // ---- presence ----

  private watch(source: ServerConnection, rid: number, identities: readonly string[] | undefined): void {
    const targets = identities ?? ['*'];
    if (!targets.every((target) => this.allowed(source, 'presence', target))) {
      this.refuse(source, WatchPresence, rid, 403, 'not allowed to watch that presence');
      return;
    }
    const snapshot = this.presence.watch(source, identities);
    if (snapshot === 'limit') {
      this.refuse(source, WatchPresence, rid, 429, `more than ${this.endpoint.settings.maxWatchedIdentities} identities`);
      return;
    }
    for (const event of snapshot.slice(0, this.endpoint.settings.maxPresenceSnapshot)) source.enqueue(PresenceMessage, presenceWire(event));
    this.reply(source, WatchPresence, rid, { online: snapshot.length });
  }

  /** Set (or clear) the metadata presence events carry for an online identity; false when it is offline. */
  setPresence(identity: string, metadata: PresenceMetadata | undefined): boolean {
    return this.presence.setMetadata(identity, metadata);
  }

  /** The identity key of a connection (undefined once it is gone). */
  identityOf(connection: Connection): string | undefined {
    return this.identities.get(connection as ServerConnection);
  }

  /** The sessions (active or held) of an identity; empty when it is offline. */
  connectionsOf(identity: string): readonly Connection[] {
    return this.liveConnectionsOf(identity);
  }

  /** Before `flush`: announce this tick's presence changes to their watchers, one encoding each, and tell the bus; the bus sends. */
  flush(): void {
    const id = this.protocol.messageId(PresenceMessage);
    for (const change of this.presence.takeLocalChanges()) this.bus.presence(change);
    for (const { event, watchers } of this.presence.takeChanges()) {
      if (watchers.length === 0) continue;
      const encoded = this.endpoint.codec.encode(PresenceMessage, presenceWire(event));
      for (const watcher of watchers) if (watcher.state !== 'closed') watcher.enqueueEncoded(id, encoded, false);
    }
    this.bus.flush();
  }

  /** Leave the bus (the server is stopping). */
  close(): Promise<void> {
    return this.bus.close();
  }
}

function carried(from: string | undefined, type: string, data: Uint8Array): CarriedMessage {
  return from === undefined ? { type, data } : { from, type, data };
}

/** A presence event as the wire carries it: metadata as key/value pairs. */
function presenceWire(event: PresenceEvent): ShapeValue<(typeof PresenceMessage)['shape']> {
  const wire: ShapeValue<(typeof PresenceMessage)['shape']> = { identity: event.identity, status: event.status };
  if (event.metadata) wire.metadata = Object.entries(event.metadata).map(([key, value]) => ({ key, value }));
  return wire;
}
