import type { ConnectionRequest } from '../transport/transport.js';

/**
 * Where sessions live when several servers (the nodes of a cluster) share one game: every session
 * token a node issues names the node (`<node>.<32 hex digits>`), so a resume that reaches another
 * node can be sent home (close 4010 with the home's address) instead of becoming a new session
 * with a room it never joined. `createServer` builds one over its messaging bus.
 */
export interface SessionHome {
  /** This server's name among the nodes: the home written into every token it issues. */
  readonly node: string;
  /**
   * A Hello presented a token issued by `node` (another one): the address clients reach that node
   * at, when it is alive and still holds the session the token names; undefined when it is gone
   * (dead, or the session expired there). Must settle within the handshake timeout.
   */
  locate(node: string, token: string): Promise<string | undefined>;
  /**
   * The session a resume named is gone with its node: start a new one here (true), or close 4011
   * so the client finds a room through matchmaking (false). Default false.
   */
  adopt?(request: ConnectionRequest): boolean;
}

/** The longest node name a token carries: the token fits the 512-byte Hello field with room to spare. */
export const MAX_NODE_NAME_BYTES = 256;

/** The node a session token names, or undefined for a token without one. */
export function tokenHome(token: string): string | undefined {
  const dot = token.lastIndexOf('.');
  return dot > 0 ? token.slice(0, dot) : undefined;
}
