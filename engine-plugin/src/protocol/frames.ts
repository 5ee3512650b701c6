import { type ByteReader, ByteWriter } from './bytes.js';
import { CloseCode } from './close-codes.js';
import { ProtocolError } from './protocol-error.js';

/** The wire protocol version; bumped on any incompatible change to docs/protocol.md. */
export const PROTOCOL_VERSION = 4;

/** The first byte of every frame. See docs/protocol.md for each layout. */
export const FrameKind = {
  /** Client → server, first frame: version, fingerprint, resume token. */
  Hello: 0x01,
  /** Server → client, handshake accepted. */
  Welcome: 0x02,
  /** Server → client, handshake refused: the server's protocol description, then close 4006. */
  Mismatch: 0x03,
  /** Server → client, once per tick: header, reliable messages, state section. */
  Tick: 0x04,
  /** Client → server: acknowledgement, inputs and reliable messages. */
  Client: 0x05,
  /** Either way: heartbeat carrying the sender's clock; answered at once with Pong. */
  Ping: 0x06,
  /** Either way: echoes a Ping's clock so the pinger can measure RTT. */
  Pong: 0x07,
  /**
   * Server → client: a Tick frame that does not end its tick. A tick too big for one frame is
   * sent as TickPart frames and a final Tick, all with the same header; the receiver applies none
   * of it before the final Tick arrives.
   */
  TickPart: 0x08,
  /**
   * Server → client, between ticks: acknowledgement and reliable messages, no state. Messages
   * relayed from other nodes of a cluster go out as they arrive instead of waiting for the tick;
   * they share the Tick frames' sequence numbers and are read in arrival order with them.
   */
  Messages: 0x09,
  /**
   * Server → client: the Tick frame of the tick after the last Tick frame on this socket, with
   * that frame's `lastInput`, `ack` and `inputQueue` and no messages — the kind byte, then the
   * state section. Most frames of a running game are this one: its header is 1 byte, not 7.
   */
  TickNext: 0x0a,
} as const;

/**
 * What one side accepts, advertised in its half of the handshake so the other never builds a
 * frame it would refuse: a writer splits a tick across frames to stay within these.
 */
export interface PeerLimits {
  /** Largest WebSocket message the side accepts, bytes. */
  maxFrameBytes: number;
  /** Largest single message payload it accepts, bytes. */
  maxMessageBytes: number;
  /** Most messages it accepts in one frame. */
  maxMessagesPerFrame: number;
}

/** The limits of a side with default settings. */
export const DEFAULT_PEER_LIMITS: Readonly<PeerLimits> = Object.freeze({ maxFrameBytes: 1 << 20, maxMessageBytes: 64 * 1024, maxMessagesPerFrame: 4096 });

/** The smallest frame limit a peer may advertise: below it a frame could not carry a tick header and one entity. */
export const MIN_FRAME_BYTES = 1024;

/**
 * Bytes of a frame that framing may take besides one message's payload: the Tick header and the
 * messages section's count, first sequence, entry head and length, with room to spare. A payload
 * of at most `maxFrameBytes - FRAME_RESERVE_BYTES` always fits in a frame of its own.
 */
export const FRAME_RESERVE_BYTES = 128;

function writeLimits(w: ByteWriter, limits: PeerLimits): void {
  w.varint(limits.maxFrameBytes);
  w.varint(limits.maxMessageBytes);
  w.varint(limits.maxMessagesPerFrame);
}

/** Read advertised limits, refusing ones no frame could honour (1002). */
function readLimits(r: ByteReader): PeerLimits {
  const limits = { maxFrameBytes: r.varint(), maxMessageBytes: r.varint(), maxMessagesPerFrame: r.varint() };
  if (limits.maxFrameBytes < MIN_FRAME_BYTES) throw new ProtocolError(`advertised maxFrameBytes ${limits.maxFrameBytes} is below ${MIN_FRAME_BYTES}`);
  if (limits.maxMessageBytes < 1 || limits.maxMessageBytes > limits.maxFrameBytes)
    throw new ProtocolError(`advertised maxMessageBytes ${limits.maxMessageBytes} is outside 1..maxFrameBytes`);
  if (limits.maxMessagesPerFrame < 1) throw new ProtocolError('advertised maxMessagesPerFrame is 0');
  return limits;
}

/** The first frame a client sends. */
export interface Hello {
  version: number;
  fingerprint: number;
  /** Session token from an earlier Welcome, to resume; empty for a new session. */
  resumeToken: string;
  /** The highest reliable-message sequence the client received (for replay on resume). */
  received: number;
  /** What the client accepts; the server's frames stay within it. */
  limits: PeerLimits;
}

/** The server's answer to an accepted Hello. */
export interface Welcome {
  connectionId: number;
  tickRate: number;
  tick: number;
  /** The server's clock (ms since the Unix epoch) when the Welcome was written. */
  serverTime: number;
  /** Present this to resume the session after a drop. */
  sessionToken: string;
  /** True when this Welcome resumed a held session rather than starting a new one. */
  resumed: boolean;
  /** The highest reliable-message sequence the server received from this client. */
  received: number;
  /** What the server accepts; the client's frames stay within it. */
  limits: PeerLimits;
  /** The server's inbound rate limits; the client paces its frames under them. */
  rates: PeerRates;
}

/**
 * A server's inbound rate limits (see docs/protocol.md, "Rate limits"), advertised in Welcome so a
 * client can pace itself below them instead of having messages dropped. A rate of 0 is no limit.
 */
export interface PeerRates {
  messagesPerSecond: number;
  messageBurst: number;
  bytesPerSecond: number;
  byteBurst: number;
}

/** The most a handshake string may hold; tokens are short. */
const MAX_TOKEN_BYTES = 512;

/** Encode a Hello frame (kind byte included); `limits` defaults to {@link DEFAULT_PEER_LIMITS}. */
export function encodeHello(hello: Omit<Hello, 'limits'> & { limits?: PeerLimits }): Uint8Array {
  const w = new ByteWriter(64);
  w.u8(FrameKind.Hello);
  w.varint(hello.version);
  w.u32(hello.fingerprint);
  w.string(hello.resumeToken);
  w.varint(hello.received);
  writeLimits(w, hello.limits ?? DEFAULT_PEER_LIMITS);
  return w.finish();
}

/** Decode a Hello after its kind byte. */
export function decodeHello(r: ByteReader): Hello {
  const version = r.varint();
  const fingerprint = r.u32();
  // A client of another protocol version cannot be expected to lay out the rest as we do: stop here, the caller answers Mismatch.
  if (version !== PROTOCOL_VERSION) return { version, fingerprint, resumeToken: '', received: 0, limits: DEFAULT_PEER_LIMITS };
  return { version, fingerprint, resumeToken: r.string(MAX_TOKEN_BYTES), received: r.varint(), limits: readLimits(r) };
}

/** Encode a Welcome frame (kind byte included). */
export function encodeWelcome(welcome: Welcome): Uint8Array {
  const w = new ByteWriter(64);
  w.u8(FrameKind.Welcome);
  w.varint(welcome.connectionId);
  w.varint(welcome.tickRate);
  w.varint(welcome.tick);
  w.f64(welcome.serverTime);
  w.string(welcome.sessionToken);
  w.u8(welcome.resumed ? 1 : 0);
  w.varint(welcome.received);
  writeLimits(w, welcome.limits);
  w.varint(welcome.rates.messagesPerSecond);
  w.varint(welcome.rates.messageBurst);
  w.varint(welcome.rates.bytesPerSecond);
  w.varint(welcome.rates.byteBurst);
  return w.finish();
}

/** Decode a Welcome after its kind byte. */
export function decodeWelcome(r: ByteReader): Welcome {
  return {
    connectionId: r.varint(),
    tickRate: r.varint(),
    tick: r.varint(),
    serverTime: r.f64(),
    sessionToken: r.string(MAX_TOKEN_BYTES),
    resumed: r.u8() === 1,
    received: r.varint(),
    limits: readLimits(r),
    rates: { messagesPerSecond: r.varint(), messageBurst: r.varint(), bytesPerSecond: r.varint(), byteBurst: r.varint() },
  };
}

/** Ping carries the pinger's clock (ms); the peer answers at once with a Pong. */
export function encodePing(time: number): Uint8Array {
  const w = new ByteWriter(9);
  w.u8(FrameKind.Ping);
  w.f64(time);
  return w.finish();
}

/** A decoded Pong: the echoed Ping clock, plus the responder's wall clock and tick for time sync. */
export interface Pong {
  echo: number;
  /** The responder's wall clock (ms since the Unix epoch) when it answered. */
  time: number;
  /** The responder's current tick (clients answer 0). */
  tick: number;
}

/** Encode a Pong frame (kind byte included). */
export function encodePong(pong: Pong): Uint8Array {
  const w = new ByteWriter(24);
  w.u8(FrameKind.Pong);
  w.f64(pong.echo);
  w.f64(pong.time);
  w.varint(pong.tick);
  return w.finish();
}

/** Decode a Pong after its kind byte. */
export function decodePong(r: ByteReader): Pong {
  return { echo: r.f64(), time: r.f64(), tick: r.varint() };
}

/** One reliable message inside a frame: its numeric type id and MessagePack payload. */
export interface WireMessage {
  typeId: number;
  payload: Uint8Array;
}

/**
 * Write a messages section: count, the sequence number of the first message (only when count > 0),
 * then entries. An entry starts with `varint(typeId * 2 + run)`: a lone message (run = 0) is
 * followed by its length and payload; a run (run = 1) of consecutive messages of one type by
 * their number, then each one's length and payload. A lone message costs what a type id and a
 * length cost; in a batch of one type the type id is paid once, so framing drops to about one
 * byte per message.
 */
export function writeMessages(w: ByteWriter, messages: readonly WireMessage[], firstSeq: number): void {
  w.varint(messages.length);
  if (messages.length === 0) return;
  w.varint(firstSeq);
  let i = 0;
  while (i < messages.length) {
    const typeId = messages[i]!.typeId;
    let end = i + 1;
    while (end < messages.length && messages[end]!.typeId === typeId) end++;
    if (end - i === 1) w.varint(typeId * 2);
    else {
      w.varint(typeId * 2 + 1);
      w.varint(end - i);
    }
    for (; i < end; i++) {
      const payload = messages[i]!.payload;
      w.varint(payload.length);
      w.bytes(payload);
    }
  }
}

/** A decoded messages section. Payloads are views into the frame. */
export interface MessagesSection {
  firstSeq: number;
  messages: WireMessage[];
}

/** Read a messages section, refusing more than `maxCount` messages or any payload over `maxBytes`. */
export function readMessages(r: ByteReader, maxCount: number, maxBytes: number): MessagesSection {
  const count = r.varint();
  if (count > maxCount) throw new ProtocolError(`frame holds ${count} messages, limit ${maxCount}`, CloseCode.MessageTooBig);
  if (count === 0) return { firstSeq: 0, messages: [] };
  const firstSeq = r.varint();
  const messages: WireMessage[] = new Array(count);
  let i = 0;
  while (i < count) {
    const head = r.varint();
    const typeId = Math.floor(head / 2);
    const run = head % 2 === 1 ? r.varint() : 1;
    if (run < 2 && head % 2 === 1) throw new ProtocolError(`a run of ${run} messages`);
    if (run > count - i) throw new ProtocolError(`a run of ${run} messages overruns the count of ${count}`);
    for (const end = i + run; i < end; i++) {
      const length = r.varint();
      if (length > maxBytes) throw new ProtocolError(`message of ${length} bytes over the limit of ${maxBytes}`, CloseCode.MessageTooBig);
      messages[i] = { typeId, payload: r.bytes(length) };
    }
  }
  return { firstSeq, messages };
}

/** The fixed part of a Tick frame, before its messages and state sections. */
export interface TickHeader {
  tick: number;
  /** Sequence of the last input the server applied for this client (0 before any). */
  lastInput: number;
  /** Highest reliable-message sequence received from this client. */
  ack: number;
  /**
   * This client's input queue at the server: `queued × 4 + target` (see {@link packInputQueue}),
   * 0 when the server has no input playout buffer. Tells the client how far ahead it runs.
   */
  inputQueue: number;
}

/** Largest target depth the `inputQueue` field carries (two bits). */
const INPUT_TARGET_BITS = 3;

/** Pack a playout buffer's state for the Tick header: inputs still queued after this tick, and the target depth (0–3). */
export function packInputQueue(queued: number, target: number): number {
  return Math.max(0, Math.floor(queued)) * 4 + (Math.max(0, Math.min(INPUT_TARGET_BITS, Math.floor(target))) & INPUT_TARGET_BITS);
}

/** Unpack the Tick header's `inputQueue` field. */
export function unpackInputQueue(field: number): { readonly queued: number; readonly target: number } {
  return { queued: Math.floor(field / 4), target: field % 4 };
}

/**
 * Start a Tick frame: kind byte, tick, lastInput, ack, inputQueue. The messages and state sections
 * follow. `kind` is {@link FrameKind.TickPart} for a frame that does not end its tick.
 */
export function writeTickHeader(w: ByteWriter, header: TickHeader, kind: number = FrameKind.Tick): void {
  w.u8(kind);
  w.varint(header.tick);
  w.varint(header.lastInput);
  w.varint(header.ack);
  w.varint(header.inputQueue);
}

/**
 * The full Tick frame a {@link FrameKind.TickNext} frame stands for, given the header of the Tick
 * frame before it on the same socket: the next tick, the same `lastInput`, `ack` and
 * `inputQueue`, no messages, and its state section. Written to `w` and copied out.
 */
export function expandTickNext(frame: Uint8Array, previous: TickHeader, w: ByteWriter): Uint8Array {
  w.reset();
  writeTickHeader(w, { tick: previous.tick + 1, lastInput: previous.lastInput, ack: previous.ack, inputQueue: previous.inputQueue });
  w.varint(0);
  w.bytes(frame.subarray(1));
  return w.finish();
}

/** Read a Tick header after its kind byte. */
export function readTickHeader(r: ByteReader): TickHeader {
  return { tick: r.varint(), lastInput: r.varint(), ack: r.varint(), inputQueue: r.varint() };
}

/** The fixed part of a Client frame. */
export interface ClientHeader {
  /** Highest reliable-message sequence received from the server. */
  ack: number;
}

/** Start a Client frame: kind byte and ack. The messages section follows. */
export function writeClientHeader(w: ByteWriter, header: ClientHeader): void {
  w.u8(FrameKind.Client);
  w.varint(header.ack);
}

/** Read a Client header after its kind byte. */
export function readClientHeader(r: ByteReader): ClientHeader {
  return { ack: r.varint() };
}

/** A refused handshake: the server's version, fingerprint and description lines, so the client can say what differs. */
export interface Mismatch {
  version: number;
  fingerprint: number;
  description: string[];
}

/** The most description lines a Mismatch may carry (one per message type and component, plus slack). */
const MAX_DESCRIPTION_LINES = 1024;

/** Encode a Mismatch frame (kind byte included). */
export function encodeMismatch(mismatch: Mismatch): Uint8Array {
  const w = new ByteWriter(256);
  w.u8(FrameKind.Mismatch);
  w.varint(mismatch.version);
  w.u32(mismatch.fingerprint);
  w.varint(mismatch.description.length);
  for (const line of mismatch.description) w.string(line);
  return w.finish();
}

/** Decode a Mismatch after its kind byte. */
export function decodeMismatch(r: ByteReader): Mismatch {
  const version = r.varint();
  const fingerprint = r.u32();
  const count = r.varint();
  if (count > MAX_DESCRIPTION_LINES) throw new ProtocolError(`mismatch lists ${count} lines`);
  const description: string[] = [];
  for (let i = 0; i < count; i++) description.push(r.string());
  return { version, fingerprint, description };
}
