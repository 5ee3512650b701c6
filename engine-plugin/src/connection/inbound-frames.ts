import { ByteReader } from '../protocol/bytes.js';
import { CloseCode } from '../protocol/close-codes.js';
import { FrameKind, readTickHeader, unpackInputQueue } from '../protocol/frames.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { InvalidMessageError } from '../schema/message-codec.js';
import type { ConnectionStats } from './connection.js';
import type { Logger } from './logger.js';
import type { MessageReceiver, MessageSink, ReceivedMessage } from './message-receiver.js';
import type { OutboundChannel } from './outbound-channel.js';
import type { NetworkSettings } from './settings.js';

/** What the client's inbound queue needs from its connection. */
export interface InboundPeer {
  readonly settings: NetworkSettings;
  /** The most TickPart frames of one tick to hold (more close 1009). */
  readonly maxTickParts: number;
  readonly channel: OutboundChannel;
  readonly receiver: MessageReceiver;
  readonly stats: ConnectionStats;
  readonly logger: Logger;
  /** A message from the server broke its schema. */
  invalid(error: InvalidMessageError): void;
  /** Ask the server for a full snapshot now. */
  requestSnapshot(): void;
}

/**
 * Tick frames the socket delivered, waiting for the game loop's next `receive`. Socket callbacks
 * only queue; decoding messages and applying state happen in `drain`, inside the frame.
 */
export class InboundFrames {
  /** Whole ticks (a Tick frame, or the TickPart frames and the Tick of one split tick) and Messages frames, in arrival order. */
  private frames: (Uint8Array | Uint8Array[])[] = [];
  /** TickPart frames of a tick whose final Tick frame has not arrived yet. */
  private partial: Uint8Array[] = [];
  /** Messages lifted out of frames whose state was dropped by {@link InboundFrames.compact}. */
  private held: ReceivedMessage[] = [];
  /**
   * True after frames were compacted: their state is gone, so state sections are skipped until
   * the snapshot asked for arrives. The layer that understands state sections clears it.
   */
  resyncing = false;
  /** Sequence of the last input the server reported processed. */
  lastInputProcessed = 0;
  /** This client's inputs waiting in the server's playout buffer at the latest frame read (0 without one). */
  inputsQueued = 0;
  /** The server playout buffer's target depth at the latest frame read: the inputs it keeps queued as slack. */
  inputTarget = 0;

  constructor(private readonly peer: InboundPeer) {}

  /** Queue a Tick frame, which ends its tick (compacting first when the queue is full). */
  push(frame: Uint8Array): void {
    if (this.frames.length >= this.peer.settings.inboundCapacity) this.compact();
    if (this.partial.length === 0) this.frames.push(frame);
    else {
      this.partial.push(frame);
      this.frames.push(this.partial);
      this.partial = [];
    }
  }

  /**
   * Queue a Messages frame (messages between ticks), in arrival order with the ticks. A server
   * never sends one inside a split tick: between a tick's TickPart frames and its Tick it is a
   * protocol error.
   */
  pushMessages(frame: Uint8Array): void {
    if (this.partial.length > 0) throw new ProtocolError('a Messages frame inside a split tick');
    if (this.frames.length >= this.peer.settings.inboundCapacity) this.compact();
    this.frames.push(frame);
  }

  /** Queue a TickNext frame expanded to its Tick: it ends a tick of its own, never a split one (a protocol error between TickPart frames and their Tick). */
  pushNext(frame: Uint8Array): void {
    if (this.partial.length > 0) throw new ProtocolError('a TickNext frame inside a split tick');
    this.push(frame);
  }

  /** Hold a TickPart frame until the Tick that ends its tick arrives: nothing of a tick is applied before all of it is here. */
  pushPart(frame: Uint8Array): void {
    if (this.partial.length >= this.peer.maxTickParts)
      throw new ProtocolError(`a tick split over more than ${this.peer.maxTickParts} frames`, CloseCode.MessageTooBig);
    this.partial.push(frame);
  }

  /** A new socket: the parts of a tick the old one did not finish will not be finished (a resume replays their messages). */
  dropPartial(): void {
    this.partial = [];
  }

  /** A new session: what is queued describes a world that no longer exists. */
  reset(): void {
    this.frames = [];
    this.partial = [];
    this.held = [];
    this.resyncing = false;
    this.lastInputProcessed = 0;
    this.inputsQueued = 0;
    this.inputTarget = 0;
  }

  /**
   * The game loop stopped calling `receive` (a hidden browser tab, a debugger) and the queue is
   * full. Rather than close, keep every message (bounded), drop the queued state — it can be
   * replaced — and ask the server for a full snapshot, which the next `drain` applies.
   */
  private compact(): void {
    const frames = this.frames;
    this.frames = [];
    // As many as the server may queue for us: the mirror of its outbound channel bound.
    const limit = this.peer.settings.channelCapacity;
    const hold = (message: ReceivedMessage): void => {
      if (this.held.length >= limit) throw new ProtocolError('messages piled up while the game loop was not calling receive', CloseCode.SlowConsumer);
      this.held.push(message);
    };
    for (const tick of frames) {
      if (!(tick instanceof Uint8Array)) for (const part of tick) this.read(part, hold);
      else if (tick[0] === FrameKind.Messages) this.readMessagesFrame(tick, hold);
      else this.read(tick, hold);
    }
    this.resyncing = true;
    this.peer.logger.info('frame queue full: state dropped, snapshot requested', { frames: frames.length });
    this.peer.requestSnapshot();
  }

  /** Header and messages of one Tick frame; returns the reader at the state section and the tick. */
  private read(frame: Uint8Array, onMessage: (message: ReceivedMessage) => void): { r: ByteReader; tick: number } {
    const r = new ByteReader(frame, 1);
    const header = readTickHeader(r);
    this.acknowledge(header.ack);
    if (header.lastInput > this.lastInputProcessed) this.lastInputProcessed = header.lastInput;
    const queue = unpackInputQueue(header.inputQueue);
    this.inputsQueued = queue.queued;
    this.inputTarget = queue.target;
    this.onMessage = onMessage;
    this.peer.receiver.read(r, this.sink);
    return { r, tick: header.tick };
  }

  /** The acknowledgement and messages of a Messages frame. */
  private readMessagesFrame(frame: Uint8Array, onMessage: (message: ReceivedMessage) => void): void {
    const r = new ByteReader(frame, 1);
    this.acknowledge(r.varint());
    this.onMessage = onMessage;
    this.peer.receiver.read(r, this.sink);
    if (r.remaining > 0) throw new ProtocolError('trailing bytes after a Messages frame');
  }

  private acknowledge(ack: number): void {
    const { channel } = this.peer;
    if (ack > channel.lastSentSeq) throw new ProtocolError(`ack ${ack} for a message never sent`);
    channel.ack(ack);
  }

  // The receiver's callbacks, made once rather than per frame; `onMessage` is the current reader's.
  private onMessage: (message: ReceivedMessage) => void = () => {};

  private readonly sink: MessageSink = {
    received: (message) => {
      this.peer.stats.messagesIn++;
      this.onMessage(message);
    },
    receivedInvalid: (error) => this.peer.invalid(error),
  };

  /**
   * Everything queued, in order: held messages first, then each frame's acknowledgement, messages
   * (valid, de-duplicated) and state section; `final` is false for the parts of a split tick but
   * its last. Throws ProtocolError on a malformed frame.
   */
  drain(onMessage: (message: ReceivedMessage) => void, onState: (r: ByteReader, tick: number, final: boolean) => void): void {
    if (this.held.length > 0) {
      const held = this.held;
      this.held = [];
      for (const message of held) onMessage(message);
    }
    if (this.frames.length === 0) return;
    const frames = this.frames;
    this.frames = [];
    for (const frame of frames) {
      if (frame instanceof Uint8Array && frame[0] === FrameKind.Messages) {
        this.readMessagesFrame(frame, onMessage);
        continue;
      }
      if (frame instanceof Uint8Array) {
        const { r, tick } = this.read(frame, onMessage);
        onState(r, tick, true);
        continue;
      }
      for (let i = 0; i < frame.length; i++) {
        const { r, tick } = this.read(frame[i]!, onMessage);
        onState(r, tick, i === frame.length - 1);
      }
    }
  }
}
