import type { RequestType } from '../schema/request.js';
import type { Clock, TimerHandle } from '../transport/clock.js';

/**
 * Why a request failed. Codes are seed 003's: the responder's own (`fail(code, message)`; 400,
 * 403, 404 from the built-in requests), or the requester's: 408 no reply in time, 429 too many
 * outstanding, 503 the connection closed or dropped before the reply came.
 */
export class RequestError extends Error {
  /** The failure code (see the class description). */
  readonly code: number;
  /** The request type's name. */
  readonly request: string;

  /** `reason` is the responder's or requester's text; the message names the request and the code once. */
  constructor(request: string, code: number, reason: string) {
    // A responder's text may already carry the code (`fail(403, '403 forbidden')`): say it once.
    super(new RegExp(`\\b${code}\\b`).test(reason) ? `${request} failed: ${reason}` : `${request} failed with ${code}: ${reason}`);
    this.name = 'RequestError';
    this.code = code;
    this.request = request;
  }
}

/** Failure codes the requester itself produces. */
export const RequestFailure = {
  /** No reply within the timeout. */
  Timeout: 408,
  /** `maxPendingRequests` requests were already outstanding. */
  TooManyPending: 429,
  /** The connection closed or dropped before the reply came. */
  Disconnected: 503,
  /** The peer replied with neither data nor error, or with another request type's reply. */
  BadReply: 502,
} as const;

/** A reply as it travels: the echoed id and data or a failure. */
export interface ReplyPayload {
  readonly rid: number;
  readonly data?: unknown;
  readonly error?: { readonly code: number; readonly message: string };
}

interface Pending {
  readonly type: RequestType;
  readonly resolve: (data: unknown) => void;
  readonly reject: (error: RequestError) => void;
  readonly timer: TimerHandle;
}

/**
 * The requests one side has outstanding on one connection, by request id. Bounded: the
 * `limit + 1`-th is refused at once, and every entry leaves by reply, timeout or `rejectAll`, so
 * a silent peer costs at most `limit` entries for at most the timeout.
 */
export class PendingRequests {
  private readonly pending = new Map<number, Pending>();
  private nextRid = 1;

  constructor(
    private readonly clock: Clock,
    private readonly limit: number,
  ) {}

  /** Requests waiting for their reply. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Register a request and return its id and the promise of its reply, or a RequestError (429)
   * when `limit` are already outstanding. The caller sends `{ rid, data }` itself.
   */
  open(type: RequestType, timeoutMs: number): { rid: number; reply: Promise<unknown> } | RequestError {
    if (this.pending.size >= this.limit)
      return new RequestError(type.name, RequestFailure.TooManyPending, `${this.limit} requests already outstanding`);
    let rid = this.nextRid;
    // Ids wrap after 2^32 − 1; skipping the ones still in use keeps them unique per connection.
    while (this.pending.has(rid)) rid = rid >= 0xffffffff ? 1 : rid + 1;
    this.nextRid = rid >= 0xffffffff ? 1 : rid + 1;
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        if (this.pending.get(rid)?.timer !== timer) return;
        this.pending.delete(rid);
        reject(new RequestError(type.name, RequestFailure.Timeout, `no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(rid, { type, resolve, reject, timer });
    });
    return { rid, reply };
  }

  /** Withdraw a request whose message could not be queued. */
  cancel(rid: number, error: RequestError): void {
    const entry = this.pending.get(rid);
    if (!entry) return;
    this.pending.delete(rid);
    this.clock.clearTimeout(entry.timer);
    entry.reject(error);
  }

  /**
   * Settle the request a reply answers. False when no request of that id is outstanding (it timed
   * out, or the peer made the id up): the reply is dropped.
   */
  settle(type: RequestType, reply: ReplyPayload): boolean {
    const entry = this.pending.get(reply.rid);
    if (!entry) return false;
    this.pending.delete(reply.rid);
    this.clock.clearTimeout(entry.timer);
    if (entry.type !== type) entry.reject(new RequestError(entry.type.name, RequestFailure.BadReply, `answered with a ${type.name} reply`));
    else if (reply.error) entry.reject(new RequestError(type.name, reply.error.code, reply.error.message));
    else if (reply.data === undefined || reply.data === null)
      entry.reject(new RequestError(type.name, RequestFailure.BadReply, 'reply carried neither data nor error'));
    else entry.resolve(reply.data);
    return true;
  }

  /** Reject everything outstanding (the connection is gone). */
  rejectAll(code: number, message: string): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) {
      this.clock.clearTimeout(entry.timer);
      entry.reject(new RequestError(entry.type.name, code, message));
    }
  }
}
