/**
 * A session token: 128 random bits in hex, unguessable, so only its holder can resume the session;
 * after `<home>.` when the server is one node of several, so another node can tell where it lives.
 */
export function createSessionToken(home?: string): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return home === undefined ? hex : `${home}.${hex}`;
}
