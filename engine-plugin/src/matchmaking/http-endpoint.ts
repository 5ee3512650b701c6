import type { IncomingMessage, ServerResponse } from 'node:http';
import { type CorsOptions, crossOrigin } from '../auth/cross-origin.js';
import { RateLimitsByKey } from '../connection/rate-limits-by-key.js';
import { systemClock } from '../transport/clock.js';
import type { Matchmaker, SeatReservation, SeatingHints } from './matchmaker.js';
import { MatchmakingError } from './matchmaking-error.js';

/** What a matchmaking request asks for (what `authorize` is told). */
export type MatchmakingAction = 'joinOrCreate' | 'create' | 'join' | 'list';

/** Options of {@link matchmakingEndpoint}. */
export interface MatchmakingEndpointOptions {
  /** Path prefix. Default `/matchmake`. */
  readonly path?: string;
  /**
   * Who may ask: return false (or throw) to answer 403. Called with the action and its target (a
   * room type, or a room id for `join`). Default everyone. Put your login check here.
   */
  readonly authorize?: (request: IncomingMessage, action: MatchmakingAction, target: string) => boolean | Promise<boolean>;
  /** Requests per second per client address (token bucket refill); over it: 429 + Retry-After. Default 5. */
  readonly requestsPerSecond?: number;
  /** Requests one address may make at once after a quiet spell. Default 20. */
  readonly burst?: number;
  /** Addresses whose request rate is remembered; past it the oldest is forgotten (bounded memory). Default 10,000. */
  readonly maxTrackedAddresses?: number;
  /** Matchmaking calls in progress at once, all addresses together; more get 503. Default 2,048. */
  readonly maxInFlight?: number;
  /** Largest request body (JSON room options), bytes; larger: 413. Default 4,096. */
  readonly maxBodyBytes?: number;
  /**
   * Pages of other origins allowed to call (a page from `:8080` matchmaking on a node at `:8081`):
   * preflights answered, answers readable by them (`Retry-After` too). Default none: no CORS
   * header, only same-origin pages can read the answers.
   */
  readonly cors?: CorsOptions;
}

/** Answers the matchmaking HTTP API on a Node HTTP server (see {@link matchmakingEndpoint}). */
export interface MatchmakingEndpoint {
  /** Handle a request under the endpoint's path; false for any other path (pass it on). */
  handle(request: IncomingMessage, response: ServerResponse): boolean;
}

/**
 * The matchmaker over HTTP, for browser clients that must find their room before they connect:
 *
 * - `POST /matchmake/joinOrCreate/<type>` (body: JSON room options, may be empty) → 200 `{ address, seat, room, expiresAt }`;
 *   `?unreachable=<address>` (what `matchmakeOverHttp` sends after a dial went unanswered) seats
 *   the caller away from the node at that address ({@link SeatingHints.avoid}: it steers the
 *   caller's own seat only; an address no room is listed at, or one longer than an address can be, is ignored)
 * - `POST /matchmake/create/<type>` → the same, in a new room
 * - `POST /matchmake/join/<roomId>` → the same, in that room
 * - `GET /matchmake/rooms/<type>?limit=<n>` → 200 `{ rooms: [...] }` (open rooms, at most 100 by default)
 *
 * Errors are JSON `{ error, failure }`: 400 invalid options, 403 not authorised, 404 unknown type or
 * room, 405 wrong method, 409 locked or full, 413 body too large, 429 too many requests (with
 * Retry-After), 503 unavailable. A relative `address` (a path) is made absolute against the
 * request's `Host`, so a client connects back to the host it asked. With `cors`, pages of the
 * listed origins may call it from another origin (preflight `OPTIONS` answered 204; others 403).
 */
export function matchmakingEndpoint(matchmaker: Matchmaker, options: MatchmakingEndpointOptions = {}): MatchmakingEndpoint {
  const base = (options.path ?? '/matchmake').replace(/\/+$/, '');
  const perSecond = options.requestsPerSecond ?? 5;
  const burst = options.burst ?? 20;
  const maxTracked = options.maxTrackedAddresses ?? 10_000;
  const maxInFlight = options.maxInFlight ?? 2048;
  const maxBodyBytes = options.maxBodyBytes ?? 4096;
  const limits = new RateLimitsByKey(perSecond, burst, maxTracked, systemClock);
  const cors = options.cors ? crossOrigin(options.cors) : undefined;
  let inFlight = 0;

  const serve = async (request: IncomingMessage, action: MatchmakingAction, target: string, query: URLSearchParams): Promise<Answer> => {
    if (options.authorize) {
      let allowed = false;
      try {
        allowed = (await options.authorize(request, action, target)) === true;
      } catch {
        allowed = false;
      }
      if (!allowed) return { status: 403, body: { error: 'not allowed', failure: 'forbidden' } };
    }
    if (action === 'list') {
      const limit = Number(query.get('limit') ?? 100);
      const rooms = await matchmaker.listRooms(target, { limit: Number.isInteger(limit) && limit > 0 ? limit : 100 });
      return { status: 200, body: { rooms } };
    }
    const body = await readBody(request, maxBodyBytes);
    if (body === 'too-large') return { status: 413, body: { error: `body over ${maxBodyBytes} bytes`, failure: 'too-large' } };
    let roomOptions: unknown;
    try {
      roomOptions = body.length === 0 ? undefined : JSON.parse(body);
    } catch {
      return { status: 400, body: { error: 'body is not JSON', failure: 'invalid-options' } };
    }
    const seat =
      action === 'join'
        ? await matchmaker.join(target)
        : action === 'create'
          ? await matchmaker.create(target, roomOptions as never)
          : await matchmaker.joinOrCreate(target, roomOptions as never, hintsOf(query));
    return { status: 200, body: absolute(seat, request) };
  };

  return {
    handle(request, response) {
      const [path = '', search = ''] = (request.url ?? '/').split('?', 2);
      if (path !== base && !path.startsWith(`${base}/`)) return false;
      // Every answer (errors too) readable by an allowed page, so it can tell a 429 from a network error.
      if (cors) for (const [name, value] of Object.entries(cors.headers(request))) response.setHeader(name, value);
      const route = ROUTES.exec(path.slice(base.length));
      const target = route ? decodedTarget(route[2]!) : undefined;
      if (!route || target === undefined) {
        send(response, { status: 404, body: { error: 'no such matchmaking route', failure: 'not-found' } });
        return true;
      }
      const action = route[1] === 'rooms' ? 'list' : (route[1] as MatchmakingAction);
      const method = action === 'list' ? 'GET' : 'POST';
      if (cors?.preflight(request, response, [method])) return true;
      if (request.method !== method) {
        response.writeHead(405, { Allow: method }).end();
        return true;
      }
      const wait = limits.retryAfter(request.socket.remoteAddress ?? '');
      if (wait > 0) {
        send(response, { status: 429, body: { error: 'too many matchmaking requests: wait', failure: 'rate-limited' }, headers: { 'Retry-After': String(wait) } });
        return true;
      }
      if (inFlight >= maxInFlight) {
        send(response, { status: 503, body: { error: 'matchmaking is busy', failure: 'unavailable' }, headers: { 'Retry-After': '1' } });
        return true;
      }
      inFlight++;
      serve(request, action, target, new URLSearchParams(search))
        .catch((error: unknown): Answer => {
          if (error instanceof MatchmakingError) return { status: error.status, body: { error: error.message, failure: error.failure } };
          return { status: 500, body: { error: 'matchmaking failed', failure: 'internal' } };
        })
        .then((answer) => {
          inFlight--;
          send(response, answer);
        });
      return true;
    },
  };
}

const ROUTES = /^\/(joinOrCreate|create|join|rooms)\/([^/]{1,128})$/;

/** `?unreachable=` as the matchmaker's hint (it bounds and checks it). */
function hintsOf(query: URLSearchParams): SeatingHints {
  const unreachable = query.get(UNREACHABLE_PARAMETER);
  return unreachable === null ? {} : { avoid: unreachable };
}

/** The query parameter a client names the node address it could not reach with (`matchmakeOverHttp` sends it). */
const UNREACHABLE_PARAMETER = 'unreachable';

/** A route's target, percent-decoded; undefined when its escapes are malformed (`%E0%A4`). */
function decodedTarget(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

function send(response: ServerResponse, answer: Answer): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(answer.status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...answer.headers });
  response.end(JSON.stringify(answer.body));
}

/** The body as text, or 'too-large' once it passes `max` bytes (the rest is not read). */
function readBody(request: IncomingMessage, max: number): Promise<string | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        resolve('too-large');
        request.removeAllListeners('data');
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** A path address made a WebSocket URL on the host the client asked. */
function absolute(seat: SeatReservation, request: IncomingMessage): SeatReservation {
  if (!seat.address.startsWith('/')) return seat;
  const secure = (request.socket as { encrypted?: boolean }).encrypted === true;
  const host = request.headers.host ?? 'localhost';
  return { ...seat, address: `${secure ? 'wss' : 'ws'}://${host}${seat.address}` };
}
