import { CloseCode } from '../protocol/close-codes.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { Clock } from '../transport/clock.js';
import type { NetworkSettings } from './settings.js';

/**
 * A token bucket: `capacity` tokens, refilled continuously at `perSecond`. Refill is computed
 * lazily from the clock on each take, so an idle bucket costs nothing and needs no timer.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly perSecond: number,
    readonly capacity: number,
    private readonly clock: Clock,
  ) {
    this.tokens = capacity;
    this.refilledAt = clock.now();
  }

  /** Tokens available now. */
  get available(): number {
    this.refill();
    return this.tokens;
  }

  /** Take `cost` tokens if there are that many; false (nothing taken) otherwise. */
  take(cost: number): boolean {
    this.refill();
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = now - this.refilledAt;
    if (elapsed <= 0) return;
    this.refilledAt = now;
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.perSecond) / 1000);
  }
}

/** The settings a {@link InboundRateLimit} reads. */
export type RateLimitSettings = Pick<NetworkSettings, 'messagesPerSecond' | 'messageBurst' | 'bytesPerSecond' | 'byteBurst' | 'rateLimitCloseMs'>;

/**
 * Per-connection inbound limits: one bucket for messages, one for bytes. What is over the limit is
 * dropped and counted, never queued — queueing would hand the flooder our memory. Dropping is
 * forgiving of a burst; a connection that stays over its limit for `rateLimitCloseMs` is closed
 * with 4005, because a client that never slows down is a bot, not a lagging player.
 *
 * A streak of limiting starts at the first drop and ends only once the buckets have refilled to
 * half: a client at ten times its rate gets a message through now and then, and must not reset
 * the clock by it.
 */
export class InboundRateLimit {
  /** Messages (and message-less frames) dropped since the connection opened. */
  dropped = 0;
  private readonly messages: TokenBucket | undefined;
  private readonly bytes: TokenBucket | undefined;
  private limitedSince = -1;

  constructor(
    private readonly settings: RateLimitSettings,
    private readonly clock: Clock,
    /** Called at the start of each streak of drops (to tell the client once, not per drop). */
    private readonly onLimited: () => void,
  ) {
    if (settings.messagesPerSecond > 0) this.messages = new TokenBucket(settings.messagesPerSecond, Math.max(1, settings.messageBurst), clock);
    if (settings.bytesPerSecond > 0) this.bytes = new TokenBucket(settings.bytesPerSecond, Math.max(1, settings.byteBurst), clock);
  }

  /** True while the connection is in a streak of drops. */
  get limiting(): boolean {
    return this.limitedSince >= 0;
  }

  /**
   * Charge a whole frame's bytes. False when the frame is over the byte limit: its messages are
   * dropped (after being read, so sequence numbers stay consistent). Throws 4005 when sustained.
   */
  frame(length: number): boolean {
    if (!this.bytes) return true;
    if (this.bytes.take(length)) return true;
    this.overLimit();
    return false;
  }

  /**
   * Charge one message (or one frame that carries none: a ping or a bare ack). False when it is to
   * be dropped. Throws a 4005 ProtocolError when the connection has been over its limit too long.
   */
  message(frameAllowed = true): boolean {
    if (frameAllowed && (!this.messages || this.messages.take(1))) {
      if (this.limitedSince >= 0 && halfFull(this.messages) && halfFull(this.bytes)) this.limitedSince = -1;
      return true;
    }
    this.dropped++;
    // A frame over the byte limit already counted towards the streak.
    if (frameAllowed) this.overLimit();
    return false;
  }

  private overLimit(): void {
    const now = this.clock.now();
    if (this.limitedSince < 0) {
      this.limitedSince = now;
      this.onLimited();
      return;
    }
    if (now - this.limitedSince > this.settings.rateLimitCloseMs)
      throw new ProtocolError(`over the rate limit for ${Math.round(now - this.limitedSince)} ms`, CloseCode.RateLimited);
  }
}

function halfFull(bucket: TokenBucket | undefined): boolean {
  return !bucket || bucket.available >= bucket.capacity / 2;
}
