import { type World, addComponent, addEntity, removeComponent, removeEntity } from 'bitecs';
import { type BackoffOptions, exponentialBackoff } from '../client/backoff.js';
import { Interpolation, type InterpolationOptions } from '../client/interpolation.js';
import type { PredictedEntity, PredictionOptions } from '../client/predicted-entity.js';
import { Prediction } from '../client/prediction.js';
import { TimeSync, type TimeSyncOptions } from '../client/time-sync.js';
import { type Clock, systemClock } from '../transport/clock.js';
import { type ClientConnectionOptions, type ClientEvent, ClientConnection, type ClientState } from '../connection/client-connection.js';
import type { Shape, ShapeValue } from '../schema/fields.js';
import type { MessageType } from '../schema/message.js';
import type { Protocol } from '../schema/protocol.js';
import { type Component, type ComponentShape, componentInfo } from '../schema/component.js';
import { ClientReplication, type EntitySink } from '../replication/client-replication.js';
import { Networked } from './networked.js';
import { OwnershipMessage } from '../schema/system-messages.js';
import type { MessageData } from '../schema/message.js';
import { SNAPSHOT_FLAG } from '../replication/state-section.js';
import { TickBuffers } from '../messaging/tick-buffers.js';
import { ClientMessaging, type Directed, type Publication, type RequestOptions, type ServerRequest, type SubscribeResult } from '../messaging/client-messaging.js';
import type { PresenceEvent } from '../messaging/presence.js';
import type { ReplyData, RequestType } from '../schema/request.js';
import type { Unsubscribe } from '../schema/messaging-messages.js';
import type { ReceivedMessage } from '../connection/message-receiver.js';
import type { ByteReader } from '../protocol/bytes.js';
import { resolveSettings } from '../connection/settings.js';
import { largestSplitTick, smallestClientFrameBytes } from '../replication/largest-record.js';
import { type StoreHolder, claimStores } from './store-claims.js';

/** Options of {@link createClient}. */
export interface ClientOptions extends Omit<ClientConnectionOptions, 'retry'> {
  /** Reconnect after a drop with exponential backoff and jitter (default), or `false` never to. */
  readonly reconnect?: BackoffOptions | false;
  /**
   * Snapshot interpolation of remote entities, for every component field declared
   * `interpolate` (on by default; toggle at run time with `net.interpolation.enabled`).
   */
  readonly interpolation?: InterpolationOptions;
  /** How the server's timeline is estimated from frame arrivals. */
  readonly timeSync?: TimeSyncOptions;
}

/**
 * The client half of tickwire for one bitECS world. Each frame: `receive` first (applies server
 * state into the world and exposes this frame's events and messages), your systems, then `flush`.
 *
 * ```ts
 * const net = createClient(world, protocol, { transport: webSocketClient('ws://localhost:8080/ws') });
 * net.connect();
 * function frame() { net.receive(); render(world); net.flush(); requestAnimationFrame(frame); }
 * ```
 */
export class NetworkClient {
  readonly connection: ClientConnection;
  readonly replication: ClientReplication;
  /** The newest server tick applied. */
  tick = 0;
  /** The server's timeline as this client estimates it: `rtt`, `jitterMs`, `sendIntervalMs`, `serverTick(now)`. */
  readonly timeSync: TimeSync;
  /** Snapshot interpolation of remote entities: `enabled`, `stats`, `timeline.targetDelayMs`. */
  readonly interpolation: Interpolation;
  /** Prediction of the entities this client controls: `enabled`, `maxCorrection`. See {@link NetworkClient.predict}. */
  readonly prediction: Prediction;
  /** Request/response, topics, direct messages and presence (see the README's Messaging section). */
  readonly messaging: ClientMessaging;
  private readonly messageBuffers = new TickBuffers<MessageType, unknown>();
  private readonly ownedServerIds = new Set<number>();
  /** Local ids despawned during the current `receive`: not reused before it returns. */
  private readonly removedThisReceive = new Set<number>();
  /** Ids bitECS offered during this `receive` that were in {@link removedThisReceive}; freed when it ends. */
  private readonly heldIds: number[] = [];
  private session = 0;
  private eventBuffer: readonly ClientEvent[] = [];
  private readonly clock: Clock;

  constructor(
    readonly world: World,
    readonly protocol: Protocol,
    options: ClientOptions,
  ) {
    const retry = options.reconnect === false ? undefined : exponentialBackoff(options.reconnect);
    this.clock = options.clock ?? systemClock;
    const timeSync = new TimeSync(options.timeSync);
    this.timeSync = timeSync;
    const settings = resolveSettings(options.settings);
    this.connection = new ClientConnection(protocol, {
      ...options,
      retry,
      maxTickParts: largestSplitTick(protocol, settings.maxFrameBytes, settings.inboundCapacity),
      onPong: (pong, rtt, receivedAt) => {
        timeSync.observeRtt(rtt);
        options.onPong?.(pong, rtt, receivedAt);
      },
      onTick: (tick, receivedAt) => {
        const rate = this.connection.tickRate;
        // Ticks only go backwards when the server restarted: a new timeline.
        if ((rate > 0 && Math.abs(1000 / rate - timeSync.tickIntervalMs) > 1e-9) || tick < timeSync.latestTick) timeSync.reset(rate, tick, receivedAt);
        else timeSync.observeFrame(tick, receivedAt);
        options.onTick?.(tick, receivedAt);
      },
    });
    // The server would refuse this Hello (1002): say so now, where the setting was written.
    const smallest = smallestClientFrameBytes(protocol);
    if (this.connection.settings.maxFrameBytes < smallest)
      throw new TypeError(
        `settings.maxFrameBytes ${this.connection.settings.maxFrameBytes} cannot hold one entity record of this protocol (${protocol.components.map((c) => c[componentInfo].name).join(', ')}): at least ${smallest}`,
      );
    claimStores(protocol, this.storeHolder);
    this.interpolation = new Interpolation(protocol, options.interpolation);
    const sink: EntitySink = {
      spawn: () => {
        let eid = addEntity(world);
        // bitECS would hand back an id removed earlier in this receive: then despawned() would
        // list a live entity. Such ids are held aside (empty, invisible to queries) until it ends.
        while (this.removedThisReceive.has(eid)) {
          this.heldIds.push(eid);
          eid = addEntity(world);
        }
        addComponent(world, eid, Networked);
        // bitECS recycles ids at once: whatever was buffered under this id belonged to another entity.
        this.interpolation.forget(eid);
        return eid;
      },
      despawn: (eid) => {
        this.interpolation.forget(eid);
        this.prediction.remove(eid);
        removeEntity(world, eid);
        this.removedThisReceive.add(eid);
      },
      addComponent: (eid, component: Component) => {
        addComponent(world, eid, component);
      },
      removeComponent: (eid, component: Component) => removeComponent(world, eid, component),
    };
    this.replication = new ClientReplication(protocol, sink);
    // Predicted steps are timed on the presentation clock, so a step due this frame is drawn in step with everything else.
    this.prediction = new Prediction(protocol, this.connection, this.replication, () =>
      this.presentedAt === Number.NEGATIVE_INFINITY ? this.clock.now() : this.presentedAt,
    );
    this.messaging = new ClientMessaging(protocol, this.connection, this.clock);
    this.replication.onUpdate = (serverId, localId, componentId, tick) => {
      if (this.interpolation.tracks(componentId))
        this.interpolation.record(localId, componentId, tick, this.replication.authoritative(componentId).values, serverId);
    };
  }

  private noteOwnership(notice: MessageData<typeof OwnershipMessage>): void {
    if (notice.owned) this.ownedServerIds.add(notice.entity);
    else {
      this.ownedServerIds.delete(notice.entity);
      // Control moved elsewhere: predicting it any longer would fight the new owner's inputs.
      const local = this.replication.localId(notice.entity);
      if (local !== undefined) this.prediction.remove(local);
    }
  }

  /**
   * The newest values the server sent for a component of local entity `eid` — not the drawn
   * (interpolated or predicted) ones in the store. Undefined when the entity has no such state.
   */
  authoritative<S extends ComponentShape>(component: Component<S>, eid: number): Record<keyof S & string, number | string> | undefined {
    const serverId = this.replication.serverId(eid);
    const componentId = this.protocol.componentId(component);
    if (serverId === undefined || componentId < 0) return undefined;
    const state = this.replication.authoritative(componentId);
    if (state.tick[serverId] === 0) return undefined;
    const out: Record<string, number | string> = {};
    state.layout.fields.forEach((field, i) => {
      out[field.name] = state.values[i]![serverId]!;
    });
    return out as Record<keyof S & string, number | string>;
  }

  /**
   * Local ids of the entities the server says this client controls (`net.setOwner` on the
   * server), among those already in the world: what to predict and what the camera follows.
   */
  owned(): number[] {
    const out: number[] = [];
    for (const serverId of this.ownedServerIds) {
      const local = this.replication.localId(serverId);
      if (local !== undefined) out.push(local);
    }
    return out;
  }

  /** True when this client controls the local entity `eid`. */
  owns(eid: number): boolean {
    const serverId = this.replication.serverId(eid);
    return serverId !== undefined && this.ownedServerIds.has(serverId);
  }

  /** While not closed, this client's world is what its component stores hold (see `claimStores`). */
  private readonly storeHolder: StoreHolder = { side: 'client', live: () => this.connection.state !== 'closed' };

  /** Open the connection (retries per the reconnect option). */
  connect(): void {
    claimStores(this.protocol, this.storeHolder);
    this.connection.open();
  }

  /** Close for good with 1000. */
  disconnect(): void {
    this.connection.close();
  }

  /** Connection state: idle, connecting, connected, reconnecting, closed. */
  get state(): ClientState {
    return this.connection.state;
  }

  /** Smoothed round-trip time to the server, ms. */
  get rtt(): number {
    return this.connection.rtt;
  }

  /** This client's connection id (0 before the first Welcome). */
  get id(): number {
    return this.connection.connectionId;
  }

  /**
   * System, first in the frame: apply what the server sent since the last frame, reconcile
   * predicted entities, and write this frame's presentation values (interpolated remote entities,
   * smoothed predicted ones) into the store.
   *
   * `frameTime` is when this frame will be shown, on the client's clock (ms): in a browser the
   * `requestAnimationFrame` timestamp (Phaser's `update(time)`). Frames reach the screen at a
   * steady vsync, but their scripts start up to a frame late when the page is busy; drawing for
   * the script's start time would move things by uneven amounts each frame. Default: now.
   */
  readonly receive = (frameTime?: number): void => {
    if (this.session !== this.connection.session) {
      this.session = this.connection.session;
      this.ownedServerIds.clear();
      this.prediction.clear();
    }
    this.messageBuffers.clear();
    this.messaging.beginFrame();
    this.replication.beginTick();
    this.arrived = false;
    this.connection.receive(this.onMessage, this.onState);
    this.releaseHeldIds();
    this.eventBuffer = this.connection.takeEvents();
    if (this.eventBuffer.length > 0) this.messaging.connectionEvents(this.eventBuffer);
    // Never backwards: a frame timestamp can be older than a "now" used meanwhile (a hidden tab's timer).
    const now = Math.max(this.presentedAt, typeof frameTime === 'number' && Number.isFinite(frameTime) ? frameTime : this.clock.now());
    this.presentedAt = now;
    if (this.arrived) this.prediction.reconcile();
    this.interpolation.present(now, this.timeSync, this.predicted);
    this.prediction.present(now);
  };

  /** The time the latest frame was presented for (client clock, ms): inputs sent this frame are drawn from it. */
  private presentedAt = Number.NEGATIVE_INFINITY;

  private readonly predicted = (eid: number): boolean => this.prediction.claims(eid);

  private releaseHeldIds(): void {
    for (const eid of this.heldIds) removeEntity(this.world, eid);
    this.heldIds.length = 0;
    this.removedThisReceive.clear();
  }

  // `receive`'s callbacks, made once rather than per frame; `arrived` says whether this frame applied any state.
  private arrived = false;

  private readonly onMessage = (message: ReceivedMessage): void => {
    if (message.type === OwnershipMessage) this.noteOwnership(message.data as MessageData<typeof OwnershipMessage>);
    else if (!this.messaging.route(message)) this.messageBuffers.push(message.type, message.data);
  };

  private readonly onState = (r: ByteReader, tick: number, final: boolean): void => {
    if (this.connection.resyncing) {
      // Frames were dropped while the game loop was away: deltas have no base until the snapshot.
      if (r.remaining === 0 || (r.u8() & SNAPSHOT_FLAG) === 0) return;
      r.offset--;
      this.connection.resyncing = false;
    }
    this.tick = tick;
    this.arrived = true;
    this.interpolation.frame(tick);
    this.replication.apply(r, tick, final);
  };

  /**
   * Predict a local entity this client controls: inputs sent through the returned handle are
   * applied at once with the shared `step` and replayed over every authoritative update, so the
   * entity answers without waiting a round trip. The server must run the same `step` for each
   * input it receives from the owner.
   *
   * ```ts
   * const me = net.predict(eid, { input: Move, components: [Position], step: applyMove });
   * me.input({ dx: 1, dy: 0 }); // once per fixed input step
   * ```
   */
  predict<S extends Shape>(eid: number, options: PredictionOptions<S>): PredictedEntity<S> {
    return this.prediction.add(eid, options);
  }

  /**
   * How far behind the arrival line (where a frame sent now would land) remote entities are
   * drawn, ms: the interpolation buffer alone. With interpolation off, how old the newest state is.
   * Read at the latest frame's presentation time, like {@link delayBehindServerMs}.
   */
  get renderDelayMs(): number {
    const now = this.readingTime;
    if (!this.interpolation.enabled) return Math.max(0, (this.timeSync.arrivalTick(now) - this.timeSync.latestTick) * this.timeSync.tickIntervalMs);
    return this.interpolation.timeline.delayMs(now, this.timeSync);
  }

  /**
   * How far behind the server's current tick remote entities are drawn, ms: what a player sees
   * is this old. The server's tick now comes from time sync (the arrival line plus half the RTT),
   * so this is the one-way trip plus the interpolation buffer; with interpolation off, the age of
   * the newest state.
   */
  get delayBehindServerMs(): number {
    const now = this.readingTime;
    const drawn = this.interpolation.enabled ? this.interpolation.timeline.renderTick : this.timeSync.latestTick;
    return this.timeSync.ready ? Math.max(0, (this.timeSync.serverTick(now) - drawn) * this.timeSync.tickIntervalMs) : 0;
  }

  // The delays describe the frame being drawn, so both are read at its presentation time: two
  // readings of a live clock a preemption apart would disagree by the preemption.
  private get readingTime(): number {
    return this.presentedAt === Number.NEGATIVE_INFINITY ? this.clock.now() : this.presentedAt;
  }

  /** System, last in the frame: send queued messages as one frame. */
  readonly flush = (): void => {
    this.connection.flush();
  };

  /** Connection events of this frame: connected, disconnected, reconnecting, error. */
  events(): readonly ClientEvent[] {
    return this.eventBuffer;
  }

  /** Messages of one type received this frame. */
  messages<S extends Shape>(type: MessageType<S>): readonly ShapeValue<S>[] {
    return this.messageBuffers.get(type) as readonly ShapeValue<S>[];
  }

  /** Queue a message for the next flush. */
  send<S extends Shape>(type: MessageType<S>, data: ShapeValue<S>): boolean {
    return this.connection.send(type, data);
  }

  /** Ask the server: settles with its reply, or rejects with a `RequestError` (408 timeout, 503 disconnected, 429, or the server's code). */
  request<Q extends Shape, R extends Shape>(type: RequestType<Q, R>, data: ShapeValue<Q>, options?: RequestOptions): Promise<ShapeValue<R>> {
    return this.messaging.request(type, data, options);
  }

  /** This frame's requests from the server (types declared `toClient` or `both`): answer with `respond` or `fail`. */
  requests<Q extends Shape, R extends Shape>(type: RequestType<Q, R>): readonly ServerRequest<ShapeValue<Q>, ShapeValue<R>>[] {
    return this.messaging.requests(type);
  }

  /** Subscribe to topics or patterns (`chat.*`); the reply lists what was refused and why (403: not authorised). */
  subscribe(topics: string | readonly string[], options?: RequestOptions): Promise<SubscribeResult> {
    return this.messaging.subscribe(topics, options);
  }

  unsubscribe(topics: string | readonly string[], options?: RequestOptions): Promise<ReplyData<typeof Unsubscribe>> {
    return this.messaging.unsubscribe(topics, options);
  }

  /** Publish to a topic's subscribers; resolves with how many it reached. */
  publish<S extends Shape>(topic: string, type: MessageType<S>, data: ShapeValue<S>, options?: RequestOptions): Promise<{ recipients: number }> {
    return this.messaging.publish(topic, type, data, options);
  }

  /** Message every connection of an identity; rejects with code 404 when it is offline. */
  direct<S extends Shape>(identity: string, type: MessageType<S>, data: ShapeValue<S>, options?: RequestOptions): Promise<{ delivered: number }> {
    return this.messaging.direct(identity, type, data, options);
  }

  /** Receive presence events of these identities (all when omitted); resolves with how many are online now. */
  watchPresence(identities?: readonly string[], options?: RequestOptions): Promise<{ online: number }> {
    return this.messaging.watchPresence(identities, options);
  }

  /** This frame's publications of one message type on subscribed topics. */
  publications<S extends Shape>(type: MessageType<S>): readonly Publication<ShapeValue<S>>[] {
    return this.messaging.publications(type);
  }

  /** This frame's direct messages of one type, with the sender's identity. */
  directMessages<S extends Shape>(type: MessageType<S>): readonly Directed<ShapeValue<S>>[] {
    return this.messaging.directMessages(type);
  }

  /** This frame's presence events: identities coming online (or changing metadata) and going offline. */
  presence(): readonly PresenceEvent[] {
    return this.messaging.presence();
  }

  /**
   * Local ids of entities that appeared this frame (all alive). The three lists of a frame are
   * disjoint; see {@link despawned} for the order they happened in.
   */
  spawned(): readonly number[] {
    return this.replication.spawned;
  }

  /** Local ids of entities that existed before this frame and whose state changed in it (all alive). */
  changed(): readonly number[] {
    return this.replication.changed;
  }

  /**
   * Local ids of entities that existed before this frame and were removed in it: already gone
   * from the world, and never alive when `receive` returns — `receive` does not reuse a local id
   * it freed, so when the server despawns an entity and a new one takes its server id in the
   * same tick, the old one is listed here and the new one, under another local id, in
   * {@link spawned}. Each tick's despawns are applied before its spawns; handle this list before
   * `spawned()`, and before creating entities of your own (the ids are free again once `receive`
   * returns). An entity that appeared and went within one `receive` is in neither list.
   */
  despawned(): readonly number[] {
    return this.replication.despawned;
  }

  /** The local entity for a server entity id. */
  localId(serverId: number): number | undefined {
    return this.replication.localId(serverId);
  }

  /** The server entity id of a local entity. */
  serverId(localId: number): number | undefined {
    return this.replication.serverId(localId);
  }
}

/** Create the client half of tickwire for a bitECS world. Call `connect()` to start. */
export function createClient(world: World, protocol: Protocol, options: ClientOptions): NetworkClient {
  return new NetworkClient(world, protocol, options);
}
