import type { PeerRates } from '../protocol/frames.js';
import type { Clock } from '../transport/clock.js';
import type { SendAllowance } from './outbound-channel.js';
import { TokenBucket } from './rate-limit.js';

/**
 * Share of the server's advertised rates and bursts a client allows itself. The rest is headroom
 * for what the client sends outside its paced frames (pings, pongs, acknowledgements) and for the
 * two clocks and the network not agreeing on when a frame left and when it arrived.
 */
const RATE_SHARE = 0.8;
const BURST_SHARE = 0.5;

/**
 * A client's mirror of the server's inbound rate limits (advertised in Welcome): Client frames
 * leave only as fast as the server accepts them, so a message `send()` accepted is held in the
 * bounded outbound channel rather than dropped by the server's limiter. A burst beyond the
 * server's rate goes out over the next ticks instead of all at once.
 */
export class SendPacing {
  private readonly messages: TokenBucket | undefined;
  private readonly bytes: TokenBucket | undefined;

  constructor(rates: PeerRates, clock: Clock) {
    if (rates.messagesPerSecond > 0)
      this.messages = new TokenBucket(rates.messagesPerSecond * RATE_SHARE, Math.max(1, Math.floor(rates.messageBurst * BURST_SHARE)), clock);
    if (rates.bytesPerSecond > 0) this.bytes = new TokenBucket(rates.bytesPerSecond * RATE_SHARE, Math.max(1, Math.floor(rates.byteBurst * BURST_SHARE)), clock);
  }

  /** The largest frame ever let through: one the byte bucket can hold. */
  get maxFrameBytes(): number {
    return this.bytes?.capacity ?? Number.POSITIVE_INFINITY;
  }

  /** The most messages one flush may carry. */
  get maxMessages(): number {
    return this.messages?.capacity ?? Number.POSITIVE_INFINITY;
  }

  /** What may leave now; undefined when the server sets no limit. */
  allowance(): SendAllowance | undefined {
    if (!this.messages && !this.bytes) return undefined;
    return {
      count: this.messages ? Math.floor(this.messages.available) : Number.POSITIVE_INFINITY,
      // A frame's header (kind, ack, count, first sequence) is paid once per frame.
      bytes: this.bytes ? Math.floor(this.bytes.available) - 32 : Number.POSITIVE_INFINITY,
    };
  }

  /** Charge what was sent: `messages` messages (a frame without any counts as one) and `bytes` bytes. */
  spend(messages: number, bytes: number): void {
    charge(this.messages, Math.max(1, messages));
    charge(this.bytes, bytes);
  }
}

function charge(bucket: TokenBucket | undefined, cost: number): void {
  if (bucket && !bucket.take(cost)) bucket.take(bucket.available);
}
