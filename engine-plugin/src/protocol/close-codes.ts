/**
 * Every close code tickwire sends or expects, with its meaning. The 1xxx codes are RFC 6455's;
 * the 4xxx codes are tickwire's own (the range RFC 6455 leaves to applications).
 */
export const CloseCode = {
  /** Normal closure: the peer asked to leave. */
  Normal: 1000,
  /** The endpoint is going away (browser tab closed, client stopped). */
  GoingAway: 1001,
  /**
   * Never sent: what a socket reports locally when it ended without a close frame (network drop,
   * refused connection — browsers hide the HTTP status of a refused upgrade behind it).
   */
  AbnormalClosure: 1006,
  /** A malformed frame: bad kind byte, truncated field, varint overflow. */
  ProtocolError: 1002,
  /** A data type the endpoint does not accept: tickwire speaks binary frames only. */
  UnsupportedData: 1003,
  /** The frame was well formed but its payload was not (MessagePack that does not decode). */
  InvalidPayload: 1007,
  /** The peer broke policy: repeated schema-invalid messages, a message it may not send. */
  PolicyViolation: 1008,
  /** A frame or message over the configured size limit. */
  MessageTooBig: 1009,
  /** The server hit an unexpected condition handling this connection. */
  InternalError: 1011,
  /** Authentication failed or the token expired. Not retried by the client. */
  AuthFailed: 4001,
  /** The server or room is full. */
  Full: 4002,
  /** The server kicked this connection. Not retried by the client. */
  Kicked: 4003,
  /** The server is shutting down. */
  ServerShutdown: 4004,
  /** The connection exceeded its rate limit or inbound queue. */
  RateLimited: 4005,
  /** Protocol version or fingerprint mismatch. Not retried by the client. */
  ProtocolMismatch: 4006,
  /** The handshake did not complete in time. */
  HandshakeTimeout: 4007,
  /** The connection did not keep up: its outbound channel overflowed or stayed backed up too long. */
  SlowConsumer: 4008,
  /** No traffic arrived within the idle timeout (heartbeat lost). */
  IdleTimeout: 4009,
  /**
   * The session this resume names lives on another node of the cluster, which still holds it:
   * the reason is that node's address (its public WebSocket URL). The client dials it at once and
   * resumes there with the same token.
   */
  Redirect: 4010,
  /**
   * Find a new room through matchmaking: this node is draining (its drain timeout passed, or it
   * takes no new session), or the session a resume named died with its node. The client drops its
   * session and asks its matchmaker for a new seat.
   */
  Rematchmake: 4011,
} as const;

/** One of the close codes in {@link CloseCode}. */
export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/** Codes after which a client must not reconnect on its own: retrying cannot succeed. */
export const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.AuthFailed,
  CloseCode.Kicked,
  CloseCode.ProtocolMismatch,
]);

/** A short human name for a close code, for logs and metrics labels. */
export function closeCodeName(code: number): string {
  for (const [name, value] of Object.entries(CloseCode)) if (value === code) return name;
  return `Code${code}`;
}
