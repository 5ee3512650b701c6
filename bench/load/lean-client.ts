/**
 * A load-test client that costs as little as a WebSocket can: a raw WebSocket (raw-websocket.ts) plus tickwire's handshake
 * and just enough frame decoding to answer pings, count Tick frames and acknowledge messages.
 * A full `NetworkClient` applies state into a bitECS world and interpolates; ten thousand of those
 * would measure the generator, not the server. It joins the demo and steers now and then.
 */
import { Join, Move, protocol } from '@tickwire/demo-shared';
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { ByteReader, ByteWriter, FrameKind, PROTOCOL_VERSION, encodeHello, encodePong, writeClientHeader, writeMessages } from '../../engine-plugin/src/protocol';
import { MessageCodec } from '../../engine-plugin/src/schema';
import { RawWebSocket } from './raw-websocket';

/** What every lean client adds to; shared so 10,000 clients keep no per-client arrays. */
export interface LoadCounters {
  welcomed: number;
  failed: number;
  closed: number;
  frames: number;
  bytes: number;
  /** `[tick, arrival wall time ms]` of frames at sampled clients, bounded by `sampleLimit`. */
  arrivals: number[];
  sampleLimit: number;
  closeCodes: Map<number, number>;
  /** Why handshakes failed: the close code before Welcome, 0 for a timeout, -1 for a wrong first frame. */
  failureCodes?: Map<number, number>;
}

const codec = new MessageCodec(64 * 1024);
const JOIN_ID = protocol.messageId(Join);
const MOVE_ID = protocol.messageId(Move);
const hello = encodeHello({ version: PROTOCOL_VERSION, fingerprint: protocol.fingerprint, resumeToken: '', received: 0 });
const writer = new ByteWriter(256);

/** Wall clock with sub-millisecond resolution, comparable across processes on one machine. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/** The socket under a lean client: a raw one by default, `ws` when permessage-deflate is wanted. */
interface Link {
  readonly isOpen: boolean;
  /** Bytes the TCP socket has read. */
  readonly bytesRead: number;
  send(data: Uint8Array): void;
  close(code: number, reason: string): void;
  terminate(): void;
}

interface LinkHandlers {
  open(): void;
  message(data: Buffer): void;
  close(code: number): void;
}

function rawLink(url: string, handlers: LinkHandlers): Link {
  const raw = new RawWebSocket(url, handlers);
  return {
    get isOpen() {
      return raw.isOpen;
    },
    get bytesRead() {
      return raw.socket.bytesRead;
    },
    send: (data) => raw.send(data),
    close: (code) => raw.close(code),
    terminate: () => raw.terminate(),
  };
}

function wsLink(url: string, handlers: LinkHandlers): Link {
  const ws = new WebSocket(url, { perMessageDeflate: true });
  ws.binaryType = 'nodebuffer';
  let tcp: Socket | undefined;
  ws.on('upgrade', (response) => {
    tcp = response.socket;
  });
  ws.on('open', () => handlers.open());
  ws.on('message', (data: Buffer) => handlers.message(data));
  // Without an error listener `ws` would throw; the close that follows reports the end.
  ws.on('error', () => {});
  ws.on('close', (code) => handlers.close(code));
  return {
    get isOpen() {
      return ws.readyState === WebSocket.OPEN;
    },
    get bytesRead() {
      return tcp?.bytesRead ?? 0;
    },
    send: (data) => ws.send(data),
    close: (code, reason) => ws.close(code, reason),
    terminate: () => ws.terminate(),
  };
}

/** One simulated player. */
export class LeanClient {
  private link: Link | undefined;
  private received = 0;
  private nextSeq = 1;
  /** The tick of the last Tick frame (a TickNext frame is the one after it). */
  private lastTick = 0;
  private steering: ReturnType<typeof setInterval> | undefined;
  welcomed = false;

  constructor(
    private readonly url: string,
    private readonly index: number,
    private readonly counters: LoadCounters,
    /** Record frame arrivals for delivery latency. */
    private readonly sampled: boolean,
    /** Offer permessage-deflate (the server decides whether it is used); uses `ws` instead of the raw client. */
    private readonly deflate = false,
  ) {}

  /** Bytes this client's TCP socket has read: what crossed the wire, after any compression. */
  get wireBytesRead(): number {
    return this.link?.bytesRead ?? 0;
  }

  /** Connect; resolves true on Welcome, false on failure or after `timeoutMs`. */
  open(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (ok: boolean, why = 0): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (!ok) {
          this.counters.failed++;
          const codes = this.counters.failureCodes;
          codes?.set(why, (codes.get(why) ?? 0) + 1);
        }
        resolve(ok);
      };
      const timer = setTimeout(() => {
        settle(false, 0);
        this.link?.terminate();
      }, timeoutMs);
      const handlers: LinkHandlers = {
        open: () => this.link?.send(hello),
        message: (data) => {
          if (this.welcomed) {
            this.frame(data);
            return;
          }
          if (data[0] !== FrameKind.Welcome) {
            this.link?.close(1000, 'expected Welcome');
            settle(false, -1);
            return;
          }
          this.welcomed = true;
          this.counters.welcomed++;
          this.send(JOIN_ID, codec.encode(Join, { name: `load-${this.index}` }));
          // Steer every 2 s from a random phase, so the moves of thousands of clients spread out.
          setTimeout(() => {
            if (this.link?.isOpen) this.steering = setInterval(() => this.steer(), 2_000);
          }, Math.random() * 2_000);
          settle(true);
        },
        close: (code) => {
          if (this.steering) clearInterval(this.steering);
          this.steering = undefined;
          if (this.welcomed) {
            this.counters.closed++;
            this.counters.closeCodes.set(code, (this.counters.closeCodes.get(code) ?? 0) + 1);
          }
          settle(false, code);
        },
      };
      this.link = this.deflate ? wsLink(this.url, handlers) : rawLink(this.url, handlers);
    });
  }

  private frame(data: Buffer): void {
    const kind = data[0];
    if (kind === FrameKind.Tick || kind === FrameKind.TickNext) {
      const arrived = this.sampled ? wallNow() : 0;
      let tick: number;
      if (kind === FrameKind.TickNext) {
        // The tick after the last Tick frame's, with its header and no messages.
        tick = ++this.lastTick;
      } else {
        const r = new ByteReader(data, 1);
        tick = r.varint();
        this.lastTick = tick;
        // lastInput, ack and inputQueue: not needed here.
        r.varint();
        r.varint();
        r.varint();
        const count = r.varint();
        if (count > 0) this.received = r.varint() + count - 1;
      }
      this.counters.frames++;
      this.counters.bytes += data.length;
      const arrivals = this.counters.arrivals;
      if (this.sampled && arrivals.length < this.counters.sampleLimit) arrivals.push(tick, arrived);
    } else if (kind === FrameKind.Ping) {
      const echo = new ByteReader(data, 1).f64();
      this.link?.send(encodePong({ echo, time: Date.now(), tick: 0 }));
    }
  }

  private steer(): void {
    const pick = () => Math.floor(Math.random() * 3) - 1;
    this.send(MOVE_ID, codec.encode(Move, { x: pick(), y: pick() }));
  }

  private send(typeId: number, payload: Uint8Array): void {
    const link = this.link;
    if (!link?.isOpen) return;
    writer.reset();
    writeClientHeader(writer, { ack: this.received });
    writeMessages(writer, [{ typeId, payload }], this.nextSeq++);
    link.send(writer.finish());
  }

  /** Close with 1000 and stop steering. */
  close(): void {
    if (this.steering) clearInterval(this.steering);
    this.steering = undefined;
    this.link?.close(1000, 'load test done');
  }

  /** Drop the socket without a closing handshake (end of run, when the server is going away anyway). */
  terminate(): void {
    if (this.steering) clearInterval(this.steering);
    this.steering = undefined;
    this.link?.terminate();
  }
}
