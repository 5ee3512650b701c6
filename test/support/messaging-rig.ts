/**
 * A server over real `ws` sockets on 127.0.0.1 with clients that carry an identity (`?token=<name>`
 * becomes `{ id: name }`), and hand-driven JSON peers speaking the `tickwire.json.v1` subprotocol.
 */
import { createWorld } from 'bitecs';
import { WebSocket } from 'ws';
import {
  type ClientOptions,
  JSON_SUBPROTOCOL,
  type NetworkClient,
  type NetworkServer,
  type ServerOptions,
  cloneProtocol,
  createClient,
  createServer,
  silentLogger,
} from '../../engine-plugin/src/index';
import { nodeWebSocketClient, webSocketServer } from '../../engine-plugin/src/node';
import type { ConnectionRequest } from '../../engine-plugin/src/transport/transport';
import { protocol } from './messaging-protocol';

/** One JSON envelope as it travels. */
export interface Envelope {
  type: string;
  data?: Record<string, unknown>;
  id?: string | number;
  timestamp?: number;
  error?: { code: number; message: string };
}

/** A raw WebSocket speaking the JSON wire format, recording everything. */
export interface JsonPeer {
  readonly ws: WebSocket;
  /** Text frames received, parsed. */
  readonly received: Envelope[];
  /** Binary frames received (there should be none). */
  binary: number;
  opened: boolean;
  closed: { code: number; reason: string } | undefined;
  send(envelope: Envelope | string): void;
  /** Received envelopes of one type. */
  of(type: string): Envelope[];
}

export interface MessagingRig {
  server: NetworkServer;
  url: string;
  /** A client (not yet connected) authenticated as `identity` (anonymous without one). */
  client(identity?: string, options?: Partial<ClientOptions>): NetworkClient;
  /** A JSON peer; `protocols` defaults to the JSON subprotocol. */
  json(identity?: string, protocols?: string[]): JsonPeer;
  /** Register a game system: `step` runs it after `receive` and before `replicate`/`flush`, as a game would. */
  system(run: () => void): void;
  step(): void;
  until(condition: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** `?token=<name>` is the identity `{ id: name }`; no token, an anonymous `{}`. */
export function tokenIdentity(request: ConnectionRequest): unknown {
  const token = new URL(request.url, 'http://localhost').searchParams.get('token');
  return token ? { id: token } : {};
}

export async function startMessagingRig(options: Partial<ServerOptions> = {}): Promise<MessagingRig> {
  const transport = webSocketServer({ host: '127.0.0.1', port: 0 });
  const server = createServer(createWorld(), protocol, { logger: silentLogger, authenticate: tokenIdentity, ...options, transport });
  await server.start();
  const url = `ws://127.0.0.1:${transport.port}/ws`;
  const clients: NetworkClient[] = [];
  const peers: JsonPeer[] = [];
  const systems: Array<() => void> = [];
  const withToken = (identity?: string) => (identity ? `${url}?token=${encodeURIComponent(identity)}` : url);
  const rig: MessagingRig = {
    server,
    url,
    client(identity, clientOptions = {}) {
      const client = createClient(createWorld(), cloneProtocol(protocol).protocol, {
        transport: nodeWebSocketClient(withToken(identity)),
        logger: silentLogger,
        reconnect: false,
        ...clientOptions,
      });
      clients.push(client);
      return client;
    },
    json(identity, protocols = [JSON_SUBPROTOCOL]) {
      const ws = new WebSocket(withToken(identity), protocols);
      const peer: JsonPeer = {
        ws,
        received: [],
        binary: 0,
        opened: false,
        closed: undefined,
        send(envelope) {
          ws.send(typeof envelope === 'string' ? envelope : JSON.stringify(envelope));
        },
        of(type) {
          return peer.received.filter((e) => e.type === type);
        },
      };
      ws.on('open', () => {
        peer.opened = true;
      });
      ws.on('message', (data, isBinary) => {
        if (isBinary) peer.binary++;
        else peer.received.push(JSON.parse(String(data)) as Envelope);
      });
      ws.on('close', (code, reason) => {
        peer.closed = { code, reason: String(reason) };
      });
      ws.on('error', () => {});
      peers.push(peer);
      return peer;
    },
    system(run) {
      systems.push(run);
    },
    step() {
      server.receive();
      for (const run of systems) run();
      server.replicate();
      server.flush();
      for (const c of clients) {
        c.receive();
        c.flush();
      }
    },
    async until(condition, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error('condition not met in time');
        await new Promise((resolve) => setTimeout(resolve, 5));
        rig.step();
      }
    },
    async close() {
      for (const c of clients) c.disconnect();
      for (const p of peers) p.ws.terminate();
      await server.stop();
    },
  };
  return rig;
}

/** Settle-tracking for a promise: read `.value` / `.error` once `.settled`. */
export function track<T>(promise: Promise<T>): { settled: boolean; value?: T; error?: unknown } {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

/** Connect clients and step until all of them are connected. */
export async function connectAll(rig: MessagingRig, clients: NetworkClient[]): Promise<void> {
  for (const c of clients) c.connect();
  await rig.until(() => clients.every((c) => c.state === 'connected'));
  // One more tick so the server has processed their `connected` events (identities, presence).
  rig.step();
}
