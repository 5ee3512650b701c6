import { decode } from '@msgpack/msgpack';
import { ByteReader, ByteWriter } from '../protocol/bytes.js';
import { closeCodeName } from '../protocol/close-codes.js';
import {
  FrameKind,
  PROTOCOL_VERSION,
  decodeMismatch,
  decodeWelcome,
  encodeHello,
  encodePong,
  readMessages,
  expandTickNext,
  readTickHeader,
  type TickHeader,
  writeClientHeader,
  writeMessages,
} from '../protocol/frames.js';
import { ClientReplication, type EntitySink } from '../replication/client-replication.js';
import { type Component, componentInfo } from '../schema/component.js';
import { type Protocol, describeMismatch } from '../schema/protocol.js';
import { nodeWebSocketClient } from '../transport/node-websocket-client.js';
import type { Socket } from '../transport/transport.js';
import { protocolFromDescription } from './description-protocol.js';

/** Options of {@link inspect}. */
export interface InspectOptions {
  /** The server's WebSocket URL, e.g. `ws://localhost:8080/ws?token=…`. */
  readonly url: string;
  /** The game's protocol; without it one is rebuilt from the description in the server's Mismatch frame. */
  readonly protocol?: Protocol;
  /** Upgrade request headers (`Authorization`, `Origin`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Subprotocols to offer (`access_token.<token>`). */
  readonly protocols?: readonly string[];
  /** Where each line goes. */
  readonly print: (line: string) => void;
  /** Leave (close 1000) after this long, ms. Default: stay until the server closes. */
  readonly durationMs?: number;
  /** Leave after this many Tick frames. */
  readonly maxTicks?: number;
  /** Print entity state (spawn / change / despawn lines). Default true. */
  readonly state?: boolean;
}

/** How an inspection ended. */
export interface InspectResult {
  readonly code: number;
  readonly reason: string;
  readonly ticks: number;
  readonly messages: number;
}

/** A readable rendering of a decoded MessagePack value: bytes as `<n bytes>`. */
function render(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v)) ?? 'undefined';
}

function renderValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Math.round(value * 1e4) / 1e4);
  return String(value);
}

/** Open one socket and hand back its first frame (or its close). */
function connect(options: InspectOptions): { socket: Socket; frames: AsyncIterable<Uint8Array>; closed: Promise<{ code: number; reason: string }> } {
  const queue: Uint8Array[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let resolveClosed!: (value: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    resolveClosed = resolve;
  });
  const transport = nodeWebSocketClient(options.url, { headers: options.headers, protocols: options.protocols });
  const socket = transport.open({
    open: () => {},
    message: (data) => {
      if (typeof data === 'string') return;
      queue.push(data);
      wake?.();
    },
    close: (code, reason) => {
      ended = true;
      wake?.();
      resolveClosed({ code, reason });
    },
  });
  const frames: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        while (queue.length > 0) yield queue.shift()!;
        if (ended) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    },
  };
  return { socket, frames, closed };
}

/** Wait for a socket to open (Hello must not be sent before). */
async function sendWhenOpen(socket: Socket, frame: Uint8Array, closed: Promise<unknown>): Promise<boolean> {
  for (;;) {
    try {
      socket.send(frame);
      return true;
    } catch {
      const gone = await Promise.race([closed.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 5))]);
      if (gone) return false;
    }
  }
}

/** Ask the server for its protocol: a Hello with a fingerprint it cannot have is answered with its description. */
async function discover(options: InspectOptions): Promise<Protocol> {
  const { socket, frames, closed } = connect(options);
  if (!(await sendWhenOpen(socket, encodeHello({ version: PROTOCOL_VERSION, fingerprint: 0, resumeToken: '', received: 0 }), closed))) {
    const { code, reason } = await closed;
    throw new Error(`connection refused before the handshake: ${code} ${reason}`);
  }
  for await (const frame of frames) {
    const r = new ByteReader(frame);
    if (r.u8() === FrameKind.Mismatch) {
      const mismatch = decodeMismatch(r);
      socket.close(1000, 'inspector: protocol discovered');
      return protocolFromDescription(mismatch.description, mismatch.fingerprint);
    }
  }
  const { code, reason } = await closed;
  throw new Error(`the server closed without describing its protocol: ${code} ${reason}`);
}

/**
 * Connect to a tickwire server like a client, complete the handshake, and print every frame as
 * readable lines: the Welcome, each tick's messages (decoded MessagePack) and entity state
 * (spawn / change / despawn with field values), and the close code. Answers pings and acknowledges
 * messages so the server treats it as a healthy client.
 */
export async function inspect(options: InspectOptions): Promise<InspectResult> {
  const print = options.print;
  let protocol = options.protocol;
  if (!protocol) {
    protocol = await discover(options);
    const messages = protocol.messages.length;
    print(`protocol: ${messages} message types and ${protocol.components.length} components, from the server's description (fingerprint ${protocol.fingerprint.toString(16)})`);
  }
  const { socket, frames, closed } = connect(options);
  const hello = encodeHello({ version: PROTOCOL_VERSION, fingerprint: protocol.fingerprint, resumeToken: '', received: 0 });
  let ticks = 0;
  let messageCount = 0;
  let received = 0;
  const components = new Map<number, Set<Component>>();
  let nextLocal = 1;
  const free: number[] = [];
  const sink: EntitySink = {
    spawn: () => {
      const id = free.pop() ?? nextLocal++;
      components.set(id, new Set());
      return id;
    },
    despawn: (id) => {
      components.delete(id);
      free.push(id);
    },
    addComponent: (id, component) => components.get(id)?.add(component),
    removeComponent: (id, component) => components.get(id)?.delete(component),
  };
  const replication = new ClientReplication(protocol, sink);
  const serverIds = new Map<number, number>();
  const describeEntity = (local: number): string => {
    const serverId = replication.serverId(local) ?? -1;
    const parts: string[] = [];
    for (const component of components.get(local) ?? []) {
      const id = protocol.componentId(component);
      const info = component[componentInfo];
      const values = replication.authoritative(id).values;
      parts.push(`${info.name}{${info.fieldNames.map((f, i) => `${f}=${renderValue(values[i]![serverId])}`).join(' ')}}`);
    }
    return `${serverId} ${parts.join(' ')}`.trimEnd();
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  if (options.durationMs !== undefined) timer = setTimeout(() => socket.close(1000, 'inspector done'), options.durationMs);
  if (await sendWhenOpen(socket, hello, closed)) {
    // The header of the last Tick frame: a TickNext frame repeats it for the next tick.
    let lastTick: TickHeader | undefined;
    const expander = new ByteWriter(256);
    for await (const arrived of frames) {
      let frame = arrived;
      if (frame[0] === FrameKind.TickNext && lastTick !== undefined) {
        frame = expandTickNext(frame, lastTick, expander);
        lastTick = { ...lastTick, tick: lastTick.tick + 1 };
      }
      const r = new ByteReader(frame);
      const kind = r.u8();
      try {
        if (kind === FrameKind.Welcome) {
          const w = decodeWelcome(r);
          print(`welcome connection=${w.connectionId} tickRate=${w.tickRate} tick=${w.tick} serverTime=${new Date(w.serverTime).toISOString()} resumed=${w.resumed}`);
        } else if (kind === FrameKind.Mismatch) {
          const m = decodeMismatch(r);
          print(`mismatch: server v${m.version}/${m.fingerprint.toString(16)}: ${describeMismatch(protocol.description, m.description)}`);
        } else if (kind === FrameKind.Ping) {
          socket.send(encodePong({ echo: r.f64(), time: Date.now(), tick: 0 }));
        } else if (kind === FrameKind.Tick || kind === FrameKind.TickPart) {
          // A tick too big for one frame comes as TickPart frames ending with its Tick; each is printed as it comes.
          const final = kind === FrameKind.Tick;
          const header = readTickHeader(r);
          if (final) lastTick = header;
          const { firstSeq, messages } = readMessages(r, 1 << 16, 1 << 24);
          if (final) ticks++;
          print(`tick ${header.tick}${final ? '' : ' (part, more follows)'} lastInput=${header.lastInput} ack=${header.ack} inputQueue=${header.inputQueue} bytes=${frame.length}`);
          messages.forEach((m, i) => {
            messageCount++;
            received = Math.max(received, firstSeq + i);
            const name = protocol.messages[m.typeId]?.name ?? `#${m.typeId}`;
            let body: string;
            try {
              body = render(decode(m.payload));
            } catch {
              body = `<${m.payload.length} undecodable bytes>`;
            }
            print(`  message ${name} ${body}`);
          });
          if (r.remaining > 0) {
            replication.beginTick();
            replication.apply(r, header.tick, final);
            if (options.state ?? true) {
              for (const local of replication.spawned) {
                serverIds.set(local, replication.serverId(local) ?? -1);
                print(`  spawn ${describeEntity(local)}`);
              }
              for (const local of replication.changed) print(`  change ${describeEntity(local)}`);
              for (const local of replication.despawned) print(`  despawn ${serverIds.get(local) ?? '?'}`);
            }
          }
          if (messages.length > 0) {
            const w = new ByteWriter(16);
            writeClientHeader(w, { ack: received });
            writeMessages(w, [], 0);
            socket.send(w.finish());
          }
          if (options.maxTicks !== undefined && ticks >= options.maxTicks) socket.close(1000, 'inspector done');
        }
      } catch (error) {
        print(`undecodable frame (kind ${kind}, ${frame.length} bytes): ${(error as Error).message}`);
        socket.close(1002, 'inspector could not decode a frame');
      }
    }
  }
  clearTimeout(timer);
  const { code, reason } = await closed;
  print(`closed ${code} ${closeCodeName(code)}${reason ? ` "${reason}"` : ''}`);
  return { code, reason, ticks, messages: messageCount };
}
