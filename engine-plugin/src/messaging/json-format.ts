import { Encoder, decode } from '@msgpack/msgpack';
import { ByteReader, ByteWriter } from '../protocol/bytes.js';
import { CloseCode } from '../protocol/close-codes.js';
import {
  FrameKind,
  PROTOCOL_VERSION,
  decodeMismatch,
  decodePong,
  decodeWelcome,
  encodeHello,
  encodePing,
  encodePong,
  readMessages,
  readTickHeader,
  writeClientHeader,
  writeMessages,
} from '../protocol/frames.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { Field, Shape } from '../schema/fields.js';
import type { MessageType } from '../schema/message.js';
import { CARRIER_MESSAGES } from '../schema/messaging-messages.js';
import { requestRole } from '../schema/request.js';
import type { Socket, SocketHandlers } from '../transport/transport.js';
import type { ServerConnection } from '../connection/server-connection.js';
import type { WireFormat, WireFormatContext } from '../connection/wire-format.js';
import { advertisedLimits } from '../connection/settings.js';
import { MAX_JSON_DEPTH, jsonDepthWithin } from '../schema/json-depth.js';

/**
 * The JSON wire format (seed 000 offers JSON beside MessagePack; seed 003's envelope), for
 * debugging tools and third-party clients without a MessagePack library. A client selects it by
 * offering the WebSocket subprotocol {@link JSON_SUBPROTOCOL}; binary stays the default.
 *
 * It is a translation at the socket seam: each text frame becomes the binary frame it stands for
 * and each binary frame the connection layer sends becomes text frames, so the handshake,
 * validation, rate limits, bounds and close codes are the binary ones by construction, and the
 * binary path runs exactly as before. Every text frame is one envelope
 * `{ type, data?, id?, timestamp?, error? }` naming its message type by name. Replication state
 * is binary-only: a JSON peer gets messages, requests, topics and presence, never a state section.
 * docs/protocol.md ("JSON wire format") specifies it.
 */

/** The subprotocol that selects the JSON wire format. */
export const JSON_SUBPROTOCOL = 'tickwire.json.v1';

/** What a JSON envelope may hold; any other key is a malformed frame (1002). */
const ENVELOPE_KEYS = new Set(['type', 'data', 'id', 'timestamp', 'error']);
/** Longest request id a JSON peer may choose (characters). */
const MAX_ID_LENGTH = 64;

const sessions = new WeakSet<object>();

/** True when a server connection speaks the JSON wire format. */
export function speaksJson(connection: object): boolean {
  return sessions.has(connection);
}

/** What the JSON translation needs from the endpoint. */
type JsonWireContext = WireFormatContext;

/** A decoded JSON envelope. */
interface Envelope {
  readonly type: string;
  readonly data: Record<string, unknown> | undefined;
  readonly id: string | number | undefined;
  readonly error: { code: number; message: string } | undefined;
}

const encoder = new Encoder({ ignoreUndefined: true });

/**
 * Accept a socket that chose the JSON subprotocol: `acceptBinary` receives a binary-speaking
 * stand-in for it (and returns the connection layer's handlers, exactly as for a binary peer);
 * the handlers returned here are what the transport must call.
 */
export function acceptJson(socket: Socket, context: JsonWireContext, acceptBinary: (socket: Socket) => SocketHandlers): SocketHandlers {
  const wire = new JsonWire(socket, context);
  wire.inner = acceptBinary(wire.binarySocket);
  return { message: (data) => wire.receive(data), close: (code, reason) => wire.inner?.close(code, reason) };
}

/** The JSON wire format as the endpoint plugs it in (`createServer` does). Its peers never acknowledge, so their sessions are not held for resume. */
export const jsonWireFormat: WireFormat = { subprotocol: JSON_SUBPROTOCOL, resumable: false, accept: acceptJson, speaks: speaksJson };

class JsonWire {
  inner: SocketHandlers | undefined;
  readonly binarySocket: Socket;
  private readonly byName = new Map<string, MessageType>();
  private session: ServerConnection | undefined;
  private welcomed = false;
  private closed = false;
  private seq = 0;
  /** Request ids the JSON peer chose, by the numeric id they travel under; oldest first. */
  private readonly ids = new Map<number, string | number>();
  private nextRid = 1;

  constructor(
    private readonly socket: Socket,
    private readonly context: JsonWireContext,
  ) {
    for (const type of context.protocol.messages) this.byName.set(type.name, type);
    this.binarySocket = {
      send: (frame) => this.send(frame),
      close: (code, reason) => {
        this.closed = true;
        socket.close(code, reason);
      },
      get bufferedAmount() {
        return socket.bufferedAmount;
      },
    };
  }

  // ---- text in → binary frame ----

  receive(data: Uint8Array | string): void {
    if (this.closed || !this.inner) return;
    let frame: Uint8Array;
    try {
      if (typeof data !== 'string') throw new ProtocolError('binary frames are not accepted on the JSON wire format', CloseCode.UnsupportedData);
      if (data.length > this.context.settings.maxFrameBytes) throw new ProtocolError('frame over the size limit', CloseCode.MessageTooBig);
      if (!jsonDepthWithin(data)) throw new ProtocolError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`, CloseCode.InvalidPayload);
      let parsed: unknown;
      try {
        parsed = JSON.parse(data);
      } catch {
        throw new ProtocolError('text frame is not valid JSON', CloseCode.InvalidPayload);
      }
      frame = this.toBinary(readEnvelope(parsed));
    } catch (error) {
      this.fail(error);
      return;
    }
    this.inner.message(frame);
  }

  private fail(error: unknown): void {
    const code = error instanceof ProtocolError ? error.code : CloseCode.InternalError;
    const reason = error instanceof ProtocolError ? error.message : 'internal error';
    if (!(error instanceof ProtocolError)) this.context.logger.error('JSON wire format failed', { error: String(error) });
    else this.context.logger.info('closing JSON connection for a protocol error', { code, reason });
    this.closed = true;
    this.socket.close(code, reason);
  }

  private toBinary(envelope: Envelope): Uint8Array {
    const data = envelope.data ?? {};
    if (!this.welcomed) {
      if (envelope.type !== 'tickwire.hello') throw new ProtocolError(`expected tickwire.hello, got ${envelope.type}`);
      return encodeHello({
        version: optionalInteger(data, 'version', 0xffffffff) ?? PROTOCOL_VERSION,
        fingerprint: optionalInteger(data, 'fingerprint', 0xffffffff) ?? this.context.protocol.fingerprint,
        resumeToken: '',
        received: 0,
        // Each message reaches a JSON peer as its own text frame: the server's limits are the ones that apply.
        limits: advertisedLimits(this.context.settings),
      });
    }
    if (envelope.type === 'tickwire.ping') return encodePing(requiredNumber(data, 'timestamp'));
    if (envelope.type === 'tickwire.pong') return encodePong({ echo: requiredNumber(data, 'timestamp'), time: 0, tick: 0 });
    const type = this.byName.get(envelope.type);
    if (!type) throw new ProtocolError(`unknown message type ${envelope.type}`);
    const role = requestRole(type);
    let payload: unknown;
    if (role?.role === 'request') {
      if (envelope.id === undefined) throw new ProtocolError(`request ${type.name} needs an id`);
      let body = toWire(role.requestType.requestShape, data);
      if (CARRIER_MESSAGES.has(role.requestType.name)) body = this.packCarried(body);
      payload = { rid: this.ridFor(envelope.id), data: body };
    } else if (role?.role === 'reply') {
      const rid = typeof envelope.id === 'number' ? envelope.id : Number(envelope.id);
      if (!Number.isInteger(rid) || rid < 1 || rid > 0xffffffff) throw new ProtocolError(`reply ${type.name} needs the request's numeric id`);
      payload = envelope.error ? { rid, error: envelope.error } : { rid, data: toWire(role.requestType.replyShape, data) };
    } else payload = toWire(type.shape, data);
    const w = new ByteWriter(64);
    writeClientHeader(w, { ack: 0 });
    writeMessages(w, [{ typeId: this.context.protocol.messageId(type), payload: encoder.encode(payload) }], ++this.seq);
    return w.finish();
  }

  /** A publication or direct message names its payload's type: that payload travels as MessagePack bytes. */
  private packCarried(body: unknown): unknown {
    if (!isRecord(body) || typeof body.type !== 'string' || !isRecord(body.data)) return body;
    const carried = this.byName.get(body.type);
    return { ...body, data: encoder.encode(carried ? toWire(carried.shape, body.data) : body.data) };
  }

  /** Give a peer-chosen request id a number; the oldest is forgotten past `maxPendingRequests`. */
  private ridFor(id: string | number): number {
    let rid = this.nextRid;
    while (this.ids.has(rid)) rid = rid >= 0xffffffff ? 1 : rid + 1;
    this.nextRid = rid >= 0xffffffff ? 1 : rid + 1;
    this.ids.set(rid, id);
    if (this.ids.size > this.context.settings.maxPendingRequests) this.ids.delete(this.ids.keys().next().value!);
    return rid;
  }

  // ---- binary frame out → text ----

  private send(frame: Uint8Array): void {
    if (this.closed) return;
    const r = new ByteReader(frame);
    const kind = r.u8();
    switch (kind) {
      case FrameKind.Welcome: {
        const welcome = decodeWelcome(r);
        this.welcomed = true;
        this.session = this.context.session(welcome.connectionId);
        if (this.session) sessions.add(this.session);
        const { protocol } = this.context;
        this.sendEnvelope('tickwire.welcome', {
          connectionId: welcome.connectionId,
          tickRate: welcome.tickRate,
          tick: welcome.tick,
          serverTime: welcome.serverTime,
          protocolVersion: PROTOCOL_VERSION,
          fingerprint: protocol.fingerprint,
          features: ['messages', 'requests', 'topics', 'direct', 'presence'],
          messages: protocol.messages.map((m) => ({ name: m.name, direction: m.direction })),
        });
        return;
      }
      case FrameKind.Mismatch: {
        const mismatch = decodeMismatch(r);
        this.sendEnvelope('tickwire.mismatch', { ...mismatch });
        return;
      }
      case FrameKind.Ping:
        this.sendEnvelope('tickwire.ping', { timestamp: r.f64() });
        return;
      case FrameKind.Pong: {
        const pong = decodePong(r);
        this.sendEnvelope('tickwire.pong', { timestamp: pong.echo, time: pong.time, tick: pong.tick });
        return;
      }
      case FrameKind.TickNext:
        // No messages, and state is binary-only.
        return;
      case FrameKind.Messages:
      case FrameKind.TickPart:
      case FrameKind.Tick: {
        if (kind === FrameKind.Messages) r.varint();
        else readTickHeader(r);
        const { firstSeq, messages } = readMessages(r, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
        for (const message of messages) this.sendMessage(this.context.protocol.messages[message.typeId]!, decode(message.payload));
        // A JSON peer never acknowledges and never resumes: what went out is done with.
        if (messages.length) this.session?.channel.ack(firstSeq + messages.length - 1);
        return;
      }
    }
  }

  private sendMessage(type: MessageType, value: unknown): void {
    const role = requestRole(type);
    const record = value as Record<string, unknown>;
    if (role?.role === 'request') {
      this.sendEnvelope(type.name, toJson(record.data), record.rid as number);
      return;
    }
    if (role?.role === 'reply') {
      const rid = record.rid as number;
      const id = this.ids.get(rid);
      // Forgotten (more than maxPendingRequests outstanding): nobody is waiting under a known id.
      if (id === undefined) return;
      this.ids.delete(rid);
      if (record.error) this.sendEnvelope(type.name, undefined, id, record.error);
      else this.sendEnvelope(type.name, toJson(record.data), id);
      return;
    }
    if (CARRIER_MESSAGES.has(type.name) && record.data instanceof Uint8Array) {
      this.sendEnvelope(type.name, toJson({ ...record, data: decode(record.data) }));
      return;
    }
    this.sendEnvelope(type.name, toJson(value));
  }

  private sendEnvelope(type: string, data: unknown, id?: string | number, error?: unknown): void {
    const envelope: Record<string, unknown> = { type };
    if (data !== undefined) envelope.data = data;
    if (id !== undefined) envelope.id = id;
    if (error !== undefined) envelope.error = error;
    envelope.timestamp = this.context.clock.wallTime();
    this.socket.sendText!(JSON.stringify(envelope));
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** Check an envelope's structure (its data is checked later, against the message's schema). */
function readEnvelope(value: unknown): Envelope {
  if (!isRecord(value)) throw new ProtocolError('a JSON frame must be an envelope object');
  for (const key in value) if (!ENVELOPE_KEYS.has(key)) throw new ProtocolError(`unknown envelope key ${key}`);
  const { type, data, id, timestamp, error } = value;
  if (typeof type !== 'string') throw new ProtocolError('envelope type must be a string');
  if (data !== undefined && data !== null && !isRecord(data)) throw new ProtocolError('envelope data must be an object');
  if (id !== undefined && !(typeof id === 'string' && id.length <= MAX_ID_LENGTH) && !(typeof id === 'number' && Number.isInteger(id) && id >= 0))
    throw new ProtocolError(`envelope id must be a string of at most ${MAX_ID_LENGTH} characters or a non-negative integer`);
  if (timestamp !== undefined && typeof timestamp !== 'number') throw new ProtocolError('envelope timestamp must be a number');
  if (error !== undefined && !(isRecord(error) && typeof error.code === 'number' && typeof error.message === 'string'))
    throw new ProtocolError('envelope error must be { code, message }');
  return {
    type,
    data: isRecord(data) ? data : undefined,
    id: id as string | number | undefined,
    error: error as Envelope['error'],
  };
}

function optionalInteger(data: Record<string, unknown>, key: string, max: number): number | undefined {
  const value = data[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) throw new ProtocolError(`${key} must be an integer`);
  return value;
}

function requiredNumber(data: Record<string, unknown>, key: string): number {
  const value = data[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ProtocolError(`${key} must be a number`);
  return value;
}

/** JSON has no bytes: a `t.bytes()` field travels as base64. Everything else is already JSON. */
function toWire(shape: Shape, value: unknown): unknown {
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = { ...value };
  for (const key in shape) if (Object.hasOwn(value, key)) out[key] = fieldToWire(shape[key]!, value[key]);
  return out;
}

function fieldToWire(field: Field, value: unknown): unknown {
  switch (field.kind) {
    case 'bytes':
      return typeof value === 'string' ? (fromBase64(value) ?? value) : value;
    case 'object':
      return toWire(field.shape, value);
    case 'array':
      return Array.isArray(value) ? value.map((item) => fieldToWire(field.item, item)) : value;
    default:
      return value;
  }
}

function toJson(value: unknown): unknown {
  if (value instanceof Uint8Array) return toBase64(value);
  if (Array.isArray(value)) return value.map(toJson);
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const key in value) out[key] = toJson(value[key]);
    return out;
  }
  return value;
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array | undefined {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
