import { AdmissionRefused } from '../connection/admission-refused.js';
import type { Authenticate } from '../connection/server-endpoint.js';
import type { ConnectionRequest } from '../transport/transport.js';

/** Options of {@link allowOrigins}. */
export interface AllowOriginsOptions {
  /** Authentication to run once the origin is allowed; its identity becomes the connection's. */
  readonly next?: Authenticate;
  /**
   * Admit requests without an `Origin` header (default false). Browsers always send one on a
   * WebSocket upgrade, so only non-browser clients (bots, servers) lack it — and they can forge any
   * header anyway: the origin check protects players' browsers from other sites, not the server from bots.
   */
  readonly allowMissing?: boolean;
}

/** `scheme://host[:port]`, lower-cased, default ports dropped, no trailing slash; undefined when not an origin. */
export function normalizeOrigin(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.origin === 'null' ? undefined : url.origin.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * An origin allow-list in front of another authenticate hook: a browser page from any other site
 * cannot open a connection with the player's cookies (cross-site WebSocket hijacking). A foreign
 * origin is refused before the upgrade with HTTP 403.
 *
 * ```ts
 * authenticate: allowOrigins(['https://game.example'], { next: jwtVerifier({ secret }) })
 * ```
 */
export function allowOrigins(origins: readonly string[], options: AllowOriginsOptions = {}): Authenticate {
  const allowed = new Set<string>();
  for (const origin of origins) {
    const normalized = normalizeOrigin(origin);
    if (!normalized) throw new TypeError(`not an origin: ${origin}`);
    allowed.add(normalized);
  }
  return (request: ConnectionRequest) => {
    const origin = request.headers.origin;
    if (origin === undefined) {
      if (!options.allowMissing) throw new AdmissionRefused(403, 'origin required');
    } else {
      const normalized = normalizeOrigin(origin);
      if (!normalized || !allowed.has(normalized)) throw new AdmissionRefused(403, 'origin not allowed');
    }
    return options.next ? options.next(request) : { origin: origin ?? '' };
  };
}
