import type { RetryPolicy } from '../connection/client-connection.js';

/** Options of {@link exponentialBackoff}. */
export interface BackoffOptions {
  /** First delay, ms. Default 250. */
  initialMs?: number;
  /** Largest delay, ms. Default 10,000. */
  maxMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** Fraction of each delay randomised away (0..1), so a crowd dropped together does not return together. Default 0.5. */
  jitter?: number;
  /** Attempts before giving up. Default unlimited. */
  maxAttempts?: number;
  /** Random source in [0, 1) (tests pass a seeded one). */
  random?: () => number;
}

/**
 * Reconnection delays growing exponentially up to a cap, each shortened by a random part of
 * itself ("equal jitter"): `d = min(max, initial·factor^(n-1))`, delay ∈ [d·(1-jitter), d].
 */
export function exponentialBackoff(options: BackoffOptions = {}): RetryPolicy {
  const initial = options.initialMs ?? 250;
  const max = options.maxMs ?? 10_000;
  const factor = options.factor ?? 2;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.5));
  const maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY;
  const random = options.random ?? Math.random;
  return (attempt) => {
    if (attempt > maxAttempts) return undefined;
    const ceiling = Math.min(max, initial * factor ** (attempt - 1));
    return Math.round(ceiling * (1 - jitter * random()));
  };
}
