/// <reference types="node" preserve="true" />
/**
 * tickwire/testing — what a game's own tests need: one server and any number of clients in one
 * process, over the in-memory network (manual clock, link conditioner, deterministic ticks) or over
 * real `ws` sockets on an ephemeral 127.0.0.1 port. Node-only (the ws variant opens sockets).
 *
 * ```ts
 * const game = await startTestGame(protocol, { setup: (world, net) => …, system: (world, net) => … });
 * const alice = game.client();
 * await game.until(() => alice.state === 'connected');
 * await game.ticks(5);
 * await game.close();
 * ```
 */
import { type World, createWorld } from 'bitecs';
import type { BackoffOptions } from './client/backoff.js';
import type { ClientOptions, NetworkClient } from './ecs/client.js';
import { createClient } from './ecs/client.js';
import type { NetworkServer, ServerOptions } from './ecs/server.js';
import { createServer } from './ecs/server.js';
import { silentLogger } from './connection/logger.js';
import { type Component, componentInfo } from './schema/component.js';
import { type Protocol, cloneProtocol } from './schema/protocol.js';
import { ManualClock } from './transport/clock.js';
import type { DirectionalLinkConditions, LinkConditions } from './transport/link-conditioner.js';
import { type Link, createMemoryNetwork } from './transport/memory.js';
import { nodeWebSocketClient } from './transport/node-websocket-client.js';
import { webSocketServer } from './transport/websocket-server.js';

/** Options of {@link startTestGame}. */
export interface TestGameOptions {
  /** `memory` (default): in-process network on a manual clock. `ws`: real sockets on 127.0.0.1, real time. */
  readonly transport?: 'memory' | 'ws';
  /** Server options (the transport, clock and a silent logger are filled in). */
  readonly server?: Partial<ServerOptions>;
  /** Runs once on the server world after `start()`: spawn the level, etc. */
  readonly setup?: (world: World, net: NetworkServer) => void;
  /** The game's server systems, run every tick between `receive()` and `replicate()`. */
  readonly system?: (world: World, net: NetworkServer) => void;
  /** Seed of the memory network's jitter. Default 1. */
  readonly seed?: number;
}

/** Options of {@link TestGame.client}. */
export interface TestClientOptions extends Partial<ClientOptions> {
  /** The link this client's traffic crosses (memory transport only): latency, jitter, loss, bandwidth. */
  readonly conditions?: LinkConditions | DirectionalLinkConditions;
  /** Connect at once (default true). */
  readonly connect?: boolean;
  /**
   * Test clients do not reconnect by default (`reconnect: false`), so a test that drops a link
   * sees the drop and nothing after it. Give `reconnect: {}` (or backoff options) to test a resume:
   * the backoff then runs on the game's clock.
   */
  readonly reconnect?: BackoffOptions | false;
  /** Runs on the client's world every tick after `receive()`, before `flush()`. */
  readonly system?: (world: World, net: NetworkClient) => void;
}

/** A client of a {@link TestGame}, with its own world and its own copy of the protocol. */
export interface TestClient {
  readonly net: NetworkClient;
  readonly world: World;
  /** The simulated link (memory transport), to change conditions or drop the connection mid-test. */
  readonly link: Link | undefined;
  /** This client's own store of `component` (a client never shares the server's typed arrays). */
  component<C extends Component>(component: C): C;
}

/** A running server with its clients, stepped by the test. */
export interface TestGame {
  readonly server: NetworkServer;
  readonly world: World;
  /** The ws port (ws transport), else undefined. */
  readonly port: number | undefined;
  /** The manual clock (memory transport): every tick advances it by one tick interval. */
  readonly clock: ManualClock | undefined;
  /** Milliseconds per tick, from the server's tick rate. */
  readonly tickMs: number;
  /** A new client, connected unless `connect: false`. */
  client(options?: TestClientOptions): TestClient;
  /** One tick: the network moves one interval, the server runs receive → system → replicate → flush, then every client. */
  tick(): Promise<void>;
  /** `n` ticks. */
  ticks(n: number): Promise<void>;
  /** Tick until `condition` holds; throws after `maxTicks` (default 10 s worth of ticks). */
  until(condition: () => boolean, options?: { maxTicks?: number }): Promise<void>;
  /** Disconnect every client and stop the server. */
  close(): Promise<void>;
}

/** Start a server for `protocol` and return the {@link TestGame} that steps it. */
export async function startTestGame(protocol: Protocol, options: TestGameOptions = {}): Promise<TestGame> {
  const tickRate = options.server?.tickRate ?? 20;
  const tickMs = 1000 / tickRate;
  const world = createWorld();
  const clients: Array<{ client: TestClient; system: TestClientOptions['system'] }> = [];
  let clock: ManualClock | undefined;
  let port: number | undefined;
  let server: NetworkServer;
  let transportFor: (conditions: TestClientOptions['conditions']) => { transport: ClientOptions['transport']; link: Link | undefined };
  if (options.transport === 'ws') {
    const transport = webSocketServer({ host: '127.0.0.1', port: 0 });
    server = createServer(world, protocol, { logger: silentLogger, ...options.server, tickRate, transport });
    await server.start();
    port = transport.port;
    transportFor = () => ({ transport: nodeWebSocketClient(`ws://127.0.0.1:${port}/ws`), link: undefined });
  } else {
    const manual = new ManualClock();
    clock = manual;
    const network = createMemoryNetwork({ clock: manual, seed: options.seed ?? 1 });
    server = createServer(world, protocol, { logger: silentLogger, ...options.server, tickRate, clock: manual, transport: network.server() });
    await server.start();
    transportFor = (conditions) => {
      const transport = network.client(conditions ? { conditions } : {});
      return { transport, link: transport.link };
    };
  }
  options.setup?.(world, server);

  const game: TestGame = {
    server,
    world,
    port,
    clock,
    tickMs,
    client({ conditions, connect = true, system, ...clientOptions } = {}) {
      // Its own stores: in one process, a client sharing the server's typed arrays would write its
      // presentation values into the server's state.
      const own = cloneProtocol(protocol).protocol;
      const { transport, link } = transportFor(conditions);
      const clientWorld = createWorld();
      const net = createClient(clientWorld, own, {
        transport,
        logger: silentLogger,
        reconnect: false,
        ...(clock ? { clock } : {}),
        ...clientOptions,
      });
      const client: TestClient = {
        net,
        world: clientWorld,
        link,
        component(component) {
          const name = component[componentInfo].name;
          const copy = own.components.find((c) => c[componentInfo].name === name);
          if (!copy) throw new Error(`component ${name} is not in the protocol`);
          return copy as typeof component;
        },
      };
      clients.push({ client, system });
      if (connect) net.connect();
      return client;
    },
    async tick() {
      if (clock) clock.advance(tickMs);
      else await new Promise((resolve) => setTimeout(resolve, Math.min(tickMs, 5)));
      server.receive();
      options.system?.(world, server);
      server.replicate();
      server.flush();
      for (const { client, system } of clients) {
        client.net.receive();
        system?.(client.world, client.net);
        client.net.flush();
      }
    },
    async ticks(n) {
      for (let i = 0; i < n; i++) await game.tick();
    },
    async until(condition, { maxTicks = Math.ceil(10_000 / tickMs) } = {}) {
      for (let i = 0; !condition(); i++) {
        if (i >= maxTicks) throw new Error(`condition not met within ${maxTicks} ticks`);
        await game.tick();
      }
    },
    async close() {
      for (const { client } of clients) client.net.disconnect();
      if (clock) clock.advance(tickMs);
      await server.stop();
    },
  };
  return game;
}
