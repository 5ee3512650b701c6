/** Where a connection is in its life. */
export type ConnectionState = 'handshaking' | 'active' | 'suspended' | 'closed';

/** Traffic counters for one connection. */
export interface ConnectionStats {
  bytesIn: number;
  bytesOut: number;
  framesIn: number;
  framesOut: number;
  messagesIn: number;
  messagesOut: number;
  /** Messages dropped under drop-oldest (droppable types). */
  dropped: number;
  /** Ticks whose frame waited because the socket was backed up (state coalesced). */
  backpressuredTicks: number;
  /** Inbound messages (and message-less frames) dropped by the rate limit. */
  limited: number;
}

/** A connected peer as game code sees it on the server. */
export interface Connection {
  /** Stable for the whole session, across resumes. */
  readonly id: number;
  /** What `authenticate` returned for this peer (undefined without an authenticate hook). */
  readonly identity: unknown;
  readonly state: ConnectionState;
  /** Smoothed round-trip time, ms. */
  readonly rtt: number;
  /** Round-trip jitter (mean deviation), ms. */
  readonly jitter: number;
  readonly remoteAddress: string;
  readonly stats: Readonly<ConnectionStats>;
}

/** Fresh zeroed counters. */
export function emptyStats(): ConnectionStats {
  return { bytesIn: 0, bytesOut: 0, framesIn: 0, framesOut: 0, messagesIn: 0, messagesOut: 0, dropped: 0, backpressuredTicks: 0, limited: 0 };
}
