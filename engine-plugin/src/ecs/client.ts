import { type World, addComponent, addEntity, removeComponent, removeEntity } from 'bitecs';
import { type BackoffOptions, exponentialBackoff } from '../client/backoff';
import { type ClientConnectionOptions, type ClientEvent, ClientConnection, type ClientState } from '../connection/client-connection';
import type { Shape, ShapeValue } from '../schema/fields';
import type { MessageType } from '../schema/message';
import type { Protocol } from '../schema/protocol';
import type { Component } from '../schema/component';
import { ClientReplication, type EntitySink } from '../replication/client-replication';
import { Networked } from './networked';
import { TickBuffers } from './received';

/** Options of {@link createClient}. */
export interface ClientOptions extends Omit<ClientConnectionOptions, 'retry'> {
  /** Reconnect after a drop with exponential backoff and jitter (default), or `false` never to. */
  readonly reconnect?: BackoffOptions | false;
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
  private readonly messageBuffers = new TickBuffers<MessageType, unknown>();
  private eventBuffer: ClientEvent[] = [];

  constructor(
    readonly world: World,
    readonly protocol: Protocol,
    options: ClientOptions,
  ) {
    const retry = options.reconnect === false ? undefined : exponentialBackoff(options.reconnect);
    this.connection = new ClientConnection(protocol, { ...options, retry });
    const sink: EntitySink = {
      spawn: () => {
        const eid = addEntity(world);
        addComponent(world, eid, Networked);
        return eid;
      },
      despawn: (eid) => removeEntity(world, eid),
      addComponent: (eid, component: Component) => {
        addComponent(world, eid, component);
      },
      removeComponent: (eid, component: Component) => removeComponent(world, eid, component),
    };
    this.replication = new ClientReplication(protocol, sink);
  }

  /** Open the connection (retries per the reconnect option). */
  connect(): void {
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

  /** System, first in the frame: apply what the server sent since the last frame. */
  readonly receive = (): void => {
    this.messageBuffers.clear();
    this.replication.beginTick();
    this.connection.receive(
      (message) => this.messageBuffers.push(message.type, message.data),
      (r, tick) => {
        this.tick = tick;
        this.replication.apply(r, tick);
      },
    );
    this.eventBuffer = this.connection.takeEvents();
  };

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

  /** Local ids of entities that appeared this frame. */
  spawned(): readonly number[] {
    return this.replication.spawned;
  }

  /** Local ids of entities whose state changed this frame. */
  changed(): readonly number[] {
    return this.replication.changed;
  }

  /** Local ids of entities removed this frame (already gone from the world). */
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
