import type { MatchedSeat, Matchmake } from '../connection/session-route.js';
import type { RoomOptions } from '../matchmaking/room-directory.js';

/** Options of {@link matchmakeOverHttp}. */
export interface MatchmakeOverHttpOptions {
  /** Path prefix of the server's matchmaking endpoint (its `matchmakingEndpoint` `path`). Default `/matchmake`. */
  readonly path?: string;
  /** Sent as the JSON body: the room type's `filterBy` values, and a new room's creation options. Default none. */
  readonly roomOptions?: RoomOptions;
  /**
   * Extra request headers (a login the endpoint's `authorize` checks), or a function asked before
   * every request, so a refreshed credential is the one sent.
   */
  readonly headers?: Readonly<Record<string, string>> | (() => Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>>);
  /** Give up on a request after this long, ms (a failed attempt). Default 5,000. */
  readonly timeoutMs?: number;
}

/**
 * Matchmaking refused the request (an HTTP answer other than 200): `status` and the server's
 * `failure` code — `matchmakingEndpoint` answers 400 `invalid-options`, 403 `forbidden`, 404
 * `unknown-type` / `missing`, 409 `locked` / `full`, 413 `too-large`, 429 `rate-limited`, 503
 * `unavailable` — or `''` when the answer carried none (a proxy's own error page).
 */
export class MatchmakingRequestError extends Error {
  constructor(
    /** The HTTP status. */
    readonly status: number,
    /** The server's failure code (`''`: none in the answer). */
    readonly failure: string,
    message: string,
    /** The answer's `Retry-After`, ms (429 and 503 carry one). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'MatchmakingRequestError';
  }
}

/** The 404 failure codes that are the endpoint's own: the path exists, the room type or room does not. */
const MATCHMAKING_NOT_FOUND = new Set(['unknown-type', 'missing']);

const DEFAULT_TIMEOUT_MS = 5000;

/** The query parameter that names the node address the client could not reach (`MatchmakeAttempt.unreachable`). */
const UNREACHABLE_PARAMETER = 'unreachable';

/**
 * A client's `matchmake` that asks a server's matchmaking endpoint for a seat:
 * `POST <http(s) of serverUrl><path>/joinOrCreate/<roomType>` with `roomOptions` as the JSON body.
 * `serverUrl` is the game server's WebSocket URL (`ws://host:port/ws`; its `http(s)` form works as
 * well): the request goes to that host with `http(s)`. The answer's `{ address, seat, room }` is
 * the seat the client dials (`createClient(world, protocol, { transport, matchmake })`). After a
 * dial that got no answer, the request also carries `?unreachable=<that address>`, so a
 * matchmaker that reads it can seat the client away from a node that may have just died.
 *
 * - A server with no matchmaking — a 404 on the path itself, with no matchmaking failure code in
 *   the answer — resolves to `undefined`: the client dials its transport's URL without a seat.
 * - A refusal (unknown room type, full, rate-limited, …) throws a {@link MatchmakingRequestError};
 *   a network error or a request past `timeoutMs` throws too. Each is a failed connection attempt,
 *   and the next one waits for the client's reconnect backoff.
 *
 * A server on another origin than the page must allow the request (CORS) for a browser to make it:
 * `matchmakingEndpoint(matchmaker, { cors: { origins: [pageOrigin] } })`.
 */
export function matchmakeOverHttp(serverUrl: string, roomType: string, options: MatchmakeOverHttpOptions = {}): Matchmake {
  const endpoint = joinOrCreateUrl(serverUrl, options.path ?? '/matchmake', roomType);
  const body = options.roomOptions === undefined ? undefined : JSON.stringify(options.roomOptions);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return async ({ unreachable }) => {
    const url = unreachable === undefined ? endpoint : `${endpoint}?${UNREACHABLE_PARAMETER}=${encodeURIComponent(unreachable)}`;
    const extra = typeof options.headers === 'function' ? await options.headers() : options.headers;
    const headers: Record<string, string> = { ...extra };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      const response = await fetch(url, { method: 'POST', headers, body: body ?? '', signal: abort.signal });
      const answer = await jsonOf(response);
      if (response.ok) return seatOf(answer, endpoint);
      const failure = typeof answer?.failure === 'string' ? answer.failure : '';
      if (response.status === 404 && !MATCHMAKING_NOT_FOUND.has(failure)) return undefined;
      const error = typeof answer?.error === 'string' ? answer.error : response.statusText;
      throw new MatchmakingRequestError(
        response.status,
        failure,
        `matchmaking refused ${roomType}: ${response.status}${failure ? ` ${failure}` : ''}${error ? ` (${error})` : ''}`,
        retryAfterMs(response.headers.get('Retry-After')),
      );
    } catch (error) {
      if (abort.signal.aborted) throw new Error(`matchmaking at ${endpoint} did not answer within ${timeoutMs} ms`);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
}

/** `ws(s)://host[:port]/…` → `http(s)://host[:port]<path>/joinOrCreate/<type>`. */
function joinOrCreateUrl(serverUrl: string, path: string, roomType: string): string {
  const url = new URL(serverUrl);
  if (url.protocol === 'ws:') url.protocol = 'http:';
  else if (url.protocol === 'wss:') url.protocol = 'https:';
  url.pathname = `${path.replace(/\/+$/, '')}/joinOrCreate/${encodeURIComponent(roomType)}`;
  url.search = '';
  url.hash = '';
  return url.toString();
}

type JsonAnswer = Readonly<Record<string, unknown>>;

/** The answer's JSON object; undefined when it is not one (an HTML error page, an empty body). */
async function jsonOf(response: Response): Promise<JsonAnswer | undefined> {
  try {
    const value: unknown = JSON.parse(await response.text());
    return typeof value === 'object' && value !== null ? (value as JsonAnswer) : undefined;
  } catch {
    return undefined;
  }
}

/** A 200's seat, checked: the client dials its `address` with its `seat`. */
function seatOf(answer: JsonAnswer | undefined, endpoint: string): MatchedSeat {
  if (typeof answer?.address !== 'string' || typeof answer.seat !== 'string')
    throw new Error(`matchmaking at ${endpoint} answered 200 without { address, seat }`);
  const room = answer.room as { readonly roomId?: unknown } | undefined;
  const seat = { address: answer.address, seat: answer.seat };
  return typeof room?.roomId === 'string' ? { ...seat, room: { ...room, roomId: room.roomId } } : seat;
}

/** `Retry-After` in seconds (the endpoint's form), ms; undefined without a usable one. */
function retryAfterMs(header: string | null): number | undefined {
  const seconds = header === null ? Number.NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}
