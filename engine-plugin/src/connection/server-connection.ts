import type { InputPlayout } from './input-playout.js';
import { ByteReader, type ByteWriter } from '../protocol/bytes.js';
import { CloseCode } from '../protocol/close-codes.js';
import {
  DEFAULT_PEER_LIMITS,
  FRAME_RESERVE_BYTES,
  FrameKind,
  type PeerLimits,
  type TickHeader,
  decodePong,
  encodePing,
  encodePong,
  packInputQueue,
  readClientHeader,
  writeMessages,
  writeTickHeader,
} from '../protocol/frames.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { InvalidMessageError, MessageCodec } from '../schema/message-codec.js';
import type { MessageType } from '../schema/message.js';
import type { Protocol } from '../schema/protocol.js';
import { ErrorMessage } from '../schema/system-messages.js';
import type { Clock } from '../transport/clock.js';
import type { Beating, HeartbeatSchedule } from './heartbeat-schedule.js';
import type { ConnectionRequest, Socket } from '../transport/transport.js';
import { type Connection, type ConnectionState, type ConnectionStats, emptyStats } from './connection.js';
import type { Logger } from './logger.js';
import { type MessageSink, MessageReceiver, type ReceivedMessage } from './message-receiver.js';
import type { ObserverList } from './observer.js';
import { OutboundChannel } from './outbound-channel.js';
import { InboundRateLimit } from './rate-limit.js';
import { RttEstimator } from './rtt.js';
import type { NetworkSettings } from './settings.js';
import { type StateSplitter, tickFrames } from './frame-layout.js';

/**
 * The header of the frame being written, shared by every connection's {@link ServerConnection.flush}:
 * a flush runs start to end synchronously and nothing keeps the header, and an object per
 * connection per tick was an idle server's steady garbage (see docs/architecture.md, "What an
 * idle connection costs").
 */
const header: TickHeader = { tick: 0, lastInput: 0, ack: 0, inputQueue: 0 };

/** What a server connection needs from the endpoint that owns it. */
export interface ServerConnectionContext {
  readonly protocol: Protocol;
  readonly codec: MessageCodec;
  readonly settings: NetworkSettings;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Metrics and packet-log hooks. */
  readonly observer: ObserverList;
  /** Every connection's next ping and idle check, on one timer. */
  readonly heartbeats: HeartbeatSchedule<ServerConnection>;
  /** The server's current tick, for Pong. */
  tick(): number;
  /**
   * `clock.now()` when the endpoint's flush began, read by every connection's flush: one clock
   * read per tick, and no number boxed per connection (the heartbeat and slow-consumer decisions
   * need no finer time than the tick's).
   */
  flushTime: number;
  /** The socket closed or was closed; `byServer` when we initiated it. */
  closed(connection: ServerConnection, code: number, reason: string, byServer: boolean): void;
  /** Inbound messages arrived: the connection has something for the next `receive`. */
  pending(connection: ServerConnection): void;
  /** The outbound channel crossed its warning threshold. */
  warning(connection: ServerConnection): void;
}

/**
 * One client session on the server. Socket callbacks land here and only decode and queue; game
 * code sees the queued messages at the next `receive`. A session outlives its socket when it is
 * resumable: `attach` gives it the new one.
 */
export class ServerConnection implements Connection, MessageSink, Beating {
  state: ConnectionState = 'active';
  socket: Socket | undefined;
  readonly stats: ConnectionStats = emptyStats();
  readonly channel: OutboundChannel;
  readonly receiver: MessageReceiver;
  /** Messages decoded since the last `receive`, bounded by `inboundCapacity`. */
  inbound: ReceivedMessage[] = [];
  /** Sequence of the last input message handed to game code: acknowledged in every Tick header. */
  lastInput = 0;
  /** This connection's input playout buffer, when the server plays inputs at `inputRate` (its depth, backlog and counters). */
  playout: InputPlayout | undefined = undefined;
  /** Inbound message and byte buckets: over them, messages are dropped and counted; sustained, 4005. */
  readonly rateLimit: InboundRateLimit;
  private readonly estimator = new RttEstimator();
  private lastHeard: number;
  private lastFrameAt = 0;
  private lastHadContent = false;
  private sentInput = -1;
  private sentInputQueue = 0;
  private sentAck = -1;
  /** The header of the last Tick frame on this socket (tick −1: none yet), which a TickNext frame repeats. */
  private readonly lastTick: TickHeader = { tick: -1, lastInput: 0, ack: 0, inputQueue: 0 };
  private backedUpSince = -1;
  private replayNext = false;
  private invalidCount = 0;
  /** Echo of the ping awaiting its Pong; NaN when none is (NaN equals nothing). */
  private pingSentAt = Number.NaN;
  private interval: number;
  /** What the client's Hello said it accepts: no frame to it is larger, no message payload either. */
  private peer: PeerLimits = DEFAULT_PEER_LIMITS;
  /** Frames of a tick too big for one frame that wait for the socket to drain (see {@link flush}). */
  private queuedParts: Uint8Array[] = [];

  constructor(
    readonly id: number,
    /** Mutable: a token refresh replaces it (see `TokenExpiry`). */
    public identity: unknown,
    readonly request: ConnectionRequest,
    /** Rotated on every resume: the token a client resumed with stops working. */
    public sessionToken: string,
    private readonly context: ServerConnectionContext,
  ) {
    const s = context.settings;
    this.channel = new OutboundChannel(s.channelCapacity, s.channelBytes, s.replayCapacity, s.channelWarningThreshold);
    this.receiver = new MessageReceiver(context.protocol, context.codec, s, 'toServer');
    this.rateLimit = new InboundRateLimit(s, context.clock, () =>
      this.enqueue(ErrorMessage, { code: 429, message: 'rate limited: messages are being dropped' }),
    );
    this.lastHeard = context.clock.now();
    this.interval = s.sendInterval;
  }

  /**
   * Ticks between frames to this connection (its update rate; starts at the `sendInterval`
   * setting). Adjustable at any time, e.g. lower for a client on a slow link or one whose view is
   * quiet; nothing is lost either way: skipped ticks coalesce into the next frame, and the
   * client's time sync measures the new interval from the frames it gets.
   */
  get sendInterval(): number {
    return this.interval;
  }

  set sendInterval(ticks: number) {
    if (!Number.isInteger(ticks) || ticks < 1) throw new TypeError(`sendInterval is a whole number of ticks, at least 1 (got ${ticks})`);
    this.interval = ticks;
  }

  get rtt(): number {
    return this.estimator.smoothed;
  }

  get jitter(): number {
    return this.estimator.jitter;
  }

  get remoteAddress(): string {
    return this.request.remoteAddress;
  }

  /**
   * The largest message payload this connection can take, bytes: the smaller of this server's
   * `maxMessageBytes` and the client's, and never more than fits in a frame the client accepts.
   */
  get messageLimit(): number {
    const own = this.context.settings.maxMessageBytes;
    return Math.min(own, this.peer.maxMessageBytes, this.peer.maxFrameBytes - FRAME_RESERVE_BYTES);
  }

  /** Give the session a (new) socket after a successful handshake or resume, with the limits its Hello advertised. */
  attach(socket: Socket, resumed: boolean, limits: PeerLimits = DEFAULT_PEER_LIMITS): void {
    this.socket = socket;
    this.peer = limits;
    // Parts of a tick the old socket did not finish: the client drops a tick it did not get whole, and a resume replays its messages.
    this.queuedParts = [];
    this.state = 'active';
    this.lastHeard = this.context.clock.now();
    this.replayNext = resumed;
    this.backedUpSince = -1;
    this.sentAck = -1;
    this.lastTick.tick = -1;
    this.scheduleHeartbeat();
  }

  /**
   * Close the current socket with `code` and `reason` but keep the session: a resume is taking it
   * over. The old socket's close is then ignored (it is no longer this session's socket).
   */
  detach(code: number, reason: string): void {
    const socket = this.socket;
    this.suspend();
    try {
      socket?.close(code, reason);
    } catch (error) {
      this.context.logger.debug('socket close failed', { connection: this.id, error: String(error) });
    }
  }

  /** The socket is gone but the session is held for a resume. */
  suspend(): void {
    this.stopTimers();
    this.socket = undefined;
    this.queuedParts = [];
    this.state = 'suspended';
  }

  private scheduleHeartbeat(): void {
    this.context.heartbeats.schedule(this);
  }

  /** @internal Called by the endpoint's {@link HeartbeatSchedule} one heartbeat interval after the last: close if silent past the idle timeout, else ping. */
  heartbeat(): void {
    if (this.state !== 'active' || !this.socket) return;
    const { clock, settings } = this.context;
    if (clock.now() - this.lastHeard > settings.idleTimeoutMs) {
      this.close(CloseCode.IdleTimeout, 'no traffic within the idle timeout');
      return;
    }
    this.pingSentAt = clock.now();
    this.sendNow(encodePing(this.pingSentAt));
    this.scheduleHeartbeat();
  }

  private stopTimers(): void {
    this.context.heartbeats.cancel(this);
  }

  /** Send one frame; `borrowed` when `frame` is a view of a reused buffer (the socket then must copy it). */
  private sendNow(frame: Uint8Array, borrowed = false): void {
    if (!this.socket) return;
    this.stats.bytesOut += frame.length;
    this.stats.framesOut++;
    if (this.context.observer.any) this.context.observer.emit('frameOut', this, frame[0]!, frame.length);
    if (borrowed) this.socket.sendCopy!(frame);
    else this.socket.send(frame);
  }

  /** A socket callback: one WebSocket message from this peer after the handshake. */
  receiveFrame(data: Uint8Array | string): void {
    if (this.state !== 'active') return;
    this.lastHeard = this.context.clock.now();
    try {
      if (typeof data === 'string') throw new ProtocolError('text frames are not accepted', CloseCode.UnsupportedData);
      if (data.length > this.context.settings.maxFrameBytes)
        throw new ProtocolError(`frame of ${data.length} bytes over the limit`, CloseCode.MessageTooBig);
      this.stats.bytesIn += data.length;
      this.stats.framesIn++;
      const r = new ByteReader(data);
      const kind = r.u8();
      if (this.context.observer.any) this.context.observer.emit('frameIn', this, kind, data.length);
      const withinBytes = this.rateLimit.frame(data.length);
      switch (kind) {
        case FrameKind.Client:
          this.readClientFrame(r, withinBytes);
          break;
        case FrameKind.Ping: {
          const echo = r.f64();
          // A ping flood must not become a pong flood: pings cost a message token.
          if (this.admitMessage(withinBytes)) this.sendNow(encodePong({ echo, time: this.context.clock.wallTime(), tick: this.context.tick() }));
          break;
        }
        case FrameKind.Pong: {
          const { echo } = decodePong(r);
          // Control frames spend the same budget as messages, and only an answer to our own latest
          // ping, once, is a sample: a client must not choose its own RTT.
          if (!this.admitMessage(withinBytes) || echo !== this.pingSentAt) break;
          this.pingSentAt = Number.NaN;
          const sample = this.context.clock.now() - echo;
          this.estimator.sample(sample);
          if (this.context.observer.any) this.context.observer.emit('rtt', this, sample);
          break;
        }
        default:
          throw new ProtocolError(`unexpected frame kind ${kind} after the handshake`);
      }
      if (r.remaining > 0 && kind !== FrameKind.Client) throw new ProtocolError('trailing bytes after the frame');
    } catch (error) {
      this.fail(error);
    }
  }

  private readClientFrame(r: ByteReader, withinBytes: boolean): void {
    const { ack } = readClientHeader(r);
    if (ack > this.channel.lastSentSeq) throw new ProtocolError(`ack ${ack} for a message never sent`);
    this.channel.ack(ack);
    const before = this.inbound.length;
    this.carried = 0;
    this.frameWithinBytes = withinBytes;
    this.receiver.read(r, this);
    if (this.carried === 0) this.admitMessage(withinBytes);
    if (r.remaining > 0) throw new ProtocolError('trailing bytes after the messages section');
    if (this.inbound.length > before) this.context.pending(this);
  }

  // The frame being read, for the receiver's calls below.
  private carried = 0;
  private frameWithinBytes = true;

  /** @internal {@link MessageSink}: a valid message of the frame being read. */
  received(message: ReceivedMessage): void {
    this.carried++;
    // Read even when dropped, so sequence numbers stay consistent for the messages that pass.
    if (!this.admitMessage(this.frameWithinBytes)) return;
    if (this.context.observer.any) this.context.observer.emit('messageIn', this, message.type, message.bytes);
    if (this.inbound.length >= this.context.settings.inboundCapacity) throw new ProtocolError('inbound queue full', CloseCode.RateLimited);
    this.inbound.push(message);
    this.stats.messagesIn++;
  }

  /** @internal {@link MessageSink}: a schema-invalid message of the frame being read. */
  receivedInvalid(error: InvalidMessageError): void {
    this.carried++;
    if (this.admitMessage(this.frameWithinBytes)) this.rejectInvalid(error);
  }

  /** Charge one message to the rate limit; false (dropped, counted) when over it. Throws 4005 when sustained. */
  private admitMessage(withinBytes: boolean): boolean {
    if (this.rateLimit.message(withinBytes)) return true;
    this.stats.limited++;
    if (this.context.observer.any) this.context.observer.emit('limited', this);
    return false;
  }

  private rejectInvalid(error: InvalidMessageError): void {
    this.context.logger.debug('invalid message', { connection: this.id, problem: error.message });
    if (++this.invalidCount > this.context.settings.maxInvalidMessages)
      throw new ProtocolError('too many invalid messages', CloseCode.PolicyViolation);
    this.enqueue(ErrorMessage, { code: 400, message: error.message, about: error.type });
  }

  /** End the connection for a decode or policy failure: one close, logged, never thrown further. */
  fail(error: unknown): void {
    if (error instanceof ProtocolError) {
      this.context.logger.info('closing connection for a protocol error', { connection: this.id, code: error.code, reason: error.message });
      this.close(error.code, error.message);
    } else {
      this.context.logger.error('unexpected error handling a connection', { connection: this.id, error: String(error) });
      this.close(CloseCode.InternalError, 'internal error');
    }
  }

  /**
   * Queue a message for the next frame. False when the channel overflowed (the connection is closed
   * with 4008). Throws `MessageTooLargeError` for a payload over {@link messageLimit}.
   */
  enqueue(type: MessageType, data: unknown): boolean {
    return this.enqueueEncoded(this.context.protocol.messageId(type), this.context.codec.encode(type, data, this.messageLimit), type.droppable);
  }

  /**
   * Queue an already-encoded payload (broadcasts encode once and share the bytes, checked against
   * this server's `maxMessageBytes`). False, logged, when the client advertised a smaller limit
   * than the payload: it would refuse the frame.
   */
  enqueueEncoded(typeId: number, payload: Uint8Array, droppable: boolean): boolean {
    if (this.state === 'closed') return false;
    if (payload.length > this.messageLimit) {
      const type = this.context.protocol.messages[typeId]?.name ?? String(typeId);
      this.context.logger.warn('message not queued: larger than this client accepts', { connection: this.id, type, bytes: payload.length, limit: this.messageLimit });
      return false;
    }
    const result = this.channel.push(typeId, payload, droppable);
    if (result === 'overflow') {
      this.close(CloseCode.SlowConsumer, 'outbound channel full');
      return false;
    }
    if (result !== 'queued') this.stats.dropped = this.channel.dropped;
    if (this.channel.crossedWarning()) this.context.warning(this);
    return result !== 'dropped';
  }

  /**
   * Write and send this tick's frame: header, queued messages, then the state section from
   * `writeState`. Skipped while the socket is backed up (messages wait in the bounded channel and
   * state coalesces); closed with 4008 when that lasts past `slowConsumerTimeoutMs`.
   */
  flush(
    w: ByteWriter,
    tick: number,
    writeState: ((connection: ServerConnection, w: ByteWriter) => void) | undefined,
    splitState?: StateSplitter,
  ): void {
    const socket = this.socket;
    if (this.state !== 'active' || !socket) return;
    const settings = this.context.settings;
    // Not this connection's turn under a reduced update rate; staggered by id to spread the writes.
    if (this.interval > 1 && (tick + this.id) % this.interval !== 0) return;
    const now = this.context.flushTime;
    if (socket.bufferedAmount > settings.highWaterMark) {
      if (this.backedUpSince < 0) this.backedUpSince = now;
      this.stats.backpressuredTicks++;
      if (this.context.observer.any) this.context.observer.emit('backpressure', this, socket.bufferedAmount);
      if (now - this.backedUpSince > settings.slowConsumerTimeoutMs) this.close(CloseCode.SlowConsumer, 'client did not keep up');
      return;
    }
    this.backedUpSince = -1;
    if (this.queuedParts.length > 0 && !this.sendQueuedParts(socket)) return;
    const { messages, firstSeq } = this.channel.take(this.replayNext);
    this.replayNext = false;
    const ack = this.receiver.received;
    const inputQueue = this.playout ? packInputQueue(this.playout.backlog, this.playout.depth) : 0;
    header.tick = tick;
    header.lastInput = this.lastInput;
    header.ack = ack;
    header.inputQueue = inputQueue;
    const last = this.lastTick;
    // The tick after the last one sent, nothing new in its header and no messages: a TickNext
    // frame, whose 1-byte header says exactly that.
    const next = messages.length === 0 && tick === last.tick + 1 && this.lastInput === last.lastInput && ack === last.ack && inputQueue === last.inputQueue;
    w.reset();
    if (next) w.u8(FrameKind.TickNext);
    else {
      writeTickHeader(w, header);
      writeMessages(w, messages, firstSeq);
    }
    const headerLength = w.length;
    writeState?.(this, w);
    const content = messages.length > 0 || w.length > headerLength;
    const idle = !content && ack === this.sentAck && this.lastInput === this.sentInput && inputQueue === this.sentInputQueue;
    // An empty frame still goes out now and then so the client's clock keeps hearing ticks.
    // One empty frame follows the last frame with content: it tells the client's interpolation
    // that the world held still at this tick, instead of leaving it to extrapolate the last motion.
    if (idle && !this.lastHadContent && now - this.lastFrameAt < settings.heartbeatIntervalMs) return;
    this.lastHadContent = content;
    this.sentAck = ack;
    this.sentInput = this.lastInput;
    this.sentInputQueue = inputQueue;
    this.lastFrameAt = now;
    last.tick = tick;
    last.lastInput = this.lastInput;
    last.ack = ack;
    last.inputQueue = inputQueue;
    this.stats.messagesOut += messages.length;
    if (this.context.observer.any) {
      for (const m of messages) this.context.observer.emit('messageOut', this, this.context.protocol.messages[m.typeId]!, m.payload.length);
    }
    const peer = this.peer;
    if (w.length <= peer.maxFrameBytes && messages.length <= peer.maxMessagesPerFrame) {
      // A transport that copies on send takes the writer's bytes as they are: no exact-size copy per client per tick.
      if (socket.sendCopy) this.sendNow(w.written(), true);
      else this.sendNow(w.finish());
      return;
    }
    // Too big for one frame: a continuation (TickPart frames, then the Tick that ends the tick).
    const state = w.written().slice(headerLength);
    this.queuedParts = tickFrames(w, header, messages, firstSeq, state, peer, splitState);
    this.sendQueuedParts(socket);
  }

  /**
   * Send the messages queued since the last frame now, in a Messages frame, without waiting for
   * the tick: what other nodes relay goes out as it arrives. Nothing goes while a tick is still
   * going out in parts, the socket is backed up, or a resume's replay is due — the next tick sends
   * them then, in the same order. True when a frame went out.
   */
  flushMessages(w: ByteWriter): boolean {
    const socket = this.socket;
    if (this.state !== 'active' || !socket || this.channel.depth === 0 || this.replayNext || this.channel.resending || this.queuedParts.length > 0) return false;
    if (socket.bufferedAmount > this.context.settings.highWaterMark) return false;
    const peer = this.peer;
    const { messages, firstSeq } = this.channel.take(false, { count: peer.maxMessagesPerFrame, bytes: peer.maxFrameBytes - FRAME_RESERVE_BYTES });
    if (messages.length === 0) return false;
    const ack = this.receiver.received;
    w.reset();
    w.u8(FrameKind.Messages);
    w.varint(ack);
    writeMessages(w, messages, firstSeq);
    this.sentAck = ack;
    this.stats.messagesOut += messages.length;
    if (this.context.observer.any) {
      for (const m of messages) this.context.observer.emit('messageOut', this, this.context.protocol.messages[m.typeId]!, m.payload.length);
    }
    this.sendNow(w.finish());
    return true;
  }

  /**
   * Send the waiting parts of a split tick while the socket is under its high-water mark, so a big
   * snapshot spreads over ticks instead of piling into the socket at once. True when all are sent.
   * While some wait, no new tick is written: the next one catches the client up.
   */
  private sendQueuedParts(socket: Socket): boolean {
    const parts = this.queuedParts;
    let sent = 0;
    while (sent < parts.length && (sent === 0 || socket.bufferedAmount <= this.context.settings.highWaterMark)) this.sendNow(parts[sent++]!);
    if (sent === parts.length) {
      this.queuedParts = [];
      return true;
    }
    this.queuedParts = parts.slice(sent);
    return false;
  }

  /** Close with a code and reason. Idempotent; the endpoint emits `disconnected` once. */
  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    const socket = this.socket;
    this.state = 'closed';
    this.stopTimers();
    this.socket = undefined;
    try {
      socket?.close(code, reason);
    } catch (error) {
      this.context.logger.debug('socket close failed', { connection: this.id, error: String(error) });
    }
    this.context.closed(this, code, reason, true);
  }

  /** The socket reported closing (peer or network). */
  socketClosed(socket: Socket, code: number, reason: string): void {
    if (socket !== this.socket || this.state === 'closed') return;
    this.stopTimers();
    this.socket = undefined;
    this.context.closed(this, code, reason, false);
  }

  /** Mark closed without touching a socket (expiry of a suspended session, shutdown). */
  markClosed(): void {
    this.stopTimers();
    this.state = 'closed';
  }
}
