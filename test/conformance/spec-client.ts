/**
 * A tickwire client written from docs/protocol.md alone, as a stranger would write one: it
 * imports nothing from engine-plugin — only `ws` (the socket) and `@msgpack/msgpack` (payloads).
 * It reads the built-in description lines out of the document itself, builds the fingerprint
 * with the document's pseudo-code, parses field types with the document's grammar, and decodes
 * frames and state sections byte by byte as the document says. When code and document drift
 * apart, this client stops working: that is its job.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode, encode } from '@msgpack/msgpack';
import WebSocket from 'ws';

// ---- the protocol description (docs/protocol.md, "Protocol description and fingerprint") ----

/** The built-in description lines, read from the block the document prints. */
export function builtInLines(): string[] {
  const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'protocol.md'), 'utf8');
  const at = doc.indexOf('**Built-in description lines**');
  const block = /```text\n([\s\S]*?)\n```/.exec(doc.slice(at));
  if (at < 0 || !block) throw new Error('docs/protocol.md no longer prints the built-in description lines');
  return block[1]!.split('\n');
}

/** FNV-1a, 32 bits, over the UTF-16 code units of the lines joined with "\n". */
export function fingerprint(lines: readonly string[]): number {
  const text = lines.join('\n');
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = (hash ^ text.charCodeAt(i)) >>> 0;
    hash = Number((BigInt(hash) * 0x01000193n) % 0x100000000n);
  }
  return hash;
}

/** A component field's wire type, from the grammar. */
export type WireField =
  | { readonly name: string; readonly kind: 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'f64' | 'bool' }
  | { readonly name: string; readonly kind: 'quantized'; readonly step: number; readonly offset: number; readonly maxQ: number | undefined }
  | { readonly name: string; readonly kind: 'string'; readonly maxBytes: number };

export interface WireComponent {
  readonly name: string;
  readonly fields: readonly WireField[];
}

/** Split a shape's text at top-level ';' (types may nest braces and parentheses). */
function splitShape(shape: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < shape.length; i++) {
    const c = shape[i];
    if (c === '(' || c === '{') depth++;
    else if (c === ')' || c === '}') depth--;
    else if (c === ';' && depth === 0) {
      parts.push(shape.slice(start, i));
      start = i + 1;
    }
  }
  if (shape.length > 0) parts.push(shape.slice(start));
  return parts;
}

function componentField(text: string): WireField {
  const colon = text.indexOf(':');
  const name = text.slice(0, colon);
  const type = text.slice(colon + 1);
  if (type === 'bool') return { name, kind: 'bool' };
  const string = /^string\((\d+)\)$/.exec(type);
  if (string) return { name, kind: 'string', maxBytes: Number(string[1]) };
  const number = /^(u8|i8|u16|i16|u32|i32|f32|f64)\(([^,]+),([^,]+)(?:,q=([^@]+)@([^/]+)\/(\d*))?,(none|linear|angle)\)$/.exec(type);
  if (!number) throw new Error(`not a component field type: ${type}`);
  const kind = number[1] as 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'f64';
  if (number[4] === undefined) return { name, kind };
  // The number format round-trips: parsing gives the encoder's doubles exactly.
  return { name, kind: 'quantized', step: Number(number[4]), offset: Number(number[5]), maxQ: number[6] === '' ? undefined : Number(number[6]) };
}

/** The protocol as a client needs it: message ids by name, components by id. */
export interface WireProtocol {
  readonly lines: readonly string[];
  readonly fingerprint: number;
  readonly messageIds: ReadonlyMap<string, number>;
  readonly messageNames: readonly string[];
  readonly components: readonly WireComponent[];
}

/** Built-in lines from the document, then the game's (already in the document's sort order). */
export function wireProtocol(gameLines: readonly string[]): WireProtocol {
  const lines = [...builtInLines(), ...gameLines];
  const messageNames: string[] = [];
  const components: WireComponent[] = [];
  for (const line of lines) {
    const message = /^message ([^(]+)\(/.exec(line);
    if (message) {
      messageNames.push(message[1]!);
      continue;
    }
    const component = /^component ([^{]+)\{(.*)\}$/.exec(line);
    if (!component) throw new Error(`not a description line: ${line}`);
    components.push({ name: component[1]!, fields: splitShape(component[2]!).map(componentField) });
  }
  return { lines, fingerprint: fingerprint(lines), messageIds: new Map(messageNames.map((n, i) => [n, i])), messageNames, components };
}

// ---- bytes (docs/protocol.md, "Primitive types") ----

class Reader {
  offset = 0;
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get remaining(): number {
    return this.bytes.length - this.offset;
  }
  u8(): number {
    if (this.offset >= this.bytes.length) throw new Error('truncated');
    return this.bytes[this.offset++]!;
  }
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new Error('varint over 8 bytes');
  }
  zigzag(): number {
    const n = this.varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }
  f32(): number {
    return this.view.getFloat32(this.take(4), true);
  }
  f64(): number {
    return this.view.getFloat64(this.take(8), true);
  }
  u32(): number {
    return this.view.getUint32(this.take(4), true);
  }
  string(): string {
    const length = this.varint();
    const at = this.take(length);
    return new TextDecoder('utf-8', { fatal: true }).decode(this.bytes.subarray(at, at + length));
  }
  bytesOf(length: number): Uint8Array {
    const at = this.take(length);
    return this.bytes.subarray(at, at + length);
  }
  private take(n: number): number {
    if (this.offset + n > this.bytes.length) throw new Error('truncated');
    const at = this.offset;
    this.offset += n;
    return at;
  }
}

class Writer {
  private readonly out: number[] = [];
  u8(b: number): this {
    this.out.push(b);
    return this;
  }
  varint(n: number): this {
    let v = n;
    while (v >= 0x80) {
      this.out.push((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    this.out.push(v);
    return this;
  }
  u32(n: number): this {
    this.out.push(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
    return this;
  }
  f64(x: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, x, true);
    this.out.push(...b);
    return this;
  }
  string(text: string): this {
    const b = new TextEncoder().encode(text);
    this.varint(b.length);
    this.out.push(...b);
    return this;
  }
  bytes(b: Uint8Array): this {
    this.out.push(...b);
    return this;
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

// ---- the client ----

/** One entity as this client holds it: component name → field name → value. */
export type EntityState = Record<string, Record<string, number | string>>;

interface Held {
  /** Component ids, ascending. */
  components: number[];
  /** Per component id: field values (quantised as value) and the quantised baselines. */
  values: Map<number, Array<number | string>>;
  q: Map<number, number[]>;
}

const FrameKind = { Hello: 1, Welcome: 2, Mismatch: 3, Tick: 4, Client: 5, Ping: 6, Pong: 7, TickPart: 8, Messages: 9, TickNext: 10 } as const;

/** What this client accepts (advertised in Hello): 1 MiB frames, 64 KiB payloads, 256 messages a frame. */
const LIMITS = { maxFrameBytes: 1 << 20, maxMessageBytes: 1 << 16, maxMessagesPerFrame: 256 } as const;

/** A received message: its type name and decoded payload. */
export interface SpecMessage {
  readonly type: string;
  readonly data: unknown;
}

/**
 * Connects, handshakes, keeps the state sections' world, answers pings, acknowledges, and sends
 * messages. `worldAt(tick)` is the world as it stood after that tick's frame.
 */
export class SpecClient {
  connectionId = 0;
  tickRate = 0;
  tick = 0;
  welcomed = false;
  closed: { code: number; reason: string } | undefined;
  mismatch: { fingerprint: number; lines: string[] } | undefined;
  readonly messages: SpecMessage[] = [];
  /** Server entity ids this client owns (tickwire.ownership). */
  readonly owned = new Set<number>();
  readonly history = new Map<number, Map<number, EntityState>>();
  private readonly entities = new Map<number, Held>();
  private readonly socket: WebSocket;
  private received = 0;
  private sent = 0;
  private readonly outbox: Array<{ typeId: number; payload: Uint8Array }> = [];
  /** TickPart frames of the tick whose Tick frame has not arrived yet. */
  private readonly parts: Reader[] = [];
  /** A Tick frame arrived on this socket: TickNext frames may follow. */
  private tickSeen = false;

  constructor(
    url: string,
    readonly protocol: WireProtocol,
  ) {
    this.socket = new WebSocket(url);
    this.socket.binaryType = 'nodebuffer';
    this.socket.on('open', () => {
      this.socket.send(
        new Writer()
          .u8(FrameKind.Hello)
          .varint(4)
          .u32(protocol.fingerprint)
          .string('')
          .varint(0)
          .varint(LIMITS.maxFrameBytes)
          .varint(LIMITS.maxMessageBytes)
          .varint(LIMITS.maxMessagesPerFrame)
          .finish(),
      );
    });
    this.socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) throw new Error('a text frame from the server');
      this.frame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    });
    this.socket.on('close', (code: number, reason: Buffer) => {
      this.closed = { code, reason: reason.toString() };
    });
  }

  /** Queue a message (by type name, payload as the schema's map) for the next {@link flush}. */
  send(type: string, data: Record<string, unknown>): void {
    const typeId = this.protocol.messageIds.get(type);
    if (typeId === undefined) throw new Error(`unknown message type ${type}`);
    this.outbox.push({ typeId, payload: encode(data) });
  }

  /** Send a Client frame: the acknowledgement and every queued message, as lone messages. */
  flush(): void {
    if (!this.welcomed || this.closed) return;
    const w = new Writer().u8(FrameKind.Client).varint(this.received).varint(this.outbox.length);
    if (this.outbox.length > 0) w.varint(this.sent + 1);
    for (const { typeId, payload } of this.outbox.splice(0)) {
      w.varint(typeId * 2).varint(payload.length).bytes(payload);
      this.sent++;
    }
    this.socket.send(w.finish());
  }

  close(): void {
    this.socket.close(1000, 'done');
  }

  private frame(bytes: Uint8Array): void {
    const r = new Reader(bytes);
    switch (r.u8()) {
      case FrameKind.Welcome:
        this.connectionId = r.varint();
        this.tickRate = r.varint();
        this.tick = r.varint();
        r.f64(); // server time
        r.string(); // session token
        r.u8(); // resumed
        r.varint(); // the server's received
        // The server's limits and rate limits: this client's frames stay far below them.
        for (let i = 0; i < 7; i++) r.varint();
        this.welcomed = true;
        return;
      case FrameKind.Mismatch: {
        r.varint();
        const fp = r.u32();
        const count = r.varint();
        const lines: string[] = [];
        for (let i = 0; i < count; i++) lines.push(r.string());
        this.mismatch = { fingerprint: fp, lines };
        return;
      }
      case FrameKind.Ping:
        this.socket.send(new Writer().u8(FrameKind.Pong).f64(r.f64()).f64(Date.now()).varint(0).finish());
        return;
      case FrameKind.Pong:
        return;
      case FrameKind.TickPart:
        // Nothing of a tick is applied before its Tick frame.
        this.parts.push(r);
        return;
      case FrameKind.Tick:
        this.tickFrames([...this.parts.splice(0), r]);
        this.tickSeen = true;
        return;
      case FrameKind.TickNext:
        // The tick after the last Tick frame's, same header, no messages: only a state section.
        if (!this.tickSeen) throw new Error('a TickNext frame before any Tick frame');
        if (this.parts.length > 0) throw new Error('a TickNext frame inside a split tick');
        this.tick++;
        this.tickFrames([r], false);
        return;
      case FrameKind.Messages:
        // Between ticks: an acknowledgement and messages, never inside a split tick.
        if (this.parts.length > 0) throw new Error('a Messages frame inside a split tick');
        r.varint(); // ack
        this.messagesSection(r);
        return;
      default:
        throw new Error('unknown frame kind');
    }
  }

  /** One tick, sent as TickPart… Tick: messages and state sections applied in order, the snapshot sweep after the last. */
  private tickFrames(frames: Reader[], withHeader = true): void {
    const listed = new Set<number>();
    let snapshot = false;
    for (const r of frames) {
      if (withHeader) this.tickHeaderAndMessages(r);
      if (r.remaining > 0) snapshot = this.state(r, listed) || snapshot;
    }
    if (snapshot) for (const held of [...this.entities.keys()]) if (!listed.has(held)) this.entities.delete(held);
    this.history.set(this.tick, this.snapshot());
  }

  private tickHeaderAndMessages(r: Reader): void {
    this.tick = r.varint();
    r.varint(); // lastInput
    r.varint(); // ack
    r.varint(); // inputQueue
    this.messagesSection(r);
  }

  private messagesSection(r: Reader): void {
    const count = r.varint();
    if (count > 0) {
      let seq = r.varint();
      let read = 0;
      while (read < count) {
        const head = r.varint();
        const typeId = Math.floor(head / 2);
        const n = head % 2 === 1 ? r.varint() : 1;
        for (let i = 0; i < n; i++, read++, seq++) {
          const payload = r.bytesOf(r.varint());
          if (seq <= this.received) continue;
          this.received = seq;
          this.message(this.protocol.messageNames[typeId]!, decode(payload));
        }
      }
    }
  }

  private message(type: string, data: unknown): void {
    this.messages.push({ type, data });
    if (type === 'tickwire.ownership') {
      const { entity, owned } = data as { entity: number; owned: boolean };
      if (owned) this.owned.add(entity);
      else this.owned.delete(entity);
    }
  }

  /** Apply one state section; entities it lists in full go into `listed`. True when it is part of a snapshot. */
  private state(r: Reader, listed: Set<number>): boolean {
    const flags = r.u8();
    const snapshot = (flags & 1) !== 0;
    if ((flags & 2) !== 0) {
      let id = -1;
      for (let i = r.varint(); i > 0; i--) {
        id += r.varint() + 1;
        this.entities.delete(id);
      }
    }
    if ((flags & 4) !== 0) {
      let id = -1;
      for (let i = r.varint(); i > 0; i--) {
        id += r.varint() + 1;
        this.full(r, id);
        listed.add(id);
      }
    }
    let id = -1;
    while (r.remaining > 0) {
      id += r.varint() + 1;
      this.update(r, id);
    }
    return snapshot;
  }

  private full(r: Reader, id: number): void {
    const mask = r.varint();
    // A spawn, or a refresh: either way components, values and baselines are replaced.
    const held: Held = { components: [], values: new Map(), q: new Map() };
    for (let c = 0; c < this.protocol.components.length; c++) {
      if ((mask & 2 ** c) === 0) continue;
      held.components.push(c);
      const fields = this.protocol.components[c]!.fields;
      const values: Array<number | string> = [];
      const q: number[] = [];
      for (const field of fields) {
        if (field.kind === 'quantized') {
          const value = r.zigzag();
          q.push(value);
          values.push(value * field.step + field.offset);
        } else {
          q.push(0);
          values.push(this.absolute(r, field));
        }
      }
      held.values.set(c, values);
      held.q.set(c, q);
    }
    this.entities.set(id, held);
  }

  private update(r: Reader, id: number): void {
    const held = this.entities.get(id);
    if (!held) throw new Error(`update for entity ${id}, which this client does not have`);
    const total = held.components.reduce((sum, c) => sum + this.protocol.components[c]!.fields.length, 0);
    const changed: Array<[number, number]> = [];
    if (total <= 31) {
      const mask = r.varint();
      let k = 0;
      for (const c of held.components) {
        const n = this.protocol.components[c]!.fields.length;
        for (let f = 0; f < n; f++, k++) if (Math.floor(mask / 2 ** k) % 2 === 1) changed.push([c, f]);
      }
    } else {
      const componentMask = r.varint();
      for (const c of held.components) {
        if ((componentMask & 2 ** c) === 0) continue;
        const fieldMask = r.varint();
        const n = this.protocol.components[c]!.fields.length;
        for (let f = 0; f < n; f++) if ((fieldMask & 2 ** f) !== 0) changed.push([c, f]);
      }
    }
    for (const [c, f] of changed) {
      const field = this.protocol.components[c]!.fields[f]!;
      const values = held.values.get(c)!;
      if (field.kind === 'quantized') {
        const q = held.q.get(c)!;
        q[f] = q[f]! + r.zigzag();
        values[f] = q[f]! * field.step + field.offset;
      } else values[f] = this.absolute(r, field);
    }
  }

  private absolute(r: Reader, field: WireField): number | string {
    switch (field.kind) {
      case 'u8':
      case 'bool':
        return r.u8();
      case 'i8': {
        const b = r.u8();
        return b >= 0x80 ? b - 0x100 : b;
      }
      case 'u16':
      case 'u32':
        return r.varint();
      case 'i16':
      case 'i32':
        return r.zigzag();
      case 'f32':
        return r.f32();
      case 'f64':
        return r.f64();
      case 'string':
        return r.string();
      case 'quantized':
        return r.zigzag() * field.step + field.offset;
    }
  }

  /** The world now: server id → component name → field name → value. */
  snapshot(): Map<number, EntityState> {
    const out = new Map<number, EntityState>();
    for (const [id, held] of this.entities) {
      const state: EntityState = {};
      for (const c of held.components) {
        const component = this.protocol.components[c]!;
        const values = held.values.get(c)!;
        state[component.name] = Object.fromEntries(component.fields.map((f, i) => [f.name, values[i]!]));
      }
      out.set(id, state);
    }
    return out;
  }
}
