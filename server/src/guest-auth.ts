import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Authenticate, RateLimitsByKey, requestToken, systemClock } from 'tickwire';
import { type CorsOptions, type JwtVerifier, crossOrigin, jwtSigner, jwtVerifier } from 'tickwire/node';

/** Options of {@link createGuestAuth}. */
export interface GuestAuthOptions {
  /** HMAC secret, ≥ 32 bytes. Default: {@link tokenSecretFromEnvironment}. */
  readonly secret?: string;
  /** Lifetime of a guest token, seconds. Default one hour. */
  readonly ttlSeconds?: number;
  /** Refuse connections without a token (HTTP 401). Default false: bots and load tests connect anonymously. */
  readonly requireToken?: boolean;
  /** `POST /auth/guest` requests per second per client address (token bucket refill); over it: 429 + Retry-After. Default 1. */
  readonly issuesPerSecond?: number;
  /** Requests one address may make at once after a quiet spell. Default 10. */
  readonly issueBurst?: number;
  /** Longest a guest identity lives through renewals, seconds from its first token; then renewal is refused (401) and the player is a new guest. Default 24 h. */
  readonly maxLifetimeSeconds?: number;
  /** Addresses whose request rate is remembered; past it the oldest is forgotten (bounded memory). Default 10,000. */
  readonly maxTrackedAddresses?: number;
  /** Pages of other origins that may ask for tokens (another node of the cluster). Default none: same origin only. */
  readonly cors?: CorsOptions;
}

/** Guest logins for the demo: an HTTP endpoint that issues signed tokens, and the hooks that check them. */
export interface GuestAuth {
  /** For `createServer`: a valid token → `{ subject, expiresAt, claims }`; a bad one → 401; none → anonymous (unless required). */
  readonly authenticate: Authenticate;
  /** For `createServer`'s `verifyToken`: in-band refreshes. */
  readonly verifyToken: JwtVerifier['verifyToken'];
  /**
   * Answers `POST /auth/guest` with `{ token, subject, expiresAt }`: a new guest, or — with a valid
   * `Authorization: Bearer` token — a fresh token for the same guest (what a refresh needs).
   */
  handle(request: IncomingMessage, response: ServerResponse): boolean;
}

const ISSUER = 'tickwire-demo';

/**
 * The development secret: fixed, so guest tokens survive a restart of `npm start`, and public, so
 * anyone can forge tokens with it. A production server must set `TICKWIRE_TOKEN_SECRET` (or
 * `TICKWIRE_TOKEN_SECRET_FILE`).
 */
export const DEVELOPMENT_TOKEN_SECRET = 'tickwire-demo-development-secret-do-not-use-in-production';

/**
 * The token secret from the environment: `TICKWIRE_TOKEN_SECRET`, else the contents of the file
 * `TICKWIRE_TOKEN_SECRET_FILE` names (trimmed; for Docker/Kubernetes secrets), else
 * {@link DEVELOPMENT_TOKEN_SECRET} with `usingDevelopmentSecret` true.
 */
export function tokenSecretFromEnvironment(env: Readonly<Record<string, string | undefined>> = process.env): { secret: string; usingDevelopmentSecret: boolean } {
  if (env.TICKWIRE_TOKEN_SECRET) return { secret: env.TICKWIRE_TOKEN_SECRET, usingDevelopmentSecret: false };
  if (env.TICKWIRE_TOKEN_SECRET_FILE) return { secret: readFileSync(env.TICKWIRE_TOKEN_SECRET_FILE, 'utf8').trim(), usingDevelopmentSecret: false };
  return { secret: DEVELOPMENT_TOKEN_SECRET, usingDevelopmentSecret: true };
}

export function createGuestAuth(options: GuestAuthOptions = {}): GuestAuth {
  const secret = options.secret ?? tokenSecretFromEnvironment().secret;
  const ttlSeconds = options.ttlSeconds ?? 3600;
  const maxLifetimeMs = (options.maxLifetimeSeconds ?? 24 * 3600) * 1000;
  const perSecond = options.issuesPerSecond ?? 1;
  const burst = options.issueBurst ?? 10;
  const maxTracked = options.maxTrackedAddresses ?? 10_000;
  const limits = new RateLimitsByKey(perSecond, burst, maxTracked, systemClock);
  const cors = options.cors ? crossOrigin(options.cors) : undefined;
  const signer = jwtSigner({ secret, issuer: ISSUER, ttlSeconds });
  const jwt = jwtVerifier({ secret, issuer: ISSUER });
  const authenticate: Authenticate = (request) => {
    if (requestToken(request)) return jwt(request);
    // No subject: anonymous players are not one identity (per-identity limits must not lump them together).
    return options.requireToken ? undefined : { anonymous: true };
  };
  const issue = async (request: IncomingMessage): Promise<{ status: number; body: Record<string, unknown> }> => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    let subject = `guest-${randomBytes(6).toString('hex')}`;
    // When this guest's first token was issued: renewals carry it, so an identity cannot live forever.
    let since = Date.now();
    if (bearer !== undefined) {
      const current = await jwt.verifyToken(bearer);
      if (!current) return { status: 401, body: { error: 'invalid token' } };
      const first = current.claims.since;
      since = typeof first === 'number' ? first : 0;
      if (Date.now() - since > maxLifetimeMs) return { status: 401, body: { error: 'guest lifetime over: ask for a new guest' } };
      subject = current.subject;
    }
    const token = await signer.sign(subject, { since });
    return { status: 200, body: { token, subject, expiresAt: Date.now() + ttlSeconds * 1000 } };
  };
  return {
    authenticate,
    verifyToken: jwt.verifyToken,
    handle(request, response) {
      if ((request.url ?? '/').split('?')[0] !== '/auth/guest') return false;
      if (cors?.preflight(request, response, ['POST'])) return true;
      if (cors) for (const [name, value] of Object.entries(cors.headers(request))) response.setHeader(name, value);
      if (request.method !== 'POST') {
        response.writeHead(405, { Allow: 'POST' }).end();
        return true;
      }
      const retryAfter = limits.retryAfter(request.socket.remoteAddress ?? '');
      if (retryAfter > 0) {
        response.writeHead(429, { 'Retry-After': String(retryAfter), 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'too many guest tokens: wait' }));
        return true;
      }
      issue(request).then(({ status, body }) => {
        response.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        response.end(JSON.stringify(body));
      });
      return true;
    },
  };
}
