/**
 * A server and clients over a chosen transport, for plugin-level tests. The same scenario runs
 * over real `ws` sockets on 127.0.0.1 and over the in-memory network.
 */
import { createWorld } from 'bitecs';
import {
  type ClientTransport,
  type NetworkClient,
  type NetworkServer,
  type Protocol,
  type ServerOptions,
  type ClientOptions,
  type Component,
  cloneProtocol,
  componentInfo,
  createClient,
  createMemoryNetwork,
  createServer,
  silentLogger,
} from '../../engine-plugin/src/index';
import { nodeWebSocketClient, webSocketServer } from '../../engine-plugin/src/node';
import type { ClientSocketHandlers, Socket } from '../../engine-plugin/src/transport/transport';

/** Which transport a rig runs over. */
export type TransportKind = 'ws' | 'memory';

/** Both transports, for `describe.each`. */
export const TRANSPORTS: TransportKind[] = ['ws', 'memory'];

export interface Rig {
  server: NetworkServer;
  /** The port the ws server listens on (undefined over the in-memory network). */
  readonly port: number | undefined;
  /** A new client (not yet connected) with its own world and its own component stores. */
  client(options?: Partial<ClientOptions> & { protocol?: Protocol }): NetworkClient;
  /** A transport for a hand-driven socket, to send what a real client never would. */
  rawTransport(): ClientTransport;
  /** One server tick and one frame of every client made by this rig. */
  step(): void;
  /** Step every `ms` until `condition` holds; fails after `timeoutMs`. */
  until(condition: () => boolean, timeoutMs?: number, ms?: number): Promise<void>;
  close(): Promise<void>;
}

/** Start a server for `protocol` over `kind`. */
export async function startRig(kind: TransportKind, protocol: Protocol, options: Partial<ServerOptions> = {}): Promise<Rig> {
  const clients: NetworkClient[] = [];
  let server: NetworkServer;
  let clientTransport: () => ClientTransport;
  let port: number | undefined;
  if (kind === 'ws') {
    const transport = webSocketServer({ host: '127.0.0.1', port: 0, maxPayload: options.settings?.maxFrameBytes });
    server = createServer(createWorld(), protocol, { logger: silentLogger, ...options, transport });
    await server.start();
    port = transport.port;
    clientTransport = () => nodeWebSocketClient(`ws://127.0.0.1:${transport.port}/ws`);
  } else {
    const network = createMemoryNetwork();
    server = createServer(createWorld(), protocol, { logger: silentLogger, ...options, transport: network.server() });
    await server.start();
    clientTransport = () => network.client();
  }
  const rig: Rig = {
    server,
    port,
    client({ protocol: own, ...clientOptions } = {}) {
      // Its own stores: in one process, a client sharing the server's typed arrays would write
      // its presentation values into the server's state.
      const client = createClient(createWorld(), cloneProtocol(own ?? protocol).protocol, {
        transport: clientTransport(),
        logger: silentLogger,
        reconnect: false,
        ...clientOptions,
      });
      clients.push(client);
      return client;
    },
    rawTransport: clientTransport,
    step() {
      stepServerAndClients(server, clients);
    },
    async until(condition, timeoutMs = 5000, ms = 5) {
      const deadline = Date.now() + timeoutMs;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error('condition not met in time');
        await new Promise((resolve) => setTimeout(resolve, ms));
        rig.step();
      }
    },
    async close() {
      for (const c of clients) c.disconnect();
      await server.stop();
    },
  };
  return rig;
}

/** A client's own copy of a component, found by name in the client's (cloned) protocol. */
export function clientComponent<C extends Component>(client: NetworkClient, original: C): C {
  const name = original[componentInfo].name;
  const copy = client.protocol.components.find((c) => c[componentInfo].name === name);
  if (!copy) throw new Error(`component ${name} is not in the client's protocol`);
  return copy as C;
}

/** What a hand-driven socket saw. */
export interface RawRecord {
  socket: Socket;
  opened: boolean;
  messages: Array<Uint8Array | string>;
  closed?: { code: number; reason: string };
}

/** Open a hand-driven socket and record what arrives. */
export function openRaw(transport: ClientTransport, onOpen?: (socket: Socket) => void): RawRecord {
  const record = { opened: false, messages: [] } as unknown as RawRecord;
  const handlers: ClientSocketHandlers = {
    open: () => {
      record.opened = true;
      onOpen?.(record.socket);
    },
    message: (data) => record.messages.push(data),
    close: (code, reason) => {
      record.closed = { code, reason };
    },
  };
  record.socket = transport.open(handlers);
  return record;
}

/** Wait (without stepping anything) until `condition` holds. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** One server tick (receive, replicate, flush) and one frame of each client. */
export function stepServerAndClients(server: NetworkServer, clients: readonly NetworkClient[]): void {
  server.receive();
  server.replicate();
  server.flush();
  for (const c of clients) {
    c.receive();
    c.flush();
  }
}

/** Call `step` every 5 ms until `condition` holds; fails after `timeoutMs`. */
export async function stepUntil(step: () => void, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
    step();
  }
}
