import { type JWSAlgorithm, type JWTPayload, type JWTVerifyGetKey, type KeyInput, SignJWT, createRemoteJWKSet, jwtVerify } from 'jose';
import type { Connection } from '../connection/connection.js';
import type { Authenticate } from '../connection/server-endpoint.js';
import { requestToken } from '../connection/token.js';
import type { ConnectionRequest } from '../transport/transport.js';

/** Who a verified token says the peer is: what `connection.identity` holds with {@link jwtVerifier}. */
export interface TokenIdentity {
  /** The `sub` claim; it must stay the same across a refresh or a resume. */
  readonly subject: string;
  /** From `exp`, in ms since the Unix epoch: the connection gets `token_expiring`, then 4001. */
  readonly expiresAt?: number;
  /** Every verified claim, for game code (names, roles…). */
  readonly claims: JWTPayload;
}

/** Options of {@link jwtVerifier}. Exactly one of `secret`, `key` or `jwksUrl`. */
export interface JwtVerifierOptions {
  /** A shared HMAC secret (HS256/384/512). At least 32 bytes. */
  readonly secret?: string | Uint8Array;
  /** A public key (RSA, EC, Ed25519) as a KeyObject, CryptoKey or JWK. */
  readonly key?: KeyInput;
  /** A JWKS endpoint; keys are fetched, cached and rotated by `jose`. */
  readonly jwksUrl?: string | URL;
  /** Required `iss`. */
  readonly issuer?: string | readonly string[];
  /** Required `aud`. */
  readonly audience?: string | readonly string[];
  /** Accepted `alg`s. Default: HS256/384/512 with `secret`, otherwise whatever fits the key (never `none`). */
  readonly algorithms?: readonly JWSAlgorithm[];
  /** Refuse tokens without `exp` (default true): a token that never expires cannot be revoked by expiry. */
  readonly requireExpiry?: boolean;
  /** Seconds of clock skew tolerated on `exp`/`nbf`. Default 5. */
  readonly clockToleranceSeconds?: number;
}

/** An {@link Authenticate} hook for signed tokens that can also verify refreshed tokens in-band. */
export interface JwtVerifier extends Authenticate {
  /** Verify one token; undefined when it is invalid. Pass as the server's `verifyToken` for refreshes. */
  verifyToken(token: string, connection?: Connection): Promise<TokenIdentity | undefined>;
}

const MIN_SECRET_BYTES = 32;

/**
 * Verify JSON Web Tokens (via `jose`) found on the upgrade request — `?token=`, `Authorization:
 * Bearer` or an `access_token.<token>` subprotocol — before the WebSocket upgrade. Invalid,
 * expired or missing tokens are refused with HTTP 401.
 *
 * ```ts
 * const jwt = jwtVerifier({ secret: process.env.TOKEN_SECRET!, issuer: 'my-game' });
 * createServer(world, protocol, { transport, authenticate: jwt, verifyToken: jwt.verifyToken });
 * ```
 */
export function jwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  const sources = [options.secret, options.key, options.jwksUrl].filter((s) => s !== undefined).length;
  if (sources !== 1) throw new TypeError('jwtVerifier needs exactly one of secret, key or jwksUrl');
  let key: KeyInput | JWTVerifyGetKey;
  let algorithms = options.algorithms ? [...options.algorithms] : undefined;
  if (options.secret !== undefined) {
    const bytes = typeof options.secret === 'string' ? new TextEncoder().encode(options.secret) : options.secret;
    if (bytes.length < MIN_SECRET_BYTES) throw new TypeError(`a JWT secret needs at least ${MIN_SECRET_BYTES} bytes`);
    key = bytes;
    algorithms ??= ['HS256', 'HS384', 'HS512'];
  } else if (options.key !== undefined) key = options.key;
  else key = createRemoteJWKSet(new URL(options.jwksUrl!));
  const requireExpiry = options.requireExpiry ?? true;
  const verifyOptions = {
    issuer: typeof options.issuer === 'string' ? options.issuer : options.issuer && [...options.issuer],
    audience: typeof options.audience === 'string' ? options.audience : options.audience && [...options.audience],
    algorithms,
    clockTolerance: options.clockToleranceSeconds ?? 5,
    requiredClaims: requireExpiry ? ['sub', 'exp'] : ['sub'],
  };

  const verifyToken = async (token: string): Promise<TokenIdentity | undefined> => {
    try {
      const { payload } = await jwtVerify(token, key as KeyInput, verifyOptions);
      if (typeof payload.sub !== 'string' || payload.sub === '') return undefined;
      return payload.exp === undefined
        ? { subject: payload.sub, claims: payload }
        : { subject: payload.sub, expiresAt: payload.exp * 1000, claims: payload };
    } catch {
      return undefined;
    }
  };
  const authenticate = async (request: ConnectionRequest): Promise<TokenIdentity | undefined> => {
    const found = requestToken(request);
    return found ? verifyToken(found.token) : undefined;
  };
  return Object.assign(authenticate, { verifyToken });
}

/** Options of {@link jwtSigner}. */
export interface JwtSignerOptions {
  /** The shared HMAC secret the verifier uses; at least 32 bytes. */
  readonly secret: string | Uint8Array;
  readonly issuer?: string;
  readonly audience?: string;
  /** Lifetime of issued tokens, seconds. Default 3600. */
  readonly ttlSeconds?: number;
}

/** Issues HS256 tokens {@link jwtVerifier} accepts: for guest logins, tests and bots. */
export interface JwtSigner {
  /** A token for `subject`, with extra claims, valid for `ttlSeconds` (the option, unless given here). */
  sign(subject: string, claims?: Record<string, unknown>, ttlSeconds?: number): Promise<string>;
}

/** A signer for HS256 tokens (guest tokens in the demo, tokens in tests). */
export function jwtSigner(options: JwtSignerOptions): JwtSigner {
  const secret = typeof options.secret === 'string' ? new TextEncoder().encode(options.secret) : options.secret;
  if (secret.length < MIN_SECRET_BYTES) throw new TypeError(`a JWT secret needs at least ${MIN_SECRET_BYTES} bytes`);
  return {
    async sign(subject, claims = {}, ttlSeconds = options.ttlSeconds ?? 3600) {
      const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(subject).setIssuedAt();
      // Sub-second lifetimes exist for tests of expiry; `exp` is whole seconds, so use a timestamp.
      jwt.setExpirationTime(Math.floor(Date.now() / 1000 + ttlSeconds));
      if (options.issuer) jwt.setIssuer(options.issuer);
      if (options.audience) jwt.setAudience(options.audience);
      return jwt.sign(secret);
    },
  };
}
