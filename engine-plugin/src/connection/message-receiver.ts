import type { ByteReader } from '../protocol/bytes.js';
import { CloseCode } from '../protocol/close-codes.js';
import { readMessages } from '../protocol/frames.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { InvalidMessageError, type MessageCodec } from '../schema/message-codec.js';
import type { MessageType } from '../schema/message.js';
import type { Protocol } from '../schema/protocol.js';
import type { NetworkSettings } from './settings.js';

/** A message that arrived, decoded and valid. */
export interface ReceivedMessage {
  readonly type: MessageType;
  readonly data: unknown;
  readonly seq: number;
  /** Size of its MessagePack payload on the wire, for metrics. */
  readonly bytes: number;
}

/** Where {@link MessageReceiver.read} hands what it read: an object (a connection), so a peer needs no closures of its own for it. */
export interface MessageSink {
  /** A valid message, in order. */
  received(message: ReceivedMessage): void;
  /** A schema-invalid message (the sink answers and counts it). */
  receivedInvalid(error: InvalidMessageError): void;
}

/**
 * Reads the messages section of incoming frames for one peer: numbers them, drops the duplicates a
 * resume replays, refuses gaps, unknown ids and the wrong direction, and validates each payload.
 */
export class MessageReceiver {
  /** Highest sequence received, in order, from this peer: what we acknowledge. */
  received = 0;

  constructor(
    private readonly protocol: Protocol,
    private readonly codec: MessageCodec,
    private readonly settings: NetworkSettings,
    /** The direction this side accepts: a server accepts `toServer`, a client `toClient`. */
    private readonly accepts: 'toServer' | 'toClient',
  ) {}

  /**
   * Read one messages section. Valid messages go to the sink's `received`; a schema-invalid one
   * to its `receivedInvalid`; anything malformed throws ProtocolError.
   */
  read(r: ByteReader, sink: MessageSink): void {
    const { firstSeq, messages } = readMessages(r, this.settings.maxMessagesPerFrame, this.settings.maxMessageBytes);
    if (messages.length && firstSeq > this.received + 1)
      throw new ProtocolError(`message sequence jumped from ${this.received} to ${firstSeq}`);
    for (let i = 0; i < messages.length; i++) {
      const seq = firstSeq + i;
      if (seq <= this.received) continue; // replayed after a resume: already delivered
      this.received = seq;
      const { typeId, payload } = messages[i]!;
      const type = this.protocol.messages[typeId];
      if (!type) throw new ProtocolError(`unknown message type id ${typeId}`);
      if (type.direction !== 'both' && type.direction !== this.accepts)
        throw new ProtocolError(`message ${type.name} may not be sent in this direction`, CloseCode.PolicyViolation);
      let data: unknown;
      try {
        data = this.codec.decode(type, payload);
      } catch (error) {
        if (error instanceof InvalidMessageError) {
          sink.receivedInvalid(error);
          continue;
        }
        throw error;
      }
      sink.received({ type, data, seq, bytes: payload.length });
    }
  }
}
