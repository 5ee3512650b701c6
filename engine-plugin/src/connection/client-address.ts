import type { ConnectionRequest } from '../transport/transport.js';

/**
 * Whom to believe about a client's address. `false` (default): the socket's peer address, always —
 * an `X-Forwarded-For` header is the client's own claim. `true`: one reverse proxy in front, whose
 * last `X-Forwarded-For` entry is the client. A number `n`: that many proxies, so the n-th entry
 * from the right (entries further left were written by the client and are ignored).
 */
export type TrustProxy = boolean | number;

/** The address per-address limits count a request against (see {@link TrustProxy}). */
export function clientAddress(request: ConnectionRequest, trustProxy: TrustProxy = false): string {
  const hops = trustProxy === true ? 1 : trustProxy === false ? 0 : Math.max(0, Math.floor(trustProxy));
  const forwarded = request.headers['x-forwarded-for'];
  if (hops === 0 || forwarded === undefined) return request.remoteAddress;
  const entries = forwarded
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  // Fewer entries than proxies: the nearest proxy's own claim is the best there is.
  return entries[Math.max(0, entries.length - hops)] ?? request.remoteAddress;
}
