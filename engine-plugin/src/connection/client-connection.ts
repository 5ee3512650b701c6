import { ByteReader, ByteWriter } from '../protocol/bytes.js';
import { CloseCode, FINAL_CLOSE_CODES } from '../protocol/close-codes.js';
import {
  FRAME_RESERVE_BYTES,
  FrameKind,
  PROTOCOL_VERSION,
  type PeerLimits,
  type Pong,
  decodeMismatch,
  decodePong,
  decodeWelcome,
  encodeHello,
  encodePing,
  encodePong,
  expandTickNext,
  readTickHeader,
  type TickHeader,
} from '../protocol/frames.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { MessageCodec, MessageTooLargeError } from '../schema/message-codec.js';
import { ResyncMessage } from '../schema/system-messages.js';
import type { MessageType } from '../schema/message.js';
import { type Protocol, describeMismatch } from '../schema/protocol.js';
import { type Clock, type TimerHandle, systemClock } from '../transport/clock.js';
import type { ClientSocketHandlers, ClientTransport, Socket } from '../transport/transport.js';
import { type ConnectionStats, emptyStats } from './connection.js';
import { type Logger, consoleLogger } from './logger.js';
import { MessageReceiver, type ReceivedMessage } from './message-receiver.js';
import { InboundFrames } from './inbound-frames.js';
import { OutboundChannel } from './outbound-channel.js';
import { RttEstimator } from './rtt.js';
import { type NetworkSettings, advertisedLimits, resolveSettings } from './settings.js';
import { clientFrames } from './frame-layout.js';
import { SendPacing } from './send-pacing.js';
import { type MatchedSeat, type Matchmake, SessionRoute } from './session-route.js';

/** Where the client's connection is. */
export type ClientState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Something happened to the client's connection; visible to game code for one tick. */
export type ClientEvent =
  | { readonly type: 'connected'; readonly connectionId: number; readonly resumed: boolean }
  | { readonly type: 'disconnected'; readonly code: number; readonly reason: string; readonly willRetry: boolean }
  | { readonly type: 'reconnecting'; readonly attempt: number; readonly delayMs: number }
  /** The connection moved to another {@link ClientState}: one event per change, in order. */
  | { readonly type: 'state'; readonly state: ClientState; readonly previous: ClientState }
  | { readonly type: 'error'; readonly error: Error; readonly code?: number };

/** How long to wait before reconnection attempt `attempt` (1-based), or undefined to give up. */
export type RetryPolicy = (attempt: number) => number | undefined;

/** Options of the client side of the connection layer. */
export interface ClientConnectionOptions {
  readonly transport: ClientTransport;
  readonly settings?: Partial<NetworkSettings>;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Reconnection delays; without one, a drop is final. */
  readonly retry?: RetryPolicy;
  /**
   * The most frames of one split tick to hold before its Tick frame (more close 1009). Default
   * `inboundCapacity`; the ECS client sets it from the protocol (a snapshot of the whole entity
   * capacity), so no tick a server can legitimately send is refused, however small the frames.
   */
  readonly maxTickParts?: number;
  /**
   * The bearer token to connect with, asked again before every (re)connect — so a token that
   * expired, or a server that restarted with its sessions gone, gets a fresh one — and once more,
   * at once, after an authentication refusal (4001, or HTTP 401 on Node), before giving up. The
   * transport carries it (`webSocketClient` puts it in the `token` query parameter). May be async
   * (fetch a guest token); a rejection counts as a failed connection attempt. `refused` is true
   * on the call after a refusal: a cached token is the one that was refused, so fetch a new one.
   */
  readonly token?: (attempt: TokenAttempt) => string | undefined | Promise<string | undefined>;
  /**
   * Keep Client frames under the inbound rate limits the server advertised in its Welcome (default
   * true): what is over them waits in the outbound channel for the next flush instead of being
   * dropped by the server. `false` sends everything at once, as a modified client would — for
   * testing a server's limits, never for a game.
   */
  readonly respectServerRateLimits?: boolean;
  /**
   * How this client finds a room in a cluster (or any server with matchmaking): asked for a seat
   * before the first connect, after close 4011 (the node is draining, or the session died with
   * its node), and when the session's node does not answer a reconnect. The client dials the
   * seat's `address` with `?seat=`, and on reconnects goes back there with the same seat. Without
   * it, or when it resolves to `undefined` (the server has no matchmaking), the client dials its
   * transport's own URL. A rejection counts as a failed attempt: the next one waits for the retry
   * delay. `matchmakeOverHttp(serverUrl, roomType)` asks a server's `matchmakingEndpoint`.
   * Redirects (4010) are followed either way: the client dials the node its session lives on.
   */
  readonly matchmake?: Matchmake;
  /** Every Pong from the server: RTT sample plus the server's clock and tick, for time sync. */
  readonly onPong?: (pong: Pong, rtt: number, receivedAt: number) => void;
  /** Every Tick frame as it arrives off the socket (before `receive`), for time sync: arrival jitter is measured here. */
  readonly onTick?: (tick: number, receivedAt: number) => void;
}

/** What a client's `token` function is told about the connection attempt it is for. */
export interface TokenAttempt {
  /** True right after the server refused the last token (4001 or HTTP 401). */
  readonly refused: boolean;
  /**
   * Attempts that failed since the last Welcome (0 on a first connect). A browser cannot see an
   * HTTP 401 (it reports a failed connection), so a cached token may deserve replacing after one.
   */
  readonly failedAttempts: number;
}

const NO_EVENTS: readonly ClientEvent[] = Object.freeze([]);

/** The most ack-only frames a quiet client sends per second: acknowledgement needs no haste. */
const ACK_INTERVAL_MS = 100;

/**
 * The client's one session with the server, across reconnections: its reliable channel, received
 * sequence and session token survive a dropped socket, so a resume loses and repeats nothing.
 */
export class ClientConnection {
  private current: ClientState = 'idle';
  /** Assigned by the server's Welcome; stable across resumes. */
  connectionId = 0;
  tickRate = 0;
  /** The server tick announced in the latest Welcome. */
  welcomeTick = 0;
  readonly stats: ConnectionStats = emptyStats();
  readonly settings: NetworkSettings;
  readonly channel: OutboundChannel;
  readonly receiver: MessageReceiver;
  private readonly codec: MessageCodec;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly estimator = new RttEstimator();
  private readonly writer = new ByteWriter(1024);
  private socket: Socket | undefined;
  private sessionToken = '';
  /** Tick frames waiting for the next `receive`. */
  readonly inbound: InboundFrames;
  /** Sessions so far: a Welcome that does not resume starts a new one (ownership etc. reset). */
  session = 0;
  private events: ClientEvent[] = [];
  private attempt = 0;
  private timer: TimerHandle | undefined;
  private lastHeard = 0;
  private lastSent = 0;
  private sentAck = 0;
  private replayNext = false;
  /** What the server's Welcome said it accepts; undefined before the first Welcome. */
  private server: PeerLimits | undefined = undefined;
  /** Client frames leave no faster than the server's advertised rate limits let them in. */
  private pacing: SendPacing | undefined = undefined;
  /** Where the session lives: the seat and home to dial, redirects, and when to matchmake. */
  private readonly route: SessionRoute;
  /** A Welcome arrived on the current socket. */
  private welcomedHere = false;
  /** The header of the last Tick frame on the current socket (tick −1: none yet): what a TickNext frame repeats. */
  private readonly lastTick: TickHeader = { tick: -1, lastInput: 0, ack: 0, inputQueue: 0 };
  /** Where TickNext frames are expanded (socket callbacks never run inside a flush, but outbound frames have their own writer anyway). */
  private readonly expander = new ByteWriter(256);

  constructor(
    readonly protocol: Protocol,
    private readonly options: ClientConnectionOptions,
  ) {
    this.settings = resolveSettings(options.settings);
    const s = this.settings;
    this.codec = new MessageCodec(s.maxMessageBytes);
    this.channel = new OutboundChannel(s.channelCapacity, s.channelBytes, s.replayCapacity, s.channelWarningThreshold);
    this.receiver = new MessageReceiver(protocol, this.codec, s, 'toClient');
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? consoleLogger('warn');
    this.route = new SessionRoute(options.matchmake);
    this.inbound = new InboundFrames({
      settings: s,
      maxTickParts: Math.max(s.inboundCapacity, options.maxTickParts ?? 0),
      channel: this.channel,
      receiver: this.receiver,
      stats: this.stats,
      logger: this.logger,
      invalid: (error) => this.pushError(error),
      requestSnapshot: () => {
        this.send(ResyncMessage, {});
        this.flush();
      },
    });
  }

  /** Sequence of the last input the server reported processed. */
  get lastInputProcessed(): number {
    return this.inbound.lastInputProcessed;
  }

  /**
   * This client's input queue at the server, from the latest Tick header: `queued` inputs still
   * waiting there, and the `target` depth its playout buffer keeps as slack. Queued below target
   * means inputs arrive too late (run further ahead); well above it, too early. Both 0 when the
   * server plays inputs as they arrive (no `inputRate`).
   */
  get serverInputQueue(): { readonly queued: number; readonly target: number } {
    return { queued: this.inbound.inputsQueued, target: this.inbound.inputTarget };
  }

  /** True while state sections are skipped, waiting for a snapshot (see {@link InboundFrames}). */
  get resyncing(): boolean {
    return this.inbound.resyncing;
  }

  set resyncing(value: boolean) {
    this.inbound.resyncing = value;
  }

  /** Where the connection is; every change is also reported as a `state` event. */
  get state(): ClientState {
    return this.current;
  }

  private setState(next: ClientState): void {
    const previous = this.current;
    if (previous === next) return;
    this.current = next;
    this.events.push({ type: 'state', state: next, previous });
  }

  /** Smoothed RTT, ms. */
  get rtt(): number {
    return this.estimator.smoothed;
  }

  /** RTT jitter (mean deviation), ms. */
  get jitter(): number {
    return this.estimator.jitter;
  }

  /** The seat the current session came with, from `matchmake` (undefined without one). */
  get seat(): MatchedSeat | undefined {
    return this.route.seat;
  }

  /** Open the connection (again). */
  open(): void {
    if (this.state === 'connecting' || this.state === 'connected') return;
    this.clearTimer();
    this.setState(this.attempt > 0 ? 'reconnecting' : 'connecting');
    const token = this.options.token;
    if (!token && !this.route.matchmakeDue) {
      this.dial(undefined, this.route.next());
      return;
    }
    const asked = ++this.tokenRequests;
    const attempt: TokenAttempt = { refused: this.authRetried, failedAttempts: this.attempt };
    let failing = 'the token function failed';
    Promise.resolve()
      .then(async () => {
        let address: string | undefined;
        if (this.route.matchmakeDue) {
          failing = 'matchmaking failed';
          address = await this.route.matchmade(attempt.failedAttempts);
          failing = 'the token function failed';
        } else address = this.route.next();
        return { address, token: token ? await token(attempt) : undefined };
      })
      .then(
        (value) => {
          if (asked === this.tokenRequests && this.state !== 'closed') this.dial(value.token, value.address);
        },
        (error: unknown) => {
          if (asked !== this.tokenRequests || this.state === 'closed') return;
          this.pushError(error instanceof Error ? error : new Error(String(error)));
          this.socketClosed(CloseCode.AbnormalClosure, failing);
        },
      );
  }

  /** Token requests made; a close or a newer request makes an older answer moot. */
  private tokenRequests = 0;
  /** Set after an auth refusal was retried with a fresh token; cleared by a Welcome. */
  private authRetried = false;

  private dial(token: string | undefined, address: string | undefined): void {
    const handshakeStarted = this.clock.now();
    let welcomed = false;
    this.welcomedHere = false;
    const handlers: ClientSocketHandlers = {
      open: () => {
        if (socket !== this.socket) return;
        this.lastHeard = this.clock.now();
        this.sendRaw(
          encodeHello({
            version: PROTOCOL_VERSION,
            fingerprint: this.protocol.fingerprint,
            resumeToken: this.sessionToken,
            received: this.receiver.received,
            limits: advertisedLimits(this.settings),
          }),
        );
      },
      message: (data) => {
        if (socket !== this.socket) return;
        try {
          welcomed = this.receiveFrame(data, welcomed);
        } catch (error) {
          const code = error instanceof ProtocolError ? error.code : CloseCode.InternalError;
          this.pushError(error instanceof Error ? error : new Error(String(error)), code);
          this.closeSocket(code, error instanceof Error ? error.message : 'error');
        }
      },
      close: (code, reason) => {
        if (socket !== this.socket) return;
        this.socketClosed(code, reason);
      },
    };
    const credentials = token === undefined ? (address === undefined ? undefined : { address }) : address === undefined ? { token } : { token, address };
    const socket: Socket = credentials === undefined ? this.options.transport.open(handlers) : this.options.transport.open(handlers, credentials);
    this.socket = socket;
    this.schedule(() => {
      if (socket === this.socket && !welcomed && this.clock.now() - handshakeStarted >= this.settings.handshakeTimeoutMs)
        this.closeSocket(CloseCode.HandshakeTimeout, 'no Welcome in time');
    }, this.settings.handshakeTimeoutMs);
  }

  /** Close for good (no reconnection). */
  close(code: number = CloseCode.Normal, reason = 'client closed'): void {
    if (this.state === 'closed') return;
    this.clearTimer();
    const socket = this.socket;
    this.socket = undefined;
    this.setState('closed');
    socket?.close(code, reason);
    this.events.push({ type: 'disconnected', code, reason, willRetry: false });
  }

  private receiveFrame(data: Uint8Array | string, welcomed: boolean): boolean {
    this.lastHeard = this.clock.now();
    if (typeof data === 'string') throw new ProtocolError('text frames are not accepted', CloseCode.UnsupportedData);
    if (data.length > this.settings.maxFrameBytes) throw new ProtocolError('frame over the size limit', CloseCode.MessageTooBig);
    this.stats.bytesIn += data.length;
    this.stats.framesIn++;
    const r = new ByteReader(data);
    const kind = r.u8();
    if (!welcomed) {
      if (kind === FrameKind.Mismatch) {
        const mismatch = decodeMismatch(r);
        const detail = describeMismatch(this.protocol.description, mismatch.description);
        const error = new Error(
          `protocol mismatch with the server (server v${mismatch.version}, client v${PROTOCOL_VERSION}): ${detail}`,
        );
        error.name = 'ProtocolMismatchError';
        this.pushError(error, CloseCode.ProtocolMismatch);
        this.logger.error(error.message);
        return false;
      }
      if (kind !== FrameKind.Welcome) throw new ProtocolError(`expected Welcome, got frame kind ${kind}`);
      const welcome = decodeWelcome(r);
      // A new socket: the server's TickNext frames follow a Tick frame on this one.
      this.lastTick.tick = -1;
      const resumed = welcome.resumed && welcome.connectionId === this.connectionId;
      if (!resumed) {
        // A new session: the server numbers both directions from 1 again, and what the old one
        // half-sent belongs to a session that is gone. Keeping our old numbering would make the
        // server see a sequence gap and close the fresh session (1002).
        this.channel.restart();
        this.receiver.received = 0;
        this.inbound.reset();
        this.session++;
      } else {
        this.channel.ack(welcome.received);
        this.inbound.dropPartial();
      }
      this.replayNext = resumed;
      this.server = welcome.limits;
      this.pacing = this.options.respectServerRateLimits === false ? undefined : new SendPacing(welcome.rates, this.clock);
      this.refuseOversized();
      this.connectionId = welcome.connectionId;
      this.tickRate = welcome.tickRate;
      this.welcomeTick = welcome.tick;
      this.sessionToken = welcome.sessionToken;
      this.authRetried = false;
      this.attempt = 0;
      this.welcomedHere = true;
      this.route.welcomed(resumed);
      this.setState('connected');
      this.events.push({ type: 'connected', connectionId: welcome.connectionId, resumed });
      this.scheduleHeartbeat();
      return true;
    }
    switch (kind) {
      case FrameKind.Tick: {
        this.inbound.push(data);
        const header = readTickHeader(r);
        const last = this.lastTick;
        last.tick = header.tick;
        last.lastInput = header.lastInput;
        last.ack = header.ack;
        last.inputQueue = header.inputQueue;
        this.options.onTick?.(header.tick, this.lastHeard);
        break;
      }
      case FrameKind.TickNext: {
        const last = this.lastTick;
        if (last.tick < 0) throw new ProtocolError('a TickNext frame before any Tick frame on this socket');
        // Expanded to the Tick it stands for, so the queue and everything after it see one kind of frame.
        this.inbound.pushNext(expandTickNext(data, last, this.expander));
        last.tick++;
        this.options.onTick?.(last.tick, this.lastHeard);
        break;
      }
      case FrameKind.TickPart:
        this.inbound.pushPart(data);
        break;
      case FrameKind.Messages:
        this.inbound.pushMessages(data);
        break;
      case FrameKind.Ping:
        this.sendRaw(encodePong({ echo: r.f64(), time: this.clock.wallTime(), tick: 0 }));
        break;
      case FrameKind.Pong: {
        const pong = decodePong(r);
        const now = this.clock.now();
        this.estimator.sample(now - pong.echo);
        this.options.onPong?.(pong, now - pong.echo, now);
        break;
      }
      default:
        throw new ProtocolError(`unexpected frame kind ${kind}`);
    }
    return true;
  }

  private scheduleHeartbeat(): void {
    this.schedule(() => {
      if (this.state !== 'connected') return;
      if (this.clock.now() - this.lastHeard > this.settings.idleTimeoutMs) {
        this.closeSocket(CloseCode.IdleTimeout, 'server silent past the idle timeout');
        return;
      }
      this.sendRaw(encodePing(this.clock.now()));
      this.scheduleHeartbeat();
    }, this.settings.heartbeatIntervalMs);
  }

  /** Send a ping now (time sync wants samples sooner than the heartbeat). */
  ping(): void {
    if (this.state === 'connected') this.sendRaw(encodePing(this.clock.now()));
  }

  private schedule(callback: () => void, ms: number): void {
    this.clearTimer();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      callback();
    }, ms);
  }

  private clearTimer(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private pushError(error: Error, code?: number): void {
    this.events.push({ type: 'error', error, code });
  }

  private closeSocket(code: number, reason: string): void {
    const socket = this.socket;
    socket?.close(code, reason);
    this.socketClosed(code, reason);
  }

  private socketClosed(code: number, reason: string): void {
    this.clearTimer();
    this.socket = undefined;
    if (this.state === 'closed') return;
    // A refused upgrade reaches a Node client as 1006 with the HTTP status in the reason; a 401
    // is the pre-upgrade form of 4001 and must not be retried either. (Browsers hide the status.)
    if (code === 1006 && /\b401\b/.test(reason)) code = CloseCode.AuthFailed;
    // A token function gets one more say after a refusal: the server may have restarted with a new secret.
    const retryAuth = code === CloseCode.AuthFailed && this.options.token !== undefined && !this.authRetried;
    if (retryAuth) this.authRetried = true;
    const welcomed = this.welcomedHere;
    this.welcomedHere = false;
    const route = this.route.closed(code, reason, welcomed);
    // The server ended the session (4011): the next Hello starts a new one, wherever matchmaking leads.
    if (route.forgetSession) this.sessionToken = '';
    let delay: number | undefined;
    if (retryAuth) delay = 0;
    else if (FINAL_CLOSE_CODES.has(code) || code === CloseCode.Normal || !this.options.retry) delay = undefined;
    else if (route.immediate) {
      // A redirect is no failure; a home that did not answer is one, and still goes around at once.
      if (code !== CloseCode.Redirect && !welcomed) this.attempt++;
      delay = 0;
    } else delay = this.options.retry(++this.attempt);
    this.events.push({ type: 'disconnected', code, reason, willRetry: delay !== undefined });
    if (delay === undefined) {
      this.setState('closed');
      return;
    }
    this.setState('reconnecting');
    this.events.push({ type: 'reconnecting', attempt: this.attempt, delayMs: delay });
    this.schedule(() => this.open(), delay);
  }

  private sendRaw(frame: Uint8Array): void {
    if (!this.socket) return;
    this.stats.bytesOut += frame.length;
    this.stats.framesOut++;
    this.socket.send(frame);
  }

  /** Events since the last call. */
  takeEvents(): readonly ClientEvent[] {
    // Called every frame and most frames have none: a shared empty array, not a new one.
    if (this.events.length === 0) return NO_EVENTS;
    const events = this.events;
    this.events = [];
    return events;
  }

  /**
   * The largest message payload the server takes from this client, bytes: the smaller of this
   * side's `maxMessageBytes` and the server's (once a Welcome told it), and never more than fits
   * in a frame the server accepts and the pacing lets through.
   */
  get messageLimit(): number {
    const own = this.settings.maxMessageBytes;
    const server = this.server;
    if (!server) return own;
    const frame = Math.min(server.maxFrameBytes, this.pacing?.maxFrameBytes ?? Number.POSITIVE_INFINITY);
    return Math.min(own, server.maxMessageBytes, frame - FRAME_RESERVE_BYTES);
  }

  /**
   * Messages queued before a Welcome announced a smaller limit than theirs: the server would close
   * on them, so they are taken out and each reported as an `error` event with a MessageTooLargeError.
   */
  private refuseOversized(): void {
    const limit = this.messageLimit;
    for (const m of this.channel.removeOversized(limit)) {
      const error = new MessageTooLargeError(this.protocol.messages[m.typeId]?.name ?? String(m.typeId), m.payload.length, limit);
      this.logger.error(`${error.message}; it was queued before the server's limit was known and is not sent`);
      this.pushError(error);
    }
  }

  /**
   * Queue a message for the next flush. False if the channel overflowed (the connection is closed
   * with 4008). Throws {@link MessageTooLargeError} when its payload is over {@link messageLimit}.
   */
  send(type: MessageType, data: unknown): boolean {
    if (type.direction === 'toClient') throw new TypeError(`message ${type.name} is server → client only`);
    const result = this.channel.push(this.protocol.messageId(type), this.codec.encode(type, data, this.messageLimit), type.droppable);
    if (result === 'overflow') {
      this.pushError(new Error('outbound channel full'), CloseCode.SlowConsumer);
      this.close(CloseCode.SlowConsumer, 'outbound channel full');
      return false;
    }
    return result !== 'dropped';
  }

  /** The sequence number the next queued message will carry once sent (inputs use it to reconcile). */
  nextSeq(): number {
    return this.channel.lastSentSeq + this.channel.depth + 1;
  }

  /**
   * Apply the Tick frames that arrived since the last call: acknowledgements, messages (valid,
   * de-duplicated) and the state section, in order. A malformed frame closes the socket.
   */
  receive(onMessage: (message: ReceivedMessage) => void, onState: (r: ByteReader, tick: number, final: boolean) => void): void {
    try {
      this.inbound.drain(onMessage, onState);
    } catch (error) {
      const code = error instanceof ProtocolError ? error.code : CloseCode.InternalError;
      this.pushError(error instanceof Error ? error : new Error(String(error)), code);
      this.closeSocket(code, error instanceof Error ? error.message : 'error');
    }
  }

  /**
   * Send queued messages (and a due acknowledgement) in Client frames: one unless they exceed what
   * the server accepts in one, and no faster than its advertised rate limits (the rest waits in
   * the channel for the next flush).
   */
  flush(): void {
    if (this.state !== 'connected' || !this.socket) return;
    const now = this.clock.now();
    const ack = this.receiver.received;
    const ackDue = ack !== this.sentAck && now - this.lastSent >= ACK_INTERVAL_MS;
    if (this.channel.depth === 0 && !ackDue && !this.replayNext && !this.channel.resending) return;
    const allowance = this.pacing?.allowance();
    // Out of the server's message budget: even an acknowledgement would be dropped, so it waits too.
    if (allowance !== undefined && allowance.count < 1 && !this.replayNext) return;
    const { messages, firstSeq } = this.channel.take(this.replayNext, allowance);
    this.replayNext = false;
    if (messages.length === 0 && !ackDue) return;
    const server = this.server!;
    const limits: PeerLimits = {
      maxFrameBytes: Math.min(server.maxFrameBytes, this.pacing?.maxFrameBytes ?? Number.POSITIVE_INFINITY),
      maxMessageBytes: server.maxMessageBytes,
      maxMessagesPerFrame: Math.min(server.maxMessagesPerFrame, this.pacing?.maxMessages ?? Number.POSITIVE_INFINITY),
    };
    let bytes = 0;
    for (const frame of clientFrames(this.writer, ack, messages, firstSeq, limits)) {
      bytes += frame.length;
      this.sendRaw(frame);
    }
    this.pacing?.spend(messages.length, bytes);
    this.sentAck = ack;
    this.lastSent = now;
    this.stats.messagesOut += messages.length;
  }
}
