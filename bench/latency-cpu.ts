/**
 * The JavaScript cost of one tickwire round trip, without a network: `bench/latency.ts`'s request
 * and reply (client `send` + `flush` → server `receive`, reply, `replicate`, `flush` → client
 * `receive` + `messages`) over a loopback transport that hands each frame straight to the other
 * side, in one process. What is left is our code on both sides, so a change to it shows here
 * clearly even on a machine too noisy for the socket benchmark to tell.
 *
 *   npx tsx bench/latency-cpu.ts            prints µs per round trip, and per stage
 *   LATENCY_CPU_ITERATIONS=200000 …         more iterations (default 100,000)
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { createWorld } from 'bitecs';
import { createClient, createServer, silentLogger } from '../engine-plugin/src/index';
import type { ClientSocketHandlers, ClientTransport, ServerTransport, Socket, SocketHandlers, TransportHost } from '../engine-plugin/src/transport/transport';
import { ECHO_BODY, Echo, EchoReply, UNLIMITED, benchProtocol } from './latency-protocol';

const ITERATIONS = Number(process.env.LATENCY_CPU_ITERATIONS ?? 100_000);

/**
 * What a socket does to a frame, as far as our code can tell: `ws` takes the sent bytes' ArrayBuffer
 * (which makes V8 move a small array's bytes off its heap), and the receiver gets a view of a fresh
 * off-heap buffer.
 */
function overTheWire(data: Uint8Array): Uint8Array {
  const sent = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const received = new Uint8Array(new ArrayBuffer(sent.byteLength));
  received.set(sent);
  return received;
}

/** One connection whose frames wait in two arrays until the bench hands them over. */
class Loopback {
  toServer: Uint8Array[] = [];
  toClient: Uint8Array[] = [];
  server: SocketHandlers | undefined;
  client: ClientSocketHandlers | undefined;
  host: TransportHost | undefined;

  readonly serverTransport: ServerTransport = {
    start: async (host) => {
      this.host = host;
    },
    stop: async () => {},
  };

  readonly clientTransport: ClientTransport = {
    open: (handlers) => {
      this.client = handlers;
      const socket: Socket = { send: (data) => this.toServer.push(overTheWire(data)), close: () => {}, bufferedAmount: 0 };
      const serverSocket: Socket = { send: (data) => this.toClient.push(overTheWire(data)), close: () => {}, bufferedAmount: 0 };
      const request = { url: '/ws', headers: {}, remoteAddress: '127.0.0.1', protocols: [] };
      queueMicrotask(async () => {
        const admission = await this.host!.admit(request);
        if (!admission.accept) throw new Error('refused');
        this.server = this.host!.accept(serverSocket, request, admission);
        handlers.open();
      });
      return socket;
    },
  };

  deliverToServer(): void {
    const frames = this.toServer;
    this.toServer = [];
    for (const frame of frames) this.server!.message(frame);
  }

  deliverToClient(): void {
    const frames = this.toClient;
    this.toClient = [];
    for (const frame of frames) this.client!.message(frame);
  }
}

const loop = new Loopback();
const server = createServer(createWorld(), benchProtocol, { transport: loop.serverTransport, settings: UNLIMITED, logger: silentLogger });
await server.start();
const client = createClient(createWorld(), benchProtocol, { transport: loop.clientTransport, settings: UNLIMITED, reconnect: false, logger: silentLogger });
client.connect();
await new Promise((resolve) => setTimeout(resolve, 0));
loop.deliverToServer();
loop.deliverToClient();
if (client.state !== 'connected') throw new Error(`not connected: ${client.state}`);

const stages = new Float64Array(4);
const names = ['client send + flush', 'server frame in (decode, validate)', 'server step (receive … flush)', 'client frame in + receive + messages'];
let received = 0;

function roundTrip(n: number, timed: boolean): void {
  const t0 = timed ? performance.now() : 0;
  client.send(Echo, { n, body: ECHO_BODY });
  client.flush();
  const t1 = timed ? performance.now() : 0;
  loop.deliverToServer();
  const t2 = timed ? performance.now() : 0;
  server.receive();
  for (const { source, data } of server.messages(Echo)) server.send(source, EchoReply, data);
  server.replicate();
  server.flush();
  const t3 = timed ? performance.now() : 0;
  loop.deliverToClient();
  client.receive();
  for (const reply of client.messages(EchoReply)) if (reply.n === n) received++;
  if (timed) {
    const t4 = performance.now();
    stages[0]! += t1 - t0;
    stages[1]! += t2 - t1;
    stages[2]! += t3 - t2;
    stages[3]! += t4 - t3;
  }
}

for (let i = 0; i < 20_000; i++) roundTrip(i, false);
/**
 * Bytes allocated per round trip: growth of V8's new space over small batches, the median of many
 * (a batch that a scavenge cuts short is an outlier either way).
 */
function allocationPerRoundTrip(): number {
  const newSpace = (): number => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_used_size ?? 0;
  const batch = 50;
  const growth: number[] = [];
  for (let b = 0; b < 101; b++) {
    const before = newSpace();
    for (let i = 0; i < batch; i++) roundTrip(i, false);
    growth.push(newSpace() - before);
  }
  growth.sort((x, y) => x - y);
  return growth[growth.length >> 1]! / batch;
}

const allocated = allocationPerRoundTrip();
received = 0;
const started = performance.now();
for (let i = 0; i < ITERATIONS; i++) roundTrip(i, false);
const total = performance.now() - started;
for (let i = 0; i < ITERATIONS; i++) roundTrip(i, true);
if (received !== 2 * ITERATIONS) throw new Error(`${received} replies for ${2 * ITERATIONS} requests`);
console.log(`${((total / ITERATIONS) * 1000).toFixed(2)} µs per round trip (JavaScript only, both sides, ${ITERATIONS} iterations)`);
console.log(`  ${Math.round(allocated)} bytes allocated per round trip (the loopback's copies included)`);
const timedTotal = stages.reduce((a, b) => a + b, 0);
for (let s = 0; s < names.length; s++) console.log(`  ${((stages[s]! / ITERATIONS) * 1000).toFixed(2).padStart(6)} µs  ${names[s]}`);
console.log(`  (timed pass ${((timedTotal / ITERATIONS) * 1000).toFixed(2)} µs, performance.now() included)`);
await server.stop();
