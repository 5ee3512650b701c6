import type { IncomingMessage, ServerResponse } from 'node:http';
import { normalizeOrigin } from './allow-origins.js';

/**
 * Which other origins' pages may call an HTTP endpoint (CORS). Without it an endpoint sends no
 * CORS header at all: only pages of its own origin can read its answers, which is right when the
 * game page and the server share a host (or a proxy puts them under one).
 */
export interface CorsOptions {
  /**
   * Page origins allowed to call (`https://game.example`, `http://localhost:8080`); `'*'` allows
   * every origin (a public API with no cookies). Answers name the caller's origin, never a list.
   */
  readonly origins: readonly string[];
  /** Let pages send cookies (`fetch(…, { credentials: 'include' })`). Default false; not with `'*'`. */
  readonly credentials?: boolean;
  /** How long a browser may reuse a preflight answer, seconds. Default 600. */
  readonly maxAgeSeconds?: number;
}

/** The CORS side of one endpoint (see {@link crossOrigin}). */
export interface CrossOrigin {
  /**
   * Answer a preflight (`OPTIONS` with `Access-Control-Request-Method`): 204 with what `methods`
   * allows for an allowed origin, 403 without CORS headers for another. False when `request` is
   * not a preflight (answer it as usual, with {@link headers}).
   */
  preflight(request: IncomingMessage, response: ServerResponse, methods: readonly string[]): boolean;
  /** The headers an answer to `request` carries: the allowed origin named back, or none (same origin, or not allowed). */
  headers(request: IncomingMessage): Readonly<Record<string, string>>;
}

/** Request headers a page may send cross-origin: the JSON body's type, and a bearer token. */
const ALLOWED_HEADERS = 'Authorization, Content-Type';
/** Response headers a page may read besides the safelisted ones: how long to wait after a 429/503. */
const EXPOSED_HEADERS = 'Retry-After';
const NONE: Readonly<Record<string, string>> = Object.freeze({});

/**
 * CORS for an endpoint a browser calls from another origin — a page on `:8080` matchmaking on a
 * node at `:8081`. The allow-list decides which pages may *read* the answers; it is not access
 * control (any non-browser client can call anyway): put logins in `authorize` or a token check.
 *
 * ```ts
 * matchmakingEndpoint(server.matchmaker, { cors: { origins: ['https://game.example'] } })
 * ```
 */
export function crossOrigin(options: CorsOptions): CrossOrigin {
  const any = options.origins.includes('*');
  if (any && options.credentials) throw new TypeError("cors: credentials cannot be allowed for every origin ('*')");
  const allowed = new Set<string>();
  for (const origin of options.origins) {
    if (origin === '*') continue;
    const normalized = normalizeOrigin(origin);
    if (!normalized) throw new TypeError(`cors: not an origin: ${origin}`);
    allowed.add(normalized);
  }
  const maxAge = String(options.maxAgeSeconds ?? 600);
  /** The request's origin when it may read answers; undefined otherwise. */
  const allowedOrigin = (request: IncomingMessage): string | undefined => {
    const origin = request.headers.origin;
    if (origin === undefined) return undefined;
    const normalized = normalizeOrigin(origin);
    return normalized !== undefined && (any || allowed.has(normalized)) ? origin : undefined;
  };
  const base = (origin: string): Record<string, string> => {
    // Vary: a cache must not hand one origin's answer to another.
    const headers: Record<string, string> = { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
    if (options.credentials) headers['Access-Control-Allow-Credentials'] = 'true';
    return headers;
  };
  return {
    preflight(request, response, methods) {
      if (request.method !== 'OPTIONS' || request.headers['access-control-request-method'] === undefined) return false;
      const origin = allowedOrigin(request);
      if (origin === undefined) {
        response.writeHead(403, { Vary: 'Origin' }).end();
        return true;
      }
      response
        .writeHead(204, {
          ...base(origin),
          'Access-Control-Allow-Methods': methods.join(', '),
          'Access-Control-Allow-Headers': ALLOWED_HEADERS,
          'Access-Control-Max-Age': maxAge,
        })
        .end();
      return true;
    },
    headers(request) {
      const origin = allowedOrigin(request);
      return origin === undefined ? NONE : { ...base(origin), 'Access-Control-Expose-Headers': EXPOSED_HEADERS };
    },
  };
}
