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
