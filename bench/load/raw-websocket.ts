/**
 * The least a WebSocket client can be, for the load generator: the HTTP upgrade and unfragmented
 * frames straight over a TCP socket. `ws` runs every message through a Writable stream, its frame
 * parser and an event emitter; at thousands of clients on the server's own cores that is CPU taken
 * from the server under test. No extensions, no fragmentation (tickwire's server sends neither
 * unless permessage-deflate is on — use `ws` for that), and client frames are masked with a zero
 * key (the RFC requires a mask; a loopback load test has no proxy cache to poison).
 */
import { randomBytes } from 'node:crypto';
import { type Socket, connect } from 'node:net';

/** What the owner of a {@link RawWebSocket} is told. */
export interface RawWebSocketHandlers {
  /** The upgrade succeeded. */
  open(): void;
  /** A binary message arrived (a view into the received chunk: read it before returning). */
  message(data: Buffer): void;
  /** The connection ended: the peer's close code, 1006 without a close frame, once. */
  close(code: number): void;
}

const Opcode = { Text: 0x1, Binary: 0x2, Close: 0x8, Ping: 0x9, Pong: 0xa } as const;
const HEADER_END = Buffer.from('\r\n\r\n');
/** Abnormal closure: the socket ended without a close frame. */
const ABNORMAL = 1006;

/** One client WebSocket over a raw TCP socket. */
export class RawWebSocket {
  readonly socket: Socket;
  /** True between a successful upgrade and the end of the connection. */
  isOpen = false;
  private upgraded = false;
  private pending: Buffer | undefined;
  private ended = false;

  constructor(url: string, private readonly handlers: RawWebSocketHandlers) {
    const { hostname, port, pathname, search } = new URL(url);
    this.socket = connect({ host: hostname, port: Number(port), noDelay: true });
    this.socket.on('connect', () => {
      this.socket.write(
        `GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    this.socket.on('data', (chunk: Buffer) => this.data(chunk));
    this.socket.on('error', () => this.end(ABNORMAL));
    this.socket.on('close', () => this.end(ABNORMAL));
  }

  private data(chunk: Buffer): void {
    let buffer = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    if (!this.upgraded) {
      const headerEnd = buffer.indexOf(HEADER_END);
      if (headerEnd < 0) {
        this.pending = buffer;
        return;
      }
      // The status line alone decides: a refused upgrade (401, 503…) is a plain HTTP response.
      if (!buffer.subarray(0, headerEnd).toString('latin1').startsWith('HTTP/1.1 101')) {
        this.terminate();
        return;
      }
      this.upgraded = true;
      this.isOpen = true;
      this.handlers.open();
      buffer = buffer.subarray(headerEnd + HEADER_END.length);
    }
    let at = 0;
    while (buffer.length - at >= 2 && !this.ended) {
      const opcode = buffer[at]! & 0x0f;
      let length = buffer[at + 1]! & 0x7f;
      let header = 2;
      if (length === 126) {
        if (buffer.length - at < 4) break;
        length = buffer.readUInt16BE(at + 2);
        header = 4;
      } else if (length === 127) {
        if (buffer.length - at < 10) break;
        length = buffer.readUInt32BE(at + 2) * 2 ** 32 + buffer.readUInt32BE(at + 6);
        header = 10;
      }
      if (buffer.length - at < header + length) break;
      const payload = buffer.subarray(at + header, at + header + length);
      at += header + length;
      if (opcode === Opcode.Binary) this.handlers.message(payload);
      else if (opcode === Opcode.Ping) this.frame(Opcode.Pong, payload);
      else if (opcode === Opcode.Close) {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        this.frame(Opcode.Close, payload.subarray(0, 2));
        this.socket.end();
        this.end(code);
      }
    }
    if (at < buffer.length && !this.ended) this.pending = buffer.subarray(at);
  }

  private end(code: number): void {
    if (this.ended) return;
    this.ended = true;
    this.isOpen = false;
    this.handlers.close(code);
  }

  /** Send one binary message: header, zero mask key and payload in one write. */
  send(payload: Uint8Array): void {
    if (this.isOpen) this.frame(Opcode.Binary, payload);
  }

  private frame(opcode: number, payload: Uint8Array): void {
    const length = payload.length;
    const header = length < 126 ? 6 : length < 65_536 ? 8 : 14;
    const out = Buffer.allocUnsafe(header + length);
    out[0] = 0x80 | opcode;
    if (length < 126) out[1] = 0x80 | length;
    else if (length < 65_536) {
      out[1] = 0x80 | 126;
      out.writeUInt16BE(length, 2);
    } else {
      out[1] = 0x80 | 127;
      out.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
      out.writeUInt32BE(length >>> 0, 6);
    }
    out.writeUInt32BE(0, header - 4);
    out.set(payload, header);
    this.socket.write(out);
  }

  /** Close with a code (the closing handshake is not awaited). */
  close(code: number): void {
    if (!this.isOpen) {
      this.terminate();
      return;
    }
    const body = Buffer.allocUnsafe(2);
    body.writeUInt16BE(code, 0);
    this.frame(Opcode.Close, body);
    this.socket.end();
    this.isOpen = false;
  }

  /** Drop the socket at once. */
  terminate(): void {
    this.isOpen = false;
    this.socket.destroy();
  }
}
