import type { ConnectionRequest } from '../transport/transport.js';

/** The query parameter a client puts its seat in when it connects to a room's owner: `?seat=<seat>`. */
export const SEAT_PARAMETER = 'seat';

/** Longest seat the owner reads; a longer one is unknown (401). */
export const MAX_SEAT_LENGTH = 64;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** An unguessable id of `length` characters from [A-Za-z0-9] (≈ 5.95 bits each), from the platform's CSPRNG. */
export function randomId(length: number): string {
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  let out = '';
  // 248 = 4 × 62: bytes at or above it would bias the alphabet, so they are drawn again.
  for (let i = 0; i < length; i++) {
    let byte = bytes[i]!;
    while (byte >= 248) byte = globalThis.crypto.getRandomValues(new Uint8Array(1))[0]!;
    out += ALPHABET[byte % 62];
  }
  return out;
}

/** A seat as a client holds it: the room it is for and the secret part, `<roomId>.<secret>`. */
export interface SeatCredential {
  readonly roomId: string;
  readonly secret: string;
}

/** The seat string a client is handed. */
export function formatSeat(roomId: string, secret: string): string {
  return `${roomId}.${secret}`;
}

/** Read a seat string; undefined when it is not one. */
export function parseSeat(seat: string): SeatCredential | undefined {
  if (seat.length > MAX_SEAT_LENGTH) return undefined;
  const dot = seat.indexOf('.');
  if (dot <= 0 || dot === seat.length - 1) return undefined;
  return { roomId: seat.slice(0, dot), secret: seat.slice(dot + 1) };
}

/** The seat a connection request carries (`?seat=`), or undefined when it carries none. */
export function requestSeat(request: ConnectionRequest): string | undefined {
  const query = request.url.indexOf('?');
  if (query < 0) return undefined;
  const value = new URLSearchParams(request.url.slice(query + 1)).get(SEAT_PARAMETER);
  return value === null || value === '' ? undefined : value;
}

/**
 * The URL a client connects to with a seat: `address` with `?seat=` (or `&seat=`) appended. A
 * browser client passes it to `webSocketClient`; the token, when there is one, is added after it.
 */
export function seatUrl(reservation: { readonly address: string; readonly seat: string }): string {
  const separator = reservation.address.includes('?') ? '&' : '?';
  return `${reservation.address}${separator}${SEAT_PARAMETER}=${encodeURIComponent(reservation.seat)}`;
}
