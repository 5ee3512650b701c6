import { Decoder, Encoder } from '@msgpack/msgpack';
import { CloseCode } from '../protocol/close-codes.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { MessageType } from './message.js';
import { checkShape } from './validate.js';
import { msgpackDepthWithin, shapeDepth } from './msgpack-depth.js';

const depths = new WeakMap<MessageType, number>();

/** The deepest nesting a payload of this type may have (cached: shapes never change). */
function depthOf(type: MessageType): number {
  let depth = depths.get(type);
  if (depth === undefined) {
    depth = shapeDepth(type.shape);
    depths.set(type, depth);
  }
  return depth;
}

/** A payload decoded fine but broke its schema: answered with error 400, repeated → close 1008. */
export class InvalidMessageError extends Error {
  readonly type: string;
  constructor(type: string, problem: string) {
    super(`${type}: ${problem}`);
    this.name = 'InvalidMessageError';
    this.type = type;
  }
}

/**
 * A message too large to send: its encoded payload is over the limit of this connection — the
 * smaller of this side's `maxMessageBytes` and what the peer advertised it accepts. Thrown by
 * `send()`, `broadcast()`, `request()` and the other sending calls before anything is queued:
 * the message is never sent, never half-sent, never silently dropped. Split the data over
 * several messages, or raise `maxMessageBytes` on both sides.
 */
export class MessageTooLargeError extends Error {
  /** The message type's name. */
  readonly type: string;
  /** The encoded payload's size, bytes. */
  readonly bytes: number;
  /** The largest payload this connection accepts, bytes. */
  readonly limit: number;
  constructor(type: string, bytes: number, limit: number) {
    super(`message ${type} is ${bytes} bytes encoded, over the limit of ${limit} bytes (maxMessageBytes)`);
    this.name = 'MessageTooLargeError';
    this.type = type;
    this.bytes = bytes;
    this.limit = limit;
  }
}

const encoder = new Encoder({ ignoreUndefined: true });

/** Limits that keep a hostile MessagePack payload from allocating much: sizes bound every container. */
function limitedDecoder(maxBytes: number): Decoder {
  return new Decoder({
    maxStrLength: maxBytes,
    maxBinLength: maxBytes,
    maxArrayLength: maxBytes,
    maxMapLength: maxBytes,
    maxExtLength: 0,
  });
}

/** Encodes and decodes message payloads, validating both ways. */
export class MessageCodec {
  private readonly decoder: Decoder;

  constructor(private readonly maxMessageBytes: number) {
    this.decoder = limitedDecoder(maxMessageBytes);
  }

  /**
   * Validate, then encode. An invalid outgoing payload is a programming error and throws; so does
   * one over `limit` bytes ({@link MessageTooLargeError}; default: this side's `maxMessageBytes`).
   */
  encode(type: MessageType, data: unknown, limit = this.maxMessageBytes): Uint8Array {
    const problem = checkShape(type.shape, data);
    if (problem) throw new InvalidMessageError(type.name, problem);
    const payload = encoder.encode(data);
    if (payload.length > limit) throw new MessageTooLargeError(type.name, payload.length, limit);
    return payload;
  }

  /**
   * Decode and validate a received payload. Undecodable bytes throw a ProtocolError (close 1007);
   * a decodable payload that breaks the schema throws InvalidMessageError.
   */
  decode(type: MessageType, payload: Uint8Array): unknown {
    // Before decoding: a nesting bomb costs the decoder a stack frame per byte.
    if (!msgpackDepthWithin(payload, depthOf(type))) throw new InvalidMessageError(type.name, 'data is nested deeper than its schema');
    let data: unknown;
    try {
      data = this.decoder.decode(payload);
    } catch (error) {
      // RangeError from a nesting bomb lands here too: the stack is the only depth limit msgpack has.
      throw new ProtocolError(`${type.name}: payload is not valid MessagePack (${(error as Error).message})`, CloseCode.InvalidPayload);
    }
    const problem = checkShape(type.shape, data);
    if (problem) throw new InvalidMessageError(type.name, problem);
    return data;
  }
}
