/**
 * Per-address and pre-handshake bounds on the server's slots, so that one client (one address, one
 * identity) cannot take the places of others. Sockets still handshaking live in their own pool,
 * apart from player slots (`maxConnections`), and are closed at `handshakeTimeoutMs`.
 */
export interface AdmissionLimits {
  /** Sockets upgrading or handshaking at once, from everyone. Over it: HTTP 503 before the upgrade. Default 64. */
  maxPendingHandshakes: number;
  /** Open sockets (handshaking or playing) from one address. Over it: HTTP 429 before the upgrade (4005 if a burst raced past). Default 32. */
  maxConnectionsPerAddress: number;
  /** Sockets upgrading or handshaking at once from one address. Over it: HTTP 429 (4005 if a burst raced past). Default 8. */
  maxPendingHandshakesPerAddress: number;
  /** Sessions held for a resume per address; one more held drops that address's oldest held session. Default 4. */
  maxHeldSessionsPerAddress: number;
  /** Sessions held for a resume per identity subject; one more held drops that subject's oldest. Default 2. */
  maxHeldSessionsPerIdentity: number;
}

/** Defaults: a household or LAN party behind one address fits; one machine cannot fill a server. */
export const DEFAULT_ADMISSION_LIMITS: Readonly<AdmissionLimits> = Object.freeze({
  maxPendingHandshakes: 64,
  maxConnectionsPerAddress: 32,
  maxPendingHandshakesPerAddress: 8,
  maxHeldSessionsPerAddress: 4,
  maxHeldSessionsPerIdentity: 2,
});

/** Fill in defaults; every limit is a positive whole number (use a large one to lift it). */
export function resolveAdmissionLimits(partial: Partial<AdmissionLimits> = {}): AdmissionLimits {
  const limits = { ...DEFAULT_ADMISSION_LIMITS, ...partial };
  for (const [key, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !(value >= 1) || !Number.isFinite(value)) throw new TypeError(`admission limit ${key} must be a number ≥ 1, got ${value}`);
  }
  return limits;
}

/** Counts per key (an address, a subject) that vanish at zero, so the map holds only live keys. */
export class CountsByKey {
  private readonly counts = new Map<string, number>();

  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  add(key: string): void {
    this.counts.set(key, this.get(key) + 1);
  }

  remove(key: string): void {
    const left = this.get(key) - 1;
    if (left > 0) this.counts.set(key, left);
    else this.counts.delete(key);
  }

  /** Keys with a non-zero count. */
  get size(): number {
    return this.counts.size;
  }
}
