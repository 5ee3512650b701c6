/** Two hex digits per byte value. */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/**
 * A session token: 128 random bits in hex, unguessable, so only its holder can resume the session;
 * after `<home>.` when the server is one node of several, so another node can tell where it lives.
 *
 * Joined, not built with `+=`: a string grown by `+=` is a rope of one node per piece, and a
 * connection keeps its token for its whole life — 32 rope nodes were ~0.7 KB per connection of
 * an idle server's heap, against ~56 bytes for the flat string (docs/architecture.md, "What an
 * idle connection costs").
 */
export function createSessionToken(home?: string): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  const digits: string[] = [];
  if (home !== undefined) digits.push(home, '.');
  for (const b of bytes) digits.push(HEX[b]!);
  return digits.join('');
}
