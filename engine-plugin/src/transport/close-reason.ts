import { CloseCode } from '../protocol/close-codes.js';

/** RFC 6455 leaves 123 bytes for the reason in a close frame (125-byte control payload minus the code). */
export const MAX_CLOSE_REASON_BYTES = 123;

const encoder = new TextEncoder();

/**
 * `reason` cut to at most {@link MAX_CLOSE_REASON_BYTES} UTF-8 bytes, on a character boundary.
 * Both the browser and `ws` throw on a longer reason, and a close path must never throw: an error
 * message from deep in a decoder is exactly the kind of reason that runs long.
 */
export function truncateCloseReason(reason: string): string {
  if (reason.length * 3 <= MAX_CLOSE_REASON_BYTES) return reason;
  if (encoder.encode(reason).byteLength <= MAX_CLOSE_REASON_BYTES) return reason;
  let bytes = 0;
  let end = 0;
  for (const char of reason) {
    const size = encoder.encode(char).byteLength;
    if (bytes + size > MAX_CLOSE_REASON_BYTES) break;
    bytes += size;
    end += char.length;
  }
  return reason.slice(0, end);
}

/** The code and reason a socket was asked to close with, when the socket itself could not send them. */
export interface RequestedClose {
  readonly code: number;
  readonly reason: string;
}

/**
 * Close a WebSocket with `code` and `reason` (cut to fit). Browsers refuse codes other than 1000
 * and 3000–4999 (1008, 1011…): then it closes with 1000 instead and returns what was asked, so the
 * caller can still report the intended code locally. Returns undefined when the code went out.
 */
export function closeWebSocket(ws: { close(code: number, reason: string): void }, code: number, reason: string): RequestedClose | undefined {
  const truncated = truncateCloseReason(reason);
  try {
    ws.close(code, truncated);
    return undefined;
  } catch {
    ws.close(CloseCode.Normal, truncated);
    return { code, reason: truncated };
  }
}
