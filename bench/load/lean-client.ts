/**
 * A load-test client that costs as little as a WebSocket can: raw `ws` plus tickwire's handshake
 * and just enough frame decoding to answer pings, count Tick frames and acknowledge messages.
 * A full `NetworkClient` applies state into a bitECS world and interpolates; ten thousand of those
 * would measure the generator, not the server. It joins the demo and steers now and then.
 */
import { Join, Move, protocol } from '@tickwire/demo-shared';
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { ByteReader, ByteWriter, FrameKind, PROTOCOL_VERSION, encodeHello, encodePong, readTickHeader, writeClientHeader, writeMessages } from '../../engine-plugin/src/protocol';
import { MessageCodec } from '../../engine-plugin/src/schema';

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

/** One simulated player. */
export class LeanClient {
  private ws: WebSocket | undefined;
  private received = 0;
  private nextSeq = 1;
  private steering: ReturnType<typeof setInterval> | undefined;
  private tcp: Socket | undefined;
  welcomed = false;

  constructor(
    private readonly url: string,
    private readonly index: number,
    private readonly counters: LoadCounters,
    /** Record frame arrivals for delivery latency. */
    private readonly sampled: boolean,
    /** Offer permessage-deflate (the server decides whether it is used). */
    private readonly deflate = false,
  ) {}

  /** Bytes this client's TCP socket has read: what crossed the wire, after any compression. */
  get wireBytesRead(): number {
    return this.tcp?.bytesRead ?? 0;
  }

  /** Connect; resolves true on Welcome, false on failure or after `timeoutMs`. */
  open(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const ws = new WebSocket(this.url, { perMessageDeflate: this.deflate });
      this.ws = ws;
      ws.on('upgrade', (response) => {
        this.tcp = response.socket;
      });
      ws.binaryType = 'nodebuffer';
      let settled = false;
      const settle = (ok: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (!ok) this.counters.failed++;
        resolve(ok);
      };
      const timer = setTimeout(() => {
        settle(false);
        ws.terminate();
      }, timeoutMs);
      ws.on('open', () => ws.send(hello));
      ws.on('message', (data: Buffer) => {
        if (!this.welcomed) {
          if (data[0] !== FrameKind.Welcome) {
            ws.close();
            settle(false);
            return;
          }
          this.welcomed = true;
          this.counters.welcomed++;
          this.send(JOIN_ID, codec.encode(Join, { name: `load-${this.index}` }));
          // Steer every 2 s from a random phase, so the moves of thousands of clients spread out.
          setTimeout(() => {
            if (ws.readyState === WebSocket.OPEN) this.steering = setInterval(() => this.steer(), 2_000);
          }, Math.random() * 2_000);
          settle(true);
          return;
        }
        this.frame(data);
      });
      ws.on('error', () => settle(false));
      ws.on('close', (code) => {
        if (this.steering) clearInterval(this.steering);
        this.steering = undefined;
        if (this.welcomed) {
          this.counters.closed++;
          this.counters.closeCodes.set(code, (this.counters.closeCodes.get(code) ?? 0) + 1);
        }
        settle(false);
      });
    });
  }

  private frame(data: Buffer): void {
    const kind = data[0];
    if (kind === FrameKind.Tick) {
      const arrived = this.sampled ? wallNow() : 0;
      const r = new ByteReader(data, 1);
      const { tick } = readTickHeader(r);
      const count = r.varint();
      if (count > 0) this.received = r.varint() + count - 1;
      this.counters.frames++;
      this.counters.bytes += data.length;
      const arrivals = this.counters.arrivals;
      if (this.sampled && arrivals.length < this.counters.sampleLimit) arrivals.push(tick, arrived);
    } else if (kind === FrameKind.Ping) {
      const echo = new ByteReader(data, 1).f64();
      this.ws?.send(encodePong({ echo, time: Date.now(), tick: 0 }));
    }
  }

  private steer(): void {
    const pick = () => Math.floor(Math.random() * 3) - 1;
    this.send(MOVE_ID, codec.encode(Move, { x: pick(), y: pick() }));
  }

  private send(typeId: number, payload: Uint8Array): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    writer.reset();
    writeClientHeader(writer, { ack: this.received });
    writeMessages(writer, [{ typeId, payload }], this.nextSeq++);
    ws.send(writer.finish());
  }

  /** Close with 1000 and stop steering. */
  close(): void {
    if (this.steering) clearInterval(this.steering);
    this.steering = undefined;
    this.ws?.close(1000, 'load test done');
  }

  /** Drop the socket without a closing handshake (end of run, when the server is going away anyway). */
  terminate(): void {
    if (this.steering) clearInterval(this.steering);
    this.steering = undefined;
    this.ws?.terminate();
  }
}
