/**
 * A server with a matchmaker and its HTTP endpoint on one real port (127.0.0.1): clients find a
 * room over HTTP, then connect over `ws` with the seat, as a browser would.
 */
import { type Server, createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWorld } from 'bitecs';
import WebSocket from 'ws';
import {
  type NetworkClient,
  type NetworkServer,
  type RoomTypeOptions,
  type SeatReservation,
  type ServerOptions,
  cloneProtocol,
  createClient,
  createServer,
  seatUrl,
  silentLogger,
} from '../../engine-plugin/src/index';
import { type MatchmakingEndpointOptions, matchmakingEndpoint, nodeWebSocketClient, webSocketServer } from '../../engine-plugin/src/node';
import { protocol } from './messaging-protocol';
import { stepServerAndClients, stepUntil } from './rig';

/** An HTTP answer: status and parsed JSON body. */
export interface HttpAnswer<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
}

export interface MatchmakingRig {
  readonly server: NetworkServer;
  readonly port: number;
  /** POST /matchmake/<action>/<target> with `options` as the JSON body. */
  matchmake(action: 'joinOrCreate' | 'create' | 'join', target: string, options?: unknown): Promise<HttpAnswer>;
  /** The same, expecting 200: the seat. */
  seat(action: 'joinOrCreate' | 'create' | 'join', target: string, options?: unknown): Promise<SeatReservation>;
  /** A client that connects with `seat` (not yet connected). */
  client(seat: SeatReservation, options?: { reconnect?: boolean }): NetworkClient;
  /** Try a bare upgrade to `url` (a path on this server): the HTTP status it was refused with, or 101 when it opened. */
  upgrade(path: string): Promise<number>;
  step(): void;
  until(condition: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startMatchmakingRig(
  types: ReadonlyArray<readonly [string, RoomTypeOptions]>,
  /** `endpoint: false`: no matchmaking endpoint on the HTTP server (every request 404s), as a server without matchmaking. */
  options: { server?: Partial<ServerOptions>; endpoint?: MatchmakingEndpointOptions | false } = {},
): Promise<MatchmakingRig> {
  const http: Server = createHttpServer();
  const transport = webSocketServer({ server: http, path: '/ws' });
  const server = createServer(createWorld(), protocol, {
    logger: silentLogger,
    ...options.server,
    matchmaking: { address: '/ws', ...options.server?.matchmaking },
    transport,
  });
  for (const [name, typeOptions] of types) server.matchmaker.defineRoomType(name, typeOptions);
  const endpoint = options.endpoint === false ? undefined : matchmakingEndpoint(server.matchmaker, { requestsPerSecond: 1e6, burst: 1e6, ...options.endpoint });
  http.on('request', (request, response) => {
    if (!endpoint?.handle(request, response)) response.writeHead(404).end();
  });
  await server.start();
  // A burst test opens a connection per request: past the default backlog (511) dropped SYNs cost 1 s retransmits.
  await new Promise<void>((resolve) => http.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  const port = (http.address() as AddressInfo).port;
  const clients: NetworkClient[] = [];
  const sockets = new Set<WebSocket>();

  const rig: MatchmakingRig = {
    server,
    port,
    async matchmake(action, target, body) {
      const response = await fetch(`http://127.0.0.1:${port}/matchmake/${action}/${encodeURIComponent(target)}`, {
        method: 'POST',
        body: body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    async seat(action, target, body) {
      const answer = await rig.matchmake(action, target, body);
      if (answer.status !== 200) throw new Error(`matchmaking answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      return answer.body as unknown as SeatReservation;
    },
    client(seat, { reconnect = false } = {}) {
      // Its own stores: a client sharing the server's typed arrays would write into the server's state.
      const client = createClient(createWorld(), cloneProtocol(protocol).protocol, {
        transport: nodeWebSocketClient(seatUrl(seat)),
        logger: silentLogger,
        reconnect: reconnect ? { initialMs: 20, maxMs: 100 } : false,
      });
      clients.push(client);
      return client;
    },
    upgrade(path) {
      return new Promise((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
        sockets.add(ws);
        ws.on('unexpected-response', (_request, response) => {
          resolve(response.statusCode ?? 0);
          response.resume();
          ws.terminate();
        });
        ws.on('open', () => resolve(101));
        ws.on('error', () => {});
      });
    },
    step() {
      stepServerAndClients(server, clients);
    },
    until(condition, timeoutMs = 5000) {
      return stepUntil(rig.step, condition, timeoutMs);
    },
    async close() {
      for (const c of clients) c.disconnect();
      for (const ws of sockets) ws.terminate();
      await server.stop();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
  return rig;
}
