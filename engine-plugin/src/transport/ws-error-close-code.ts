import { CloseCode } from '../protocol/close-codes.js';

/**
 * The close code `ws` sent when it failed a connection for `error`, or undefined when `error` is
 * not one of its protocol errors. `ws` closes the socket itself on these, then stops reading, so it
 * never sees the peer's close frame and its own close event says 1006; mapping the error back
 * lets the layer above see why (1009 for an oversize message, say). Keyed on `ws`'s documented
 * `WS_ERR_*` error codes. Pure, so the browser-safe client can use it too.
 */
export function wsErrorCloseCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const { code } = error;
  if (typeof code !== 'string' || !code.startsWith('WS_ERR_')) return undefined;
  switch (code) {
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
    case 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH':
      return CloseCode.MessageTooBig;
    case 'WS_ERR_INVALID_UTF8':
      return CloseCode.InvalidPayload;
    case 'WS_ERR_TOO_MANY_BUFFERED_PARTS':
      return CloseCode.PolicyViolation;
    default:
      return CloseCode.ProtocolError;
  }
}
