import { createServer, type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { CloseCode } from '../protocol/close-codes.js';
import type { Accepted, Admission, ConnectionRequest, ServerTransport, TransportHost } from './transport.js';
import { WsServerSocket } from './ws-server-socket.js';

/** Options for {@link webSocketServer}. */
export interface WebSocketServerOptions {
  /** Port to listen on when the transport owns its HTTP server; 0 (the default) picks a free one, see {@link WebSocketServerTransport.port}. */
  readonly port?: number;
  /** Interface to bind when the transport owns its HTTP server. Default: all interfaces (Node's default, IPv6 and IPv4). */
  readonly host?: string;
  /**
   * An HTTP server to share (one that also serves the game's static files, say). The transport
   * only adds an `upgrade` listener: the owner listens and closes it, and `start()` does not wait
   * for it to listen. Without it the transport creates, listens on and closes its own server,
   * which answers plain HTTP requests with 426 Upgrade Required.
   */
  readonly server?: Server;
  /** Path (query string ignored) whose upgrades are ours. Default `/ws`. */
  readonly path?: string;
  /** Largest message accepted from a client, in bytes; `ws` closes a connection exceeding it with 1009. Default 1 MiB. */
  readonly maxPayload?: number;
  /** Negotiate permessage-deflate. Off by default: it costs CPU and memory per connection, and frames are already compact. */
  readonly perMessageDeflate?: boolean;
  /**
   * How long `stop()` lets sockets still open finish their closing handshake. A socket still open
   * after it is half-closed (TCP FIN after the close frame, so a peer that reads late still reads
   * its close code) and gets as long again to answer before it is dropped: `stop()` takes at most
   * twice this. Default 1000 ms.
   */
  readonly closeGraceMs?: number;
  /** Told about failures that are the server's own (a throwing `admit` or `accept`). Default: `console.error`. */
  readonly onError?: (error: unknown) => void;
}

/** A WebSocket {@link ServerTransport} that also tells where it listens. */
export interface WebSocketServerTransport extends ServerTransport {
  /** The bound address, or undefined while not listening. */
  address(): AddressInfo | undefined;
  /** The bound port (the real one when listening on port 0). Throws while not listening. */
  readonly port: number;
}

const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/**
 * The Node server transport over `ws`. Admission happens before the upgrade: the HTTP request
 * becomes a {@link ConnectionRequest}, and a refusal is answered as a plain HTTP response with its
 * status (401, 503…) on a socket that is then destroyed, so a refused client never costs a
 * WebSocket. On acceptance, `admission.protocol` is selected as the subprotocol when the client
 * offered it; otherwise the first one offered, if any (selecting one it did not offer, or none,
 * would make a `ws` client fail the connection).
 *
 * Binary messages reach the host as plain `Uint8Array` views (never Node `Buffer`s, whose `slice`
 * shares memory), text frames as `string`. Each socket calls `close` exactly once; once this side
 * has called `socket.close`, no further messages are delivered. A buffer handed to `send` must not
 * be mutated afterwards: `ws` queues it without copying.
 */
export function webSocketServer(options: WebSocketServerOptions = {}): WebSocketServerTransport {
  const path = options.path ?? '/ws';
  const closeGraceMs = options.closeGraceMs ?? 1000;
  const reportError = options.onError ?? ((error: unknown) => console.error('tickwire: websocket server:', error));
  const owned = options.server === undefined;
  const admitted = new WeakMap<IncomingMessage, Accepted>();
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
    perMessageDeflate: options.perMessageDeflate ?? false,
    // Only called when the client offered at least one. A `ws` client fails a connection whose
    // server selects none, so without a usable answer from admission take the first offered
    // (ws's own default); browsers accept either.
    handleProtocols: (offered, request) => {
      const protocol = admitted.get(request)?.protocol;
      if (protocol !== undefined && offered.has(protocol)) return protocol;
      return offered.values().next().value ?? false;
    },
  });
  const awaitingAdmission = new Set<Duplex>();
  /** Open sockets, each with the raw connection it was upgraded on (to half-close it in `stop`). */
  const open = new Map<WebSocket, Duplex>();
  let http: Server | undefined = options.server;
  let host: TransportHost | undefined;

  const onUpgrade = (request: IncomingMessage, raw: Duplex, head: Buffer): void => {
    const current = http;
    if (!current) return;
    const ours = pathname(request.url) === path && request.headers.upgrade?.toLowerCase() === 'websocket';
    if (!ours) {
      // Another upgrade listener may own this path; answer only when nobody else can.
      if (owned || current.listenerCount('upgrade') === 1) refuse(raw, 404, 'Not Found');
      return;
    }
    void admit(request, raw, head);
  };

  const admit = async (incoming: IncomingMessage, raw: Duplex, head: Buffer): Promise<void> => {
    // A client resetting the connection while admission is pending must not crash the process.
    const onRawError = (): void => {
      raw.destroy();
    };
    raw.on('error', onRawError);
    const admittingHost = host;
    if (!admittingHost) {
      refuse(raw, 503, 'Server not accepting connections');
      return;
    }
    const request = toConnectionRequest(incoming);
    let admission: Admission;
    awaitingAdmission.add(raw);
    try {
      admission = await admittingHost.admit(request);
    } catch (error) {
      reportError(error);
      admission = { accept: false, status: 500, reason: 'Admission failed' };
    } finally {
      awaitingAdmission.delete(raw);
    }
    if (raw.destroyed) return;
    if (host !== admittingHost) {
      refuse(raw, 503, 'Server stopped');
      return;
    }
    if (!admission.accept) {
      refuse(raw, admission.status, admission.reason);
      return;
    }
    admitted.set(incoming, admission);
    raw.removeListener('error', onRawError);
    wss.handleUpgrade(incoming, raw, head, (ws) => {
      attach(ws, raw, request, admission, admittingHost);
    });
  };

  /** A socket closed: no longer one `stop` waits for. */
  const forget = (ws: WebSocket): void => {
    open.delete(ws);
  };

  const attach = (ws: WebSocket, raw: Duplex, request: ConnectionRequest, admission: Accepted, acceptingHost: TransportHost): void => {
    open.set(ws, raw);
    const socket = new WsServerSocket(ws, raw, forget);
    try {
      socket.handlers = acceptingHost.accept(socket, request, admission);
    } catch (error) {
      reportError(error);
      socket.close(CloseCode.InternalError, 'internal error');
    }
  };

  const listen = (server: Server): Promise<void> =>
    new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      server.once('error', onError);
      server.listen(options.port ?? 0, options.host, () => {
        server.removeListener('error', onError);
        resolve();
      });
    });

  const closeOpenSockets = async (): Promise<void> => {
    if (open.size === 0) return;
    const sockets = [...open];
    const closed = sockets.map(([ws]) => new Promise<void>((resolve) => ws.once('close', () => resolve())));
    const allClosed = Promise.all(closed);
    const closedWithin = async (ms: number): Promise<void> => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const expired = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
      });
      await Promise.race([allClosed, expired]);
      clearTimeout(timer);
    };
    // A code already sent (4004 on shutdown, say) stays: ws sends one close frame per socket.
    for (const [ws] of sockets) ws.close(CloseCode.GoingAway, 'server stopped');
    await closedWithin(closeGraceMs);
    // Dropping a socket now would discard a close frame still queued behind unsent data, and a
    // reset would make a peer that writes before it reads lose the one already delivered. A FIN
    // after the queued bytes keeps both: the slow peer reads its close code whenever it gets to it.
    for (const [, raw] of sockets) if (!raw.destroyed && !raw.writableEnded) raw.end();
    await closedWithin(closeGraceMs);
    for (const [ws] of sockets) ws.terminate();
    await allClosed;
  };

  return {
    maxFrameBytes: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
    async start(transportHost: TransportHost): Promise<void> {
      if (host) throw new Error('websocket server already started');
      if (owned) {
        http = createServer((_request, response) => {
          response.writeHead(426, { Connection: 'close', Upgrade: 'websocket', 'Content-Type': 'text/plain' });
          response.end('Upgrade Required');
        });
      }
      const server = http!;
      server.on('upgrade', onUpgrade);
      host = transportHost;
      if (owned) {
        try {
          await listen(server);
        } catch (error) {
          server.removeListener('upgrade', onUpgrade);
          host = undefined;
          http = undefined;
          throw error;
        }
      }
    },

    async stop(): Promise<void> {
      if (!host) return;
      host = undefined;
      const server = http!;
      server.removeListener('upgrade', onUpgrade);
      for (const raw of awaitingAdmission) raw.destroy();
      awaitingAdmission.clear();
      await closeOpenSockets();
      if (owned) {
        http = undefined;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Idle keep-alive connections would otherwise hold `close` open until they time out.
        server.closeAllConnections();
        await closed;
      }
    },

    address(): AddressInfo | undefined {
      const address = http?.address();
      return typeof address === 'object' && address !== null ? address : undefined;
    },

    get port(): number {
      const address = this.address();
      if (!address) throw new Error('websocket server is not listening');
      return address.port;
    },
  };
}

function pathname(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function toConnectionRequest(incoming: IncomingMessage): ConnectionRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(incoming.headers)) {
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const offered = incoming.headers['sec-websocket-protocol'];
  return {
    url: incoming.url ?? '/',
    headers,
    remoteAddress: incoming.socket.remoteAddress ?? '',
    protocols: offered === undefined ? [] : offered.split(',').map((protocol) => protocol.trim()).filter((protocol) => protocol !== ''),
  };
}

/** Answer an upgrade request over plain HTTP and drop the socket: no WebSocket is ever created. */
function refuse(raw: Duplex, status: number, reason: string): void {
  if (!raw.writable) {
    raw.destroy();
    return;
  }
  const code = Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
  const body = Buffer.from(reason, 'utf8');
  const head =
    `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'Error'}\r\n` +
    'Connection: close\r\n' +
    'Content-Type: text/plain; charset=utf-8\r\n' +
    `Content-Length: ${body.byteLength}\r\n\r\n`;
  raw.once('finish', () => raw.destroy());
  raw.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
}
