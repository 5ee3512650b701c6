/**
 * The provider seam (pl3xus's `NetworkProvider`): everything above this file talks to sockets
 * through these interfaces only, so ws on Node, the browser's WebSocket and the in-memory link
 * are interchangeable.
 */

/** What the server knows about a peer before accepting it (before the WebSocket upgrade). */
export interface ConnectionRequest {
  /** Path and query string, e.g. `/ws?token=abc`. */
  readonly url: string;
  /** Lower-cased HTTP header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly remoteAddress: string;
  /** Subprotocols the client offered (`Sec-WebSocket-Protocol`). */
  readonly protocols: readonly string[];
}

/** The host's answer to a connection request: let it in (with who it is), or refuse it over HTTP. */
export type Admission =
  | { readonly accept: true; readonly identity: unknown; readonly protocol?: string }
  | { readonly accept: false; readonly status: number; readonly reason: string };

/** An accepted admission. */
export type Accepted = Extract<Admission, { accept: true }>;

/** Callbacks a socket delivers into. They run on the socket's own schedule, never inside a tick. */
export interface SocketHandlers {
  /** A whole WebSocket message. Strings are text frames, which tickwire refuses (1003). */
  message(data: Uint8Array | string): void;
  /** The socket closed, by either side; `code` 1006 when it dropped without a close frame. */
  close(code: number, reason: string): void;
}

/** Client-side callbacks: a socket also opens. */
export interface ClientSocketHandlers extends SocketHandlers {
  open(): void;
}

/** One open duplex binary pipe. */
export interface Socket {
  /** Queue one binary WebSocket message. */
  send(data: Uint8Array): void;
  /**
   * Queue one binary WebSocket message, copying `data` before returning: the caller may reuse
   * its buffer at once. Offered by transports whose send copies anyway (the `ws` server writes a
   * frame header and the payload as one buffer), so a caller holding a reused write buffer skips
   * making an exact-size copy of its own for every message.
   */
  sendCopy?(data: Uint8Array): void;
  /**
   * Queue one text WebSocket message. Binary tickwire never sends text; the server's JSON wire
   * format (subprotocol `tickwire.json.v1`) does, and is refused on a transport without it.
   */
  sendText?(text: string): void;
  /** Start a closing handshake with this code and reason (reason ≤ 123 bytes). */
  close(code: number, reason: string): void;
  /** Bytes handed to `send` that have not reached the network yet: the backpressure signal. */
  readonly bufferedAmount: number;
}

/** What a server transport calls into. Implemented by the connection layer. */
export interface TransportHost {
  /** Decide on a request before the upgrade; a refusal is answered with its HTTP status. */
  admit(request: ConnectionRequest): Admission | Promise<Admission>;
  /** An admitted socket is open; return where its traffic goes. */
  accept(socket: Socket, request: ConnectionRequest, admission: Accepted): SocketHandlers;
}

/** Accepts connections. */
export interface ServerTransport {
  /** Start accepting; resolves when listening. */
  start(host: TransportHost): Promise<void>;
  /** Stop accepting and release the listener. Open sockets are closed by the caller first. */
  stop(): Promise<void>;
  /**
   * The largest message the transport itself accepts, when it enforces one (`ws`'s `maxPayload`):
   * the server never advertises a larger frame limit than this, so clients never build a frame
   * the transport would refuse.
   */
  readonly maxFrameBytes?: number;
}

/** Opens connections; called again for every reconnection attempt. */
export interface ClientTransport {
  /** Dial the server; `credentials.token`, when given, is the bearer token to present (see each transport for where it goes). */
  open(handlers: ClientSocketHandlers, credentials?: ClientCredentials): Socket;
}

/** What a client presents when it dials, from its `token` function. */
export interface ClientCredentials {
  /** Bearer token for this attempt. */
  readonly token?: string;
  /**
   * The URL to dial instead of the transport's own: a seat's address from matchmaking, or the
   * node a redirect (4010) named as the session's home. A path is resolved against the
   * transport's own URL. Transports that dial no URL (in-memory) ignore it.
   */
  readonly address?: string;
}

/** The close code a socket reports when it ended without a close frame. */
export const ABNORMAL_CLOSURE = 1006;
