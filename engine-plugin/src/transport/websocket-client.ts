import { CloseCode } from '../protocol/close-codes.js';
import { closeWebSocket, type RequestedClose } from './close-reason.js';
import { ABNORMAL_CLOSURE, type ClientCredentials, type ClientSocketHandlers, type ClientTransport, type Socket } from './transport.js';
import { wsErrorCloseCode } from './ws-error-close-code.js';

/**
 * A callback property typed as a method so that it is checked bivariantly: the browser's
 * `WebSocket` and `ws`'s class each type their event objects differently, and both must be
 * assignable to {@link WebSocketLike} without casts.
 */
type EventCallback<E> = { bivariant(event: E): void }['bivariant'];

/**
 * The part of the WHATWG `WebSocket` API this transport uses. The browser's `WebSocket` and the
 * `ws` package's `WebSocket` both satisfy it, which is what lets one client serve both.
 */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  onopen: EventCallback<unknown> | null;
  onmessage: EventCallback<{ readonly data: unknown }> | null;
  onclose: EventCallback<{ readonly code: number; readonly reason: string }> | null;
  onerror: EventCallback<unknown> | null;
  /** `ArrayBuffer`-backed views only: the DOM typings refuse views that may be over a SharedArrayBuffer. */
  send(data: Uint8Array<ArrayBuffer> | string): void;
  close(code?: number, reason?: string): void;
}

/** A constructor with the WHATWG `WebSocket` signature. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** Options for {@link webSocketClient}. */
export interface WebSocketClientOptions {
  /** Subprotocols to offer (`Sec-WebSocket-Protocol`), e.g. to carry a token where headers cannot go. */
  readonly protocols?: readonly string[];
  /** The WebSocket class; defaults to `globalThis.WebSocket` (browsers, Node ≥ 22). */
  readonly WebSocket?: WebSocketConstructor;
  /**
   * The `binaryType` to ask for. Default `'arraybuffer'`, the one every implementation has; `ws`
   * also offers `'nodebuffer'`, a view of the bytes as read, which saves a copy per message.
   */
  readonly binaryType?: 'arraybuffer' | 'nodebuffer';
}

const OPEN = 1;

/** A socket opened by {@link webSocketClient}. */
export interface WebSocketClientSocket extends Socket {
  /** Send a text frame, which tickwire never does: lets tests check that servers refuse them (1003). */
  sendText(text: string): void;
}

/** A {@link ClientTransport} whose sockets can also send text frames (for tests). */
export interface WebSocketClientTransport extends ClientTransport {
  open(handlers: ClientSocketHandlers): WebSocketClientSocket;
}

/** Why {@link webSocketClient} refuses a runtime without a global WebSocket (Node before 22). */
export const NO_WEBSOCKET =
  "tickwire: this runtime has no global WebSocket (Node before 22). On Node, import nodeWebSocketClient from the tickwire/node entry and use nodeWebSocketClient(url) as the client's transport (it runs on the ws package)";

/**
 * A {@link ClientTransport} over any WHATWG-style WebSocket: the browser's by default, `ws`'s on
 * Node (see `nodeWebSocketClient`). Every {@link ClientTransport.open} dials `url` afresh (calling
 * it first when it is a function, e.g. to put the current token in the query).
 *
 * Behaviour the layers above rely on:
 * - binary messages arrive as `Uint8Array`, text frames as `string` (so they can be refused with 1003);
 * - `close` is called exactly once per socket; a failure before or after open, a refused upgrade
 *   included, is `close(1006, reason)`. Browsers hide why a connection failed, so the reason is only
 *   informative: on Node it carries `ws`'s message, e.g. `Unexpected server response: 401`;
 * - after this side calls `socket.close`, no further messages are delivered (as in browsers);
 * - browsers may only send close codes 1000 and 3000–4999; another code falls back to 1000 on the
 *   wire, and this side's `close` callback still reports the code it asked for;
 * - reasons longer than 123 UTF-8 bytes are truncated rather than thrown on;
 * - `send` before `open` throws, as the underlying WebSocket does; `send` after close is dropped.
 *   The caller must not mutate a buffer after handing it to `send` (`ws` queues it without copying).
 *
 * Without `options.WebSocket` on a runtime that has no global one, it throws {@link NO_WEBSOCKET}
 * at once instead of returning a transport whose every attempt would fail.
 */
export function webSocketClient(url: string | (() => string), options: WebSocketClientOptions = {}): WebSocketClientTransport {
  const protocols = options.protocols ? [...options.protocols] : undefined;
  const WebSocketClass = options.WebSocket ?? (globalThis.WebSocket as WebSocketConstructor | undefined);
  // Refused here, at once: a missing implementation never appears later, so retrying it is a loop.
  if (!WebSocketClass) throw new Error(NO_WEBSOCKET);
  return {
    open(handlers: ClientSocketHandlers, credentials?: ClientCredentials): WebSocketClientSocket {
      let ws: WebSocketLike;
      try {
        // A function is asked again on every attempt, so a reconnect can carry a refreshed token.
        const address = dialAddress(url, credentials?.address);
        ws = new WebSocketClass(credentials?.token === undefined ? address : withTokenParameter(address, credentials.token), protocols);
      } catch (error) {
        // A malformed URL or subprotocol throws synchronously; the caller still gets a socket and
        // one close, on a later tick, like any other connection failure.
        return failedSocket(handlers, errorMessage(error) ?? 'invalid WebSocket URL');
      }
      return wrap(ws, handlers, options.binaryType ?? 'arraybuffer');
    },
  };
}

/** What to dial: `address` when given (a path resolved against the transport's URL), else the transport's URL. */
function dialAddress(url: string | (() => string), address: string | undefined): string {
  const own = () => (typeof url === 'function' ? url() : url);
  if (address === undefined) return own();
  try {
    return new URL(address).toString();
  } catch {
    return new URL(address, own()).toString();
  }
}

/** `address` with its `token` query parameter set to `token` (replacing one already there). */
function withTokenParameter(address: string, token: string): string {
  const url = new URL(address);
  url.searchParams.set('token', token);
  return url.toString();
}

function wrap(ws: WebSocketLike, handlers: ClientSocketHandlers, binaryType: string): WebSocketClientSocket {
  let opened = false;
  let closed = false;
  let closing = false;
  let lastError: string | undefined;
  let failure: number | undefined;
  // Set only when the browser refused our close code and we sent 1000 instead.
  let requested: RequestedClose | undefined;

  const finish = (code: number, reason: string): void => {
    if (closed) return;
    closed = true;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    handlers.close(code, reason);
  };

  ws.binaryType = binaryType;
  ws.onopen = () => {
    if (closed || closing) return;
    opened = true;
    handlers.open();
  };
  ws.onmessage = (event) => {
    if (closed || closing) return;
    const bytes = toBytes(event.data);
    if (bytes === undefined) {
      socket.close(CloseCode.UnsupportedData, 'unsupported message data');
      return;
    }
    handlers.message(bytes);
  };
  ws.onerror = (event) => {
    // The close event always follows an error event; keep its message to say why.
    lastError = errorMessage(event) ?? lastError;
    // `ws` on Node: a protocol error it closed the socket for (browsers expose no such detail).
    const error = typeof event === 'object' && event !== null && 'error' in event ? event.error : undefined;
    failure ??= wsErrorCloseCode(error);
  };
  ws.onclose = (event) => {
    if (failure !== undefined && event.code === ABNORMAL_CLOSURE) {
      finish(failure, lastError ?? '');
      return;
    }
    if (requested && event.code !== ABNORMAL_CLOSURE) {
      finish(requested.code, requested.reason);
      return;
    }
    const reason = event.reason || (event.code === ABNORMAL_CLOSURE ? (lastError ?? (opened ? 'connection lost' : 'connection failed')) : '');
    finish(event.code, reason);
  };

  const socket: WebSocketClientSocket = {
    send(data: Uint8Array): void {
      if (closed) return;
      // Encoders allocate plain ArrayBuffers; a SharedArrayBuffer view would be refused by the browser either way.
      ws.send(data as Uint8Array<ArrayBuffer>);
    },
    sendText(text: string): void {
      if (closed) return;
      ws.send(text);
    },
    close(code: number, reason: string): void {
      if (closed || closing) return;
      closing = true;
      requested = closeWebSocket(ws, code, reason);
    },
    get bufferedAmount(): number {
      return ws.readyState === OPEN || closing ? ws.bufferedAmount : 0;
    },
  };
  return socket;
}

function failedSocket(handlers: ClientSocketHandlers, reason: string): WebSocketClientSocket {
  let closed = false;
  setTimeout(() => {
    if (closed) return;
    closed = true;
    handlers.close(ABNORMAL_CLOSURE, reason);
  }, 0);
  return {
    send(): void {
      throw new Error(`WebSocket is not open: ${reason}`);
    },
    sendText(): void {
      throw new Error(`WebSocket is not open: ${reason}`);
    },
    close(): void {},
    bufferedAmount: 0,
  };
}

function toBytes(data: unknown): Uint8Array | string | undefined {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  // A plain view, never a Node Buffer: Buffer#slice shares memory where Uint8Array#slice copies.
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

function errorMessage(value: unknown): string | undefined {
  if (typeof value === 'object' && value !== null && 'message' in value) {
    const { message } = value;
    if (typeof message === 'string' && message !== '') return message;
  }
  return undefined;
}
