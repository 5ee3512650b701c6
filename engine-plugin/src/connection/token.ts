import type { ConnectionRequest } from '../transport/transport.js';

/** The subprotocol prefix that carries a token where a browser can set neither headers nor (safely) a query (seed 003). */
export const TOKEN_SUBPROTOCOL_PREFIX = 'access_token.';

/** Where a token came from on the upgrade request. */
export type TokenSource = 'query' | 'header' | 'subprotocol';

/** A bearer token found on an upgrade request. */
export interface RequestToken {
  readonly token: string;
  readonly source: TokenSource;
  /**
   * The offered subprotocol that carried it. The server must select exactly this one: a browser
   * fails the handshake when the server answers with a subprotocol it did not offer, and `ws`
   * clients fail it when the server answers with none.
   */
  readonly protocol?: string;
}

/** Tokens longer than this are refused unread: nothing legitimate is that big, and verifying costs CPU. */
export const MAX_TOKEN_LENGTH = 4096;

/**
 * Find the bearer token on an upgrade request, in the order seed 003 lists them: the `token`
 * query parameter, an `Authorization: Bearer` header, an `access_token.<token>` subprotocol.
 * Undefined when there is none, or it is empty or over {@link MAX_TOKEN_LENGTH}.
 */
export function requestToken(request: ConnectionRequest): RequestToken | undefined {
  const query = queryParameter(request.url, 'token');
  if (query !== undefined) return bounded({ token: query, source: 'query' });
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return bounded({ token: match[1]!, source: 'header' });
  }
  for (const protocol of request.protocols) {
    if (protocol.startsWith(TOKEN_SUBPROTOCOL_PREFIX))
      return bounded({ token: protocol.slice(TOKEN_SUBPROTOCOL_PREFIX.length), source: 'subprotocol', protocol });
  }
  return undefined;
}

/**
 * True when the request carries a token (in any of the places {@link requestToken} looks) longer
 * than {@link MAX_TOKEN_LENGTH}: such a request is refused (HTTP 431), never treated as anonymous.
 */
export function hasOversizedToken(request: ConnectionRequest): boolean {
  const query = queryParameter(request.url, 'token');
  if (query !== undefined && query.length > MAX_TOKEN_LENGTH) return true;
  const authorization = request.headers.authorization;
  if (authorization !== undefined && authorization.length > MAX_TOKEN_LENGTH + 16) return true;
  return request.protocols.some((protocol) => protocol.startsWith(TOKEN_SUBPROTOCOL_PREFIX) && protocol.length - TOKEN_SUBPROTOCOL_PREFIX.length > MAX_TOKEN_LENGTH);
}

function bounded(found: RequestToken): RequestToken | undefined {
  return found.token.length > 0 && found.token.length <= MAX_TOKEN_LENGTH ? found : undefined;
}

/** One query parameter of a request URL (path and query), decoded; undefined when absent or malformed. */
export function queryParameter(url: string, name: string): string | undefined {
  const start = url.indexOf('?');
  if (start === -1) return undefined;
  // URLSearchParams never throws on malformed escapes: it keeps them, which the verifier then refuses.
  return new URLSearchParams(url.slice(start + 1)).get(name) ?? undefined;
}
