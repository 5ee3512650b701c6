/**
 * Messages per second one connection carries, and the bytes tickwire adds to each, against a
 * bare `ws` server sending one message per WebSocket frame.
 *
 *   npm run bench:throughput                                    full run, writes its section of docs/benchmarks.md
 *   BENCH_SMOKE=1 BENCH_NO_WRITE=1 npx tsx bench/throughput.ts   seconds, for CI
 *
 * Server → client, 64-byte payloads (a Bulk message `{ b: 59 bytes }` is exactly 64 bytes of
 * MessagePack; raw `ws` sends those same 64 bytes). The server runs in a child process and sends
 * as fast as the client takes it; the client, here, counts what its reader hands out:
 * `net.messages(Bulk)` after `net.receive()` for tickwire (so every message was decoded and
 * validated), `'message'` events for raw `ws`. Bytes are WebSocket payload bytes as received,
 * plus the WebSocket frame header the server wrote (2 bytes up to 125, 4 up to 65,535, else 10:
 * server frames are unmasked).
 */
import { createWorld } from 'bitecs';
import { WebSocket } from 'ws';
import { createClient, silentLogger } from '../engine-plugin/src/index';
import { nodeWebSocketClient } from '../engine-plugin/src/node';
import { startChild } from './child-process';
import { Bulk, UNLIMITED, benchProtocol } from './latency-protocol';
import { environmentLine, table, writeSection } from './report';
import { fixed, grouped } from './stats';
import { PAYLOAD_BYTES } from './throughput-payload';

const smoke = process.env.BENCH_SMOKE === '1';
const WARMUP_MS = smoke ? 300 : 1_500;
const WINDOW_MS = smoke ? 500 : 4_000;
const BATCHES = smoke ? [100] : [10, 100, 1_000];
const SERVER = new URL('./throughput-server.ts', import.meta.url).pathname;

/** Header bytes of a server-to-client (unmasked) WebSocket frame carrying `length` payload bytes. */
function wsHeaderBytes(length: number): number {
  return length < 126 ? 2 : length < 65_536 ? 4 : 10;
}

interface Counters {
  messages: number;
  frames: number;
  bytes: number;
  framingBytes: number;
}

interface Measurement {
  perSecond: number;
  messagesPerFrame: number;
  wireBytesPerMessage: number;
  frameBytesPerMessage: number;
}

/** Count during the window after the warm-up; `read` returns the counters so far. */
async function measure(read: () => Counters): Promise<Measurement> {
  await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));
  const a = { ...read() };
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
  const b = read();
  const seconds = (performance.now() - t0) / 1000;
  const messages = b.messages - a.messages;
  const frames = b.frames - a.frames;
  const bytes = b.bytes - a.bytes;
  const framing = b.framingBytes - a.framingBytes;
  if (messages === 0) throw new Error('no messages arrived in the measurement window');
  return {
    perSecond: messages / seconds,
    messagesPerFrame: messages / frames,
    frameBytesPerMessage: bytes / messages,
    wireBytesPerMessage: (bytes + framing) / messages,
  };
}

async function runRaw(): Promise<Measurement> {
  const child = await startChild<{ port: number }>(SERVER, ['raw']);
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${child.ready.port}`, { perMessageDeflate: false });
    const counters: Counters = { messages: 0, frames: 0, bytes: 0, framingBytes: 0 };
    ws.on('message', (data: Buffer) => {
      counters.messages++;
      counters.frames++;
      counters.bytes += data.length;
      counters.framingBytes += wsHeaderBytes(data.length);
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const result = await measure(() => counters);
    ws.close();
    return result;
  } finally {
    await child.stop();
  }
}

async function runTickwire(batch: number): Promise<Measurement> {
  const child = await startChild<{ port: number }>(SERVER, [`batch:${batch}`]);
  try {
    const counters: Counters = { messages: 0, frames: 0, bytes: 0, framingBytes: 0 };
    let pending = false;
    const net = createClient(createWorld(), benchProtocol, {
      transport: nodeWebSocketClient(`ws://127.0.0.1:${child.ready.port}/ws`),
      settings: { ...UNLIMITED, inboundCapacity: 4096, maxMessagesPerFrame: Math.max(4096, batch) },
      reconnect: false,
      logger: silentLogger,
      onTick: () => {
        if (pending) return;
        pending = true;
        queueMicrotask(() => {
          pending = false;
          net.receive();
          counters.messages += net.messages(Bulk).length;
          net.flush();
        });
      },
    });
    net.connect();
    // Frames and bytes straight from the connection's counters (Ping/Pong included: they are on the wire too).
    const read = (): Counters => {
      const stats = net.connection.stats;
      const frames = stats.framesIn;
      const average = frames > 0 ? stats.bytesIn / frames : 0;
      return { messages: counters.messages, frames, bytes: stats.bytesIn, framingBytes: frames * wsHeaderBytes(average) };
    };
    const result = await measure(read);
    net.disconnect();
    return result;
  } finally {
    await child.stop();
  }
}

async function main(): Promise<void> {
  const raw = await runRaw();
  process.stdout.write(`raw ws: ${grouped(raw.perSecond)} msg/s\n`);
  const rows: (string | number)[][] = [];
  const overhead = (bytes: number) => `${fixed(((bytes - PAYLOAD_BYTES) / PAYLOAD_BYTES) * 100, 1)} %`;
  rows.push(['raw `ws`, one message per frame', grouped(raw.perSecond), '1', '–', overhead(raw.wireBytesPerMessage), '1.00×']);
  let best = 0;
  let bestOverhead = Number.POSITIVE_INFINITY;
  for (const batch of BATCHES) {
    const m = await runTickwire(batch);
    process.stdout.write(`tickwire batch ${batch}: ${grouped(m.perSecond)} msg/s\n`);
    best = Math.max(best, m.perSecond);
    bestOverhead = Math.min(bestOverhead, (m.frameBytesPerMessage - PAYLOAD_BYTES) / PAYLOAD_BYTES);
    rows.push([
      `tickwire, ${grouped(batch)} messages per tick`,
      grouped(m.perSecond),
      fixed(m.messagesPerFrame, 1),
      overhead(m.frameBytesPerMessage),
      overhead(m.wireBytesPerMessage),
      `${fixed(m.perSecond / raw.perSecond)}×`,
    ]);
  }
  const markdown = [
    '## Throughput and overhead (`npm run bench:throughput`)',
    '',
    environmentLine(),
    '',
    `One connection, server → client, 64-byte payloads, over loopback; server in a child process, ticking back to back (not at a game's rate) and sending whenever the previous batch has left; the client counts what its reader hands out over ${fixed(WINDOW_MS / 1000, 1)} s after a ${fixed(WARMUP_MS / 1000, 1)} s warm-up. ` +
      'Overhead is bytes beyond the 64 payload bytes per message: "frame" counts tickwire\'s frame (kind, tick, lastInput, ack, message count, first sequence, and per message its type id and length); "wire" adds the WebSocket frame header. Ping/Pong frames in the window are included.',
    '',
    table(['sender', 'messages/s', 'messages per frame', 'overhead (frame)', 'overhead (wire)', 'vs raw'], rows),
    '',
    `Targets: ≥ 200,000 messages/s per connection: **${grouped(best)} — ${best >= 200_000 ? 'met' : 'missed'}**; overhead < 3 %: **${fixed(bestOverhead * 100, 1)} % — ${bestOverhead < 0.03 ? 'met' : 'missed'}** (per message, a type id and a length varint: 2 bytes of 64 are 3.1 %, the floor of this format).`,
  ].join('\n');
  writeSection('throughput', markdown);
}

await main();
