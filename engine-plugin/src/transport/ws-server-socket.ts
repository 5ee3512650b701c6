import type { Duplex } from 'node:stream';
import { type RawData, WebSocket } from 'ws';
import { closeWebSocket, type RequestedClose } from './close-reason.js';
import { ABNORMAL_CLOSURE, type Socket, type SocketHandlers } from './transport.js';
import { wsErrorCloseCode } from './ws-error-close-code.js';

/**
 * Larger messages handed to `send` (which owns its buffer) go through `ws`, which writes header
 * and payload as two buffers without copying; up to this size one copy into a single buffer is
 * cheaper than ws's per-frame header buffer, cork and two-buffer writev.
 */
const DIRECT_FRAME_LIMIT = 16 * 1024;

/**
 * `data` as one unmasked, unfragmented binary WebSocket frame (RFC 6455 §5.2): header and payload in
 * one buffer, so the socket makes one plain write. Small frames come from Node's shared buffer pool.
 */
function binaryFrame(data: Uint8Array): Buffer {
  const length = data.length;
  const head = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + length);
  frame[0] = 0x82; // FIN, opcode 2 (binary)
  if (head === 2) frame[1] = length;
  else if (head === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.set(data, head);
  return frame;
}

/** The socket each `ws` event came from, so the listeners can be three functions shared by every socket. */
const owners = new WeakMap<WebSocket, WsServerSocket>();

function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  owners.get(this)?.received(data, isBinary);
}

function onError(this: WebSocket, error: Error): void {
  owners.get(this)?.failed(error);
}

function onClose(this: WebSocket, code: number, reason: Buffer): void {
  owners.get(this)?.ended(code, reason);
}

/**
 * One accepted `ws` connection as a {@link Socket}. A class, not an object literal of closures:
 * a literal with a `bufferedAmount` getter gets a hidden class of its own per connection (each
 * getter is a new function), which made every read of it in the flush loop a megamorphic
 * lookup — 8 % of the server's main-thread samples at 1,000 players (docs/architecture.md,
 * "Where a delivered update's CPU goes"). As instances of one class they share one map, and the
 * flush loop's calls are monomorphic and inlined.
 *
 * With no extension negotiated `ws` writes every frame synchronously to `raw` (it queues only
 * to compress), so a frame written to `raw` directly keeps its place among ws's own (pings,
 * close), and `raw.writableLength` is all that is buffered.
 */
export class WsServerSocket implements Socket {
  /** Where messages and the close go; set once the host accepted the socket. */
  handlers: SocketHandlers | undefined = undefined;
  private closed = false;
  private closing = false;
  /** Set only when `ws` refused our close code and 1000 went on the wire instead. */
  private requested: RequestedClose | undefined = undefined;
  /** The peer's fault `ws` reported (oversize message, invalid UTF-8, bad frame), to report as the close code. */
  private failure: { code: number; reason: string } | undefined = undefined;
  /** True when no extension is negotiated: frames go to `raw` directly. */
  private readonly direct: boolean;

  constructor(
    private readonly ws: WebSocket,
    private readonly raw: Duplex,
    /** Told once, when the socket closed (after the handlers' `close`). */
    private readonly onEnded: (ws: WebSocket) => void,
  ) {
    this.direct = ws.extensions === '';
    owners.set(ws, this);
    ws.on('message', onMessage);
    // Without an error listener the emit would throw.
    ws.on('error', onError);
    ws.on('close', onClose);
  }

  send(data: Uint8Array): void {
    if (this.closed) return;
    if (this.direct && data.length <= DIRECT_FRAME_LIMIT && this.ws.readyState === WebSocket.OPEN) this.raw.write(binaryFrame(data));
    else this.ws.send(data);
  }

  sendCopy(data: Uint8Array): void {
    if (this.closed) return;
    if (this.direct && this.ws.readyState === WebSocket.OPEN) this.raw.write(binaryFrame(data));
    else this.ws.send(Buffer.from(data));
  }

  sendText(text: string): void {
    if (!this.closed) this.ws.send(text);
  }

  close(code: number, reason: string): void {
    if (this.closed || this.closing) return;
    this.closing = true;
    this.requested = closeWebSocket(this.ws, code, reason);
  }

  get bufferedAmount(): number {
    // ws's own count is the socket's plus what its sender queued, which only compression does.
    return this.direct ? this.raw.writableLength : this.ws.bufferedAmount;
  }

  /** @internal A message from `ws`. */
  received(data: RawData, isBinary: boolean): void {
    const handlers = this.handlers;
    if (this.closed || this.closing || !handlers) return;
    handlers.message(isBinary ? toBytes(data) : toText(data));
  }

  /**
   * @internal An error from `ws`: the peer's fault, and `ws` closes with the matching code; we
   * report that code rather than the 1006 its close event will say.
   */
  failed(error: Error): void {
    const code = wsErrorCloseCode(error);
    if (code !== undefined) this.failure ??= { code, reason: error.message };
  }

  /** @internal The close event from `ws`. */
  ended(code: number, reason: Buffer): void {
    this.onEnded(this.ws);
    if (this.closed) return;
    this.closed = true;
    const handlers = this.handlers;
    if (this.failure && code === ABNORMAL_CLOSURE) handlers?.close(this.failure.code, this.failure.reason);
    else if (this.requested && code !== ABNORMAL_CLOSURE) handlers?.close(this.requested.code, this.requested.reason);
    else handlers?.close(code, reason.toString('utf8'));
  }
}

/** A plain `Uint8Array` over the received bytes (no copy for an unfragmented message). */
function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return toBytes(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function toText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
