import { CloseCode } from '../protocol/close-codes.js';
import { AuthStatusMessage, ErrorMessage, RefreshTokenMessage } from '../schema/system-messages.js';
import type { Clock, TimerHandle } from '../transport/clock.js';
import type { Connection } from './connection.js';
import type { Logger } from './logger.js';
import type { ServerConnection } from './server-connection.js';

/**
 * Verifies a token a connected client sends in-band (`tickwire.refreshToken`). Return the new
 * identity, or `undefined`/`null` (or throw) to refuse it. `jwtVerifier(...).verifyToken` is one.
 */
export type VerifyToken = (token: string, connection: Connection) => unknown | Promise<unknown>;

/**
 * The fields of an identity tickwire reads, when present: `expiresAt` (ms since the Unix epoch)
 * makes the connection expire then; `subject` must stay the same across a refresh or a resume.
 * `jwtVerifier` returns identities with both (from `exp` and `sub`).
 */
export interface ExpiringIdentity {
  readonly expiresAt?: number;
  readonly subject?: string;
}

/** The expiry of an identity (ms since the Unix epoch), or undefined when it has none. */
export function identityExpiry(identity: unknown): number | undefined {
  const at = (identity as ExpiringIdentity | null | undefined)?.expiresAt;
  return typeof at === 'number' && Number.isFinite(at) ? at : undefined;
}

/** The subject of an identity, or undefined when it has none. */
export function identitySubject(identity: unknown): string | undefined {
  const subject = (identity as ExpiringIdentity | null | undefined)?.subject;
  return typeof subject === 'string' ? subject : undefined;
}

/** May `next` take over a session held for `previous` (a refresh or a resume)? Not when both name different subjects. */
export function sameSubject(previous: unknown, next: unknown): boolean {
  const before = identitySubject(previous);
  const after = identitySubject(next);
  return before === undefined || after === undefined || before === after;
}

/** Node's timers overflow past 2^31 − 1 ms (about 24.8 days) and would fire at once. */
const MAX_TIMER_MS = 0x7fffffff;

interface Tracked {
  warn: TimerHandle | undefined;
  expire: TimerHandle | undefined;
  /** A refresh is being verified: later ones are refused until it settles (bounded work per client). */
  refreshing: boolean;
}

/**
 * Token expiry for live connections (seed 003's token refresh flow): warn the client with
 * `tickwire.authStatus` `token_expiring` `warningMs` ahead, accept a `tickwire.refreshToken`
 * in-band, and close with 4001 at expiry when no refresh came. Only connections whose identity
 * has an `expiresAt` are tracked, so servers without tokens pay nothing.
 */
export class TokenExpiry {
  private readonly tracked = new Map<number, Tracked>();

  constructor(
    private readonly clock: Clock,
    private readonly warningMs: number,
    private readonly verify: VerifyToken | undefined,
    private readonly logger: Logger,
  ) {}

  /** Connections with an expiry being watched. */
  get size(): number {
    return this.tracked.size;
  }

  /** Start (or restart) watching a connection's current identity. */
  track(connection: ServerConnection): void {
    const entry = this.tracked.get(connection.id);
    this.clearTimers(entry);
    const expiresAt = identityExpiry(connection.identity);
    if (expiresAt === undefined) {
      if (entry && !entry.refreshing) this.tracked.delete(connection.id);
      return;
    }
    const tracked: Tracked = entry ?? { warn: undefined, expire: undefined, refreshing: false };
    this.tracked.set(connection.id, tracked);
    const untilExpiry = expiresAt - this.clock.wallTime();
    if (untilExpiry <= 0) {
      this.expire(connection);
      return;
    }
    const untilWarning = untilExpiry - this.warningMs;
    if (untilWarning <= 0) this.warn(connection, expiresAt);
    else tracked.warn = this.at(untilWarning, () => this.warn(connection, expiresAt), () => this.track(connection));
    tracked.expire = this.at(untilExpiry, () => this.expire(connection), () => this.track(connection));
  }

  /** Stop watching a connection (it closed or was suspended). */
  forget(connection: Connection): void {
    this.clearTimers(this.tracked.get(connection.id));
    this.tracked.delete(connection.id);
  }

  /** Handle a `tickwire.refreshToken` from a connection. Never throws. */
  refresh(connection: ServerConnection, token: string): void {
    const verify = this.verify;
    if (!verify) {
      connection.enqueue(ErrorMessage, { code: 400, message: 'this server does not accept token refreshes', about: RefreshTokenMessage.name });
      return;
    }
    const entry = this.tracked.get(connection.id) ?? { warn: undefined, expire: undefined, refreshing: false };
    if (entry.refreshing) {
      connection.enqueue(ErrorMessage, { code: 429, message: 'a token refresh is already being verified', about: RefreshTokenMessage.name });
      return;
    }
    entry.refreshing = true;
    this.tracked.set(connection.id, entry);
    const settle = (identity: unknown): void => {
      entry.refreshing = false;
      if (connection.state !== 'active') {
        if (this.tracked.get(connection.id) === entry && entry.expire === undefined) this.tracked.delete(connection.id);
        return;
      }
      if (identity === undefined || identity === null) {
        this.refused(connection, 401, 'token refresh refused');
        return;
      }
      if (!sameSubject(connection.identity, identity)) {
        this.refused(connection, 403, 'the refreshed token is for another subject');
        return;
      }
      connection.identity = identity;
      this.track(connection);
      const expiresAt = identityExpiry(identity);
      connection.enqueue(AuthStatusMessage, { status: 'token_refreshed', expiresAt: expiresAt ?? 0, refreshRequired: false });
      this.logger.info('token refreshed', { connection: connection.id, expiresAt });
    };
    let result: unknown;
    try {
      result = verify(token, connection);
    } catch (error) {
      this.logger.debug('token refresh verification threw', { connection: connection.id, error: String(error) });
      settle(undefined);
      return;
    }
    if (result instanceof Promise) {
      result.then(settle, (error: unknown) => {
        this.logger.debug('token refresh verification threw', { connection: connection.id, error: String(error) });
        settle(undefined);
      });
    } else settle(result);
  }

  private refused(connection: ServerConnection, code: number, message: string): void {
    this.logger.info(message, { connection: connection.id });
    connection.enqueue(ErrorMessage, { code, message, about: RefreshTokenMessage.name });
    if (!this.tracked.get(connection.id)?.expire) this.tracked.delete(connection.id);
  }

  private warn(connection: ServerConnection, expiresAt: number): void {
    const tracked = this.tracked.get(connection.id);
    if (tracked) tracked.warn = undefined;
    if (connection.state !== 'active') return;
    connection.enqueue(AuthStatusMessage, { status: 'token_expiring', expiresAt, refreshRequired: true });
  }

  private expire(connection: ServerConnection): void {
    this.forget(connection);
    if (connection.state === 'closed') return;
    this.logger.info('token expired', { connection: connection.id });
    connection.close(CloseCode.AuthFailed, 'token expired');
  }

  /** Run `due` after `ms`, or `recheck` at the timer limit when `ms` is beyond it. */
  private at(ms: number, due: () => void, recheck: () => void): TimerHandle {
    return ms > MAX_TIMER_MS ? this.clock.setTimeout(recheck, MAX_TIMER_MS) : this.clock.setTimeout(due, ms);
  }

  private clearTimers(entry: Tracked | undefined): void {
    if (!entry) return;
    if (entry.warn) this.clock.clearTimeout(entry.warn);
    if (entry.expire) this.clock.clearTimeout(entry.expire);
    entry.warn = entry.expire = undefined;
  }
}
