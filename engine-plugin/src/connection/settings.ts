import { DEFAULT_PEER_LIMITS, MIN_FRAME_BYTES, type PeerLimits } from '../protocol/frames.js';

/**
 * Limits and timings for every connection, after pl3xus's `NetworkSettings`. Every queue a peer
 * can grow has a bound here; crossing one has a documented outcome (a close code or a counted drop).
 */
export interface NetworkSettings {
  /**
   * Largest WebSocket message accepted, bytes (at least 1024); larger closes with 1009. Advertised
   * in the handshake: the peer splits what it sends into frames no larger than this.
   */
  maxFrameBytes: number;
  /**
   * Largest single message payload, bytes, both ways: a larger one arriving closes with 1009, and
   * `send()` refuses a larger one (or one larger than the peer advertised) with
   * `MessageTooLargeError`. Advertised in the handshake.
   */
  maxMessageBytes: number;
  /** Most messages one frame may carry (more arriving closes with 1009). Advertised: the peer spreads more over several frames. */
  maxMessagesPerFrame: number;
  /** Outbound reliable messages queued per connection before 4008 (or drop-oldest for droppable types). */
  channelCapacity: number;
  /** Outbound queued bytes per connection before 4008 (or drop-oldest for droppable types). */
  channelBytes: number;
  /** Fraction of capacity (0..1) at which a `channelWarning` event is emitted and logged, once per crossing. */
  channelWarningThreshold: number;
  /** Inbound messages queued per connection between two `receive` calls before 4005. */
  inboundCapacity: number;
  /**
   * Input messages handed to game code per connection per tick. Later ones (and everything queued
   * behind them, to keep order) wait for the next tick inside the bounded inbound queue (4005 when
   * it overflows). The default 4 absorbs bursts after network jitter; a client can thereby move up
   * to 4 steps per tick, so set it to `ceil(input rate / tick rate)` (1 when clients send one input
   * per tick) if a modified client must not gain speed. 0 means no limit.
   */
  maxInputsPerTick: number;
  /**
   * Inputs per second each client sends while active. When set, every connection gets an input
   * playout buffer (`InputPlayout`): inputs are handed to game code at this rate, a few ms of
   * jitter are absorbed by an adaptive depth, a backlog catches up by one extra input a tick paid
   * from a token bucket at this rate (so no speed is gained), and a connection far behind drops
   * its oldest inputs. `maxInputsPerTick` still caps each tick. 0 (default): no buffer, inputs are
   * handed over as they arrive, up to `maxInputsPerTick`.
   */
  inputRate: number;
  /** Sent-but-unacknowledged reliable messages kept for replay after a resume. */
  replayCapacity: number;
  /** Socket `bufferedAmount` above which the connection counts as backed up: frames wait, state coalesces. */
  highWaterMark: number;
  /** How long a connection may stay backed up before it is closed with 4008, ms. */
  slowConsumerTimeoutMs: number;
  /** Time from socket open to a valid Hello before 4007, ms. */
  handshakeTimeoutMs: number;
  /** Interval between pings, ms. */
  heartbeatIntervalMs: number;
  /** Silence (no frame at all) after which the peer is presumed gone, ms. */
  idleTimeoutMs: number;
  /** Schema-invalid messages tolerated (each answered with error 400) before 1008. */
  maxInvalidMessages: number;
  /**
   * Ticks between frames to one connection (a per-client update rate, like Source's
   * `cl_updaterate`): 1 sends every tick, 2 every other tick at half the writes, and so on.
   * Connections are staggered by id so the writes spread over the ticks. Skipped ticks are not
   * lost: the next frame carries the messages queued meanwhile and the latest state of everything
   * that changed. Default 1.
   */
  sendInterval: number;
  /**
   * Inbound messages per second per connection (token bucket refill; a frame carrying no message,
   * such as a ping or a bare ack, costs one too). Over it: dropped, counted, error 429 once. 0: no limit.
   */
  messagesPerSecond: number;
  /** Message bucket size: how many may arrive at once after a quiet spell. */
  messageBurst: number;
  /** Inbound bytes per second per connection (whole frames). Over it: the frame's messages are dropped. 0: no limit. */
  bytesPerSecond: number;
  /** Byte bucket size; a frame larger than this is always over the limit. */
  byteBurst: number;
  /** How long a connection may stay over its rate limit (dropping) before 4005, ms. */
  rateLimitCloseMs: number;
  /** Warn a client (`tickwire.authStatus` `token_expiring`) this long before its token expires, ms. */
  tokenWarningMs: number;
  /**
   * Requests one side may have outstanding on a connection (`request()` without a reply yet).
   * One more is refused at once (the promise rejects with 429). A JSON peer's request ids are
   * remembered up to this many; the oldest is forgotten (its late reply dropped).
   */
  maxPendingRequests: number;
  /** How long `request()` waits for its reply unless told otherwise, ms; then it rejects with 408. */
  requestTimeoutMs: number;
  /** Topic subscriptions (patterns) one connection may hold; more are refused with 429. */
  maxSubscriptions: number;
  /** Publications and direct messages one connection may send per tick; more are answered with 429. */
  maxPublishesPerTick: number;
  /** Identities one connection may watch for presence (besides "everyone"); more are refused with 429. */
  maxWatchedIdentities: number;
  /** Most `online` events sent to a new presence watcher as its snapshot of who is online. */
  maxPresenceSnapshot: number;
}

/** Defaults sized for a 20–60 Hz game: about 8 s of a busy message stream per connection. */
export const DEFAULT_SETTINGS: Readonly<NetworkSettings> = Object.freeze({
  maxFrameBytes: DEFAULT_PEER_LIMITS.maxFrameBytes,
  maxMessageBytes: DEFAULT_PEER_LIMITS.maxMessageBytes,
  maxMessagesPerFrame: DEFAULT_PEER_LIMITS.maxMessagesPerFrame,
  channelCapacity: 1000,
  channelBytes: 4 << 20,
  channelWarningThreshold: 0.8,
  inboundCapacity: 1024,
  maxInputsPerTick: 4,
  inputRate: 0,
  replayCapacity: 1024,
  highWaterMark: 256 * 1024,
  slowConsumerTimeoutMs: 10_000,
  handshakeTimeoutMs: 5_000,
  heartbeatIntervalMs: 1_000,
  idleTimeoutMs: 10_000,
  maxInvalidMessages: 10,
  sendInterval: 1,
  messagesPerSecond: 240,
  messageBurst: 480,
  bytesPerSecond: 512 * 1024,
  byteBurst: 1 << 20,
  rateLimitCloseMs: 3_000,
  tokenWarningMs: 60_000,
  maxPendingRequests: 64,
  requestTimeoutMs: 10_000,
  maxSubscriptions: 64,
  maxPublishesPerTick: 32,
  maxWatchedIdentities: 64,
  maxPresenceSnapshot: 256,
});

/** Fill in defaults and reject nonsense early, at construction, not mid-game. */
export function resolveSettings(partial: Partial<NetworkSettings> = {}): NetworkSettings {
  const settings = { ...DEFAULT_SETTINGS, ...partial };
  for (const [key, value] of Object.entries(settings)) {
    if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value))
      throw new TypeError(`network setting ${key} must be a non-negative number, got ${value}`);
  }
  if (!Number.isInteger(settings.sendInterval) || settings.sendInterval < 1) throw new TypeError('sendInterval is a whole number of ticks, at least 1');
  if (settings.channelWarningThreshold > 1) throw new TypeError('channelWarningThreshold is a fraction in 0..1');
  if (settings.maxMessageBytes > settings.maxFrameBytes) throw new TypeError('maxMessageBytes cannot exceed maxFrameBytes');
  if (settings.maxFrameBytes < MIN_FRAME_BYTES) throw new TypeError(`maxFrameBytes must be at least ${MIN_FRAME_BYTES}`);
  if (settings.maxMessageBytes < 1 || settings.maxMessagesPerFrame < 1) throw new TypeError('maxMessageBytes and maxMessagesPerFrame must be at least 1');
  return settings;
}

/** The receive limits a side advertises in its half of the handshake. */
export function advertisedLimits(settings: NetworkSettings): PeerLimits {
  return { maxFrameBytes: settings.maxFrameBytes, maxMessageBytes: settings.maxMessageBytes, maxMessagesPerFrame: settings.maxMessagesPerFrame };
}
