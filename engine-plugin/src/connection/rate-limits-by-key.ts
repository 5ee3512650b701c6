import type { Clock } from '../transport/clock.js';
import { TokenBucket } from './rate-limit.js';

/**
 * One {@link TokenBucket} per key (a client address, usually), for HTTP endpoints that must not
 * let one client flood them: `retryAfter(key)` takes a token or says how long to wait. Bounded:
 * past `maxKeys` the key remembered longest is forgotten, so a spray of addresses costs memory
 * only up to the bound (a forgotten key starts with a full bucket again).
 */
export class RateLimitsByKey {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly maxKeys: number,
    private readonly clock: Clock,
  ) {}

  /** Take one request's token for `key`: 0 when it may go ahead now, else whole seconds to wait (for `Retry-After`). */
  retryAfter(key: string): number {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
      bucket = new TokenBucket(this.perSecond, this.burst, this.clock);
      this.buckets.set(key, bucket);
    }
    return bucket.take(1) ? 0 : Math.max(1, Math.ceil((1 - bucket.available) / this.perSecond));
  }
}
