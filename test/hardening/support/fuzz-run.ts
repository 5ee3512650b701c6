/**
 * The fuzz harness shared by the CI smoke test and `npm run fuzz`: mutated frames go to the
 * decoders on their own and to a live server (the real endpoint, connections and tick, driven
 * through its transport seam), while a healthy client on the same server chats every tick.
 */
import { addComponent, addEntity, createWorld } from 'bitecs';
import {
  type NetworkClient,
  type Socket,
  InvalidMessageError,
  Networked,
  ProtocolError,
  cloneProtocol,
  createClient,
  createMemoryNetwork,
  createServer,
  silentLogger,
  type Logger,
} from '../../../engine-plugin/src/index';
import { ByteReader, FrameKind, readMessages, readTickHeader } from '../../../engine-plugin/src/protocol';
import { ClientReplication } from '../../../engine-plugin/src/replication/client-replication';
import { MessageCodec } from '../../../engine-plugin/src/schema/message-codec';
import type { Accepted, ConnectionRequest, ServerTransport, SocketHandlers, TransportHost } from '../../../engine-plugin/src/transport/transport';
import { Chat, Position, Shout, protocol } from '../../support/chat-protocol';
import { FrameMutator, MUTATIONS, type Mutation } from './frame-mutator';

/** Close codes docs/protocol.md documents for a peer that sent something bad. */
export const DOCUMENTED_BAD_INPUT_CODES: ReadonlySet<number> = new Set([1002, 1003, 1007, 1008, 1009, 4005, 4006, 4007, 4008]);

export interface FuzzOptions {
  /** Frames to feed the live server (the decoders get as many again). */
  readonly frames: number;
  readonly seed: number;
  /** Stop early after this long, ms. */
  readonly timeLimitMs?: number;
  /** Fuzz frames between two server ticks. */
  readonly framesPerTick?: number;
  readonly onProgress?: (report: FuzzReport) => void;
}

export interface FuzzReport {
  seed: number;
  /** Frames delivered to the live server. */
  liveFrames: number;
  /** Mutated server → client frames fed to the client decoders. */
  decoderFrames: number;
  /** Client decoder outcomes: accepted, or refused with a ProtocolError/InvalidMessageError. */
  decoderAccepted: number;
  decoderRefused: number;
  connections: number;
  /** Fuzzed connections still open after their frames (closed politely by the fuzzer). */
  survived: number;
  /** Server-side closes of fuzzed connections, by code. */
  closes: Record<number, number>;
  mutations: Record<Mutation, number>;
  ticks: number;
  /** Chats the healthy client sent, and echoes it got back in order. */
  healthySent: number;
  healthyEchoed: number;
  /** Broken invariants (empty when all held). */
  violations: string[];
  durationMs: number;
}

const MAX_FRAME = 64 * 1024;
const FRAMES_PER_CONNECTION = 40;

/** A transport whose host the fuzzer calls directly, also serving a memory network for the healthy client. */
function directTransport(inner: ServerTransport): ServerTransport & { host(): TransportHost } {
  let captured: TransportHost | undefined;
  return {
    async start(host) {
      captured = host;
      await inner.start(host);
    },
    stop: () => inner.stop(),
    host: () => captured!,
  };
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const framesPerTick = options.framesPerTick ?? 500;
  const report: FuzzReport = {
    seed: options.seed,
    liveFrames: 0,
    decoderFrames: 0,
    decoderAccepted: 0,
    decoderRefused: 0,
    connections: 0,
    survived: 0,
    closes: {},
    mutations: Object.fromEntries(MUTATIONS.map((m) => [m, 0])) as Record<Mutation, number>,
    ticks: 0,
    healthySent: 0,
    healthyEchoed: 0,
    violations: [],
    durationMs: 0,
  };
  const violation = (what: string) => {
    if (report.violations.length < 50) report.violations.push(what);
  };
  const logger: Logger = {
    ...silentLogger,
    error: (message, fields) => violation(`server logged an error: ${message} ${JSON.stringify(fields)}`),
  };
  const network = createMemoryNetwork();
  const transport = directTransport(network.server());
  const world = createWorld();
  const server = createServer(world, protocol, {
    transport,
    logger,
    settings: { maxFrameBytes: MAX_FRAME, maxMessageBytes: 16 * 1024, idleTimeoutMs: 60_000 },
  });
  await server.start();
  const host = transport.host();
  const eids = Array.from({ length: 20 }, () => {
    const eid = addEntity(world);
    addComponent(world, eid, Position);
    addComponent(world, eid, Networked);
    return eid;
  });

  const healthy: NetworkClient = createClient(createWorld(), cloneProtocol(protocol).protocol, { transport: network.client(), logger: silentLogger, reconnect: false });
  healthy.connect();
  const echoes: string[] = [];
  const tick = (chat = true) => {
    server.receive();
    for (const { source, data } of server.messages(Chat)) if (source.id === healthy.id) server.send(source, Shout, { text: data.text, from: 0 });
    for (const eid of eids) Position.x[eid] = Math.round(Math.sin(report.ticks / 7 + eid) * 1000) / 100;
    server.replicate();
    server.flush();
    healthy.receive();
    for (const e of healthy.events()) if (e.type === 'disconnected') violation(`healthy client disconnected: ${e.code} ${e.reason}`);
    for (const shout of healthy.messages(Shout)) echoes.push(shout.text);
    if (chat && healthy.state === 'connected') {
      healthy.send(Chat, { text: `h${report.healthySent}` });
      report.healthySent++;
    }
    healthy.flush();
    report.ticks++;
  };
  for (let i = 0; i < 500 && healthy.state !== 'connected'; i++) {
    tick();
    await new Promise((r) => setTimeout(r, 1));
  }
  if (healthy.state !== 'connected') violation('healthy client never connected');

  const mutator = new FrameMutator(options.seed, protocol, protocol.messageId(Chat), MAX_FRAME);
  const serverFrames: Uint8Array[] = [];
  const codec = new MessageCodec(16 * 1024);
  // One client-side replication for the whole run, as a client sees one stream: a world whose ids recycle.
  const free: number[] = [];
  let nextLocal = 1;
  const sink = {
    spawn: () => free.pop() ?? nextLocal++,
    despawn: (id: number) => void free.push(id),
    addComponent: () => {},
    removeComponent: () => {},
  };
  const clientReplication = new ClientReplication(protocol, sink);

  /** Feed one mutated server → client frame to the client-side decoders. */
  const decodeAsClient = (frame: Uint8Array) => {
    report.decoderFrames++;
    try {
      const r = new ByteReader(frame);
      if (r.u8() !== FrameKind.Tick) throw new ProtocolError('not a tick');
      const header = readTickHeader(r);
      const { messages } = readMessages(r, 4096, 16 * 1024);
      for (const m of messages) {
        const type = protocol.messages[m.typeId];
        if (!type) throw new ProtocolError('unknown id');
        codec.decode(type, m.payload);
      }
      clientReplication.apply(r, header.tick);
      report.decoderAccepted++;
    } catch (error) {
      if (error instanceof ProtocolError || error instanceof InvalidMessageError) report.decoderRefused++;
      else violation(`client decoder threw ${String(error)}`);
    }
  };

  const deadline = options.timeLimitMs === undefined ? Number.POSITIVE_INFINITY : started + options.timeLimitMs;
  let sinceTick = 0;
  while (report.liveFrames < options.frames && performance.now() < deadline) {
    report.connections++;
    const request: ConnectionRequest = { url: '/ws', headers: {}, remoteAddress: '10.0.0.1', protocols: [] };
    const admission = await host.admit(request);
    if (!admission.accept) {
      violation(`admission refused: ${admission.status}`);
      break;
    }
    let closedWith: number | undefined;
    const pendingCloses: Array<[number, string]> = [];
    const socket: Socket = {
      send(data) {
        if (data[0] === FrameKind.Tick && serverFrames.length < 256 && data.length < 4096) serverFrames.push(data);
      },
      close(code, reason) {
        if (closedWith !== undefined) return;
        closedWith = code;
        // The transport reports the close later, from the socket's own event, never inside `close`.
        pendingCloses.push([code, reason]);
      },
      bufferedAmount: 0,
    };
    let handlers: SocketHandlers;
    try {
      handlers = host.accept(socket, request, admission as Accepted);
    } catch (error) {
      violation(`accept threw ${String(error)}`);
      break;
    }
    const deliver = (data: Uint8Array | string) => {
      try {
        handlers.message(data);
      } catch (error) {
        violation(`handler threw ${String(error)}`);
      }
      for (const [code, reason] of pendingCloses.splice(0)) {
        try {
          handlers.close(code, reason);
        } catch (error) {
          violation(`close handler threw ${String(error)}`);
        }
      }
    };
    for (let i = 0; i <= FRAMES_PER_CONNECTION && closedWith === undefined && report.liveFrames < options.frames; i++) {
      const frame = i === 0 ? mutator.hello(0.1) : mutator.next(0.3);
      report.mutations[frame.mutation]++;
      report.liveFrames++;
      deliver(frame.data);
      if (serverFrames.length > 0 && typeof frame.data !== 'string') {
        const mutated = mutator.mutate(serverFrames[Math.floor(mutator.random() * serverFrames.length)]!);
        if (typeof mutated.data !== 'string' && mutated.data.length <= MAX_FRAME) decodeAsClient(mutated.data);
      }
      if (++sinceTick >= framesPerTick) {
        sinceTick = 0;
        tick();
        await new Promise((r) => setImmediate(r));
        options.onProgress?.(report);
      }
    }
    if (closedWith === undefined) {
      report.survived++;
      try {
        handlers.close(1000, 'fuzzer done');
      } catch (error) {
        violation(`close handler threw ${String(error)}`);
      }
    } else {
      report.closes[closedWith] = (report.closes[closedWith] ?? 0) + 1;
      if (!DOCUMENTED_BAD_INPUT_CODES.has(closedWith)) violation(`connection closed with undocumented code ${closedWith}`);
    }
  }

  // Let the healthy client's last chats come back: every one, in order.
  for (let i = 0; i < 500 && echoes.length < report.healthySent; i++) {
    tick(false);
    await new Promise((r) => setTimeout(r, 2));
  }
  report.healthyEchoed = echoes.length;
  const inOrder = echoes.every((text, i) => text === `h${i}`);
  if (!inOrder) violation('healthy client echoes out of order or missing');
  if (healthy.state !== 'connected') violation(`healthy client state ${healthy.state}`);
  server.receive();
  const leaked = [...server.connections()].filter((c) => c.id !== healthy.id).length;
  if (leaked > 0) violation(`${leaked} fuzzed sessions still held`);
  healthy.disconnect();
  await server.stop();
  report.durationMs = performance.now() - started;
  return report;
}
