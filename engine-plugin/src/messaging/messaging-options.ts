import type { Connection } from '../connection/connection.js';
import type { MessagingBus } from './bus.js';

/**
 * Options of the server's messaging, and how a connection's identity becomes the key direct
 * messages and presence know it by.
 */

/** What a connection asks to do that the server's `authorize` hook decides on. */
export type MessagingAction = 'subscribe' | 'publish' | 'direct' | 'presence';

/** Options of the server's messaging: request/response, topics, direct messages and presence. */
export interface ServerMessagingOptions {
  /**
   * Decide whether `connection` may subscribe to a topic pattern, publish to a topic, message an
   * identity, or watch an identity's presence (`'*'`: everyone's). Called during `receive`; a
   * refusal answers 403, a throw counts as a refusal. Default: everything is allowed.
   */
  readonly authorize?: (connection: Connection, action: MessagingAction, target: string) => boolean;
  /**
   * The key direct messages and presence know a connection's identity by, from what
   * `authenticate` returned. Default {@link defaultIdentityKey}. Fixed for the session; at most
   * 128 UTF-8 bytes (a longer key is replaced by the default's anonymous form, with a warning).
   * `node` is the bus's node name on a cluster (undefined in one process): pass it on to
   * {@link defaultIdentityKey} so anonymous keys stay unique across nodes.
   */
  readonly identityKey?: (identity: unknown, connection: Connection, node: string | undefined) => string;
  /**
   * Where direct messages, publications, interest, presence and node requests go beyond this
   * process. Default `localBus()`: one process, nothing leaves. `tickwire/cluster` gives one
   * over Redis.
   */
  readonly bus?: MessagingBus;
}

/**
 * The default identity key: a string identity as is; a number as its digits; an object's `id`
 * (string or number) likewise; anything else (no `authenticate`, say) is anonymous (see
 * {@link anonymousIdentityKey}): `#<connection id>` in one process, `#<connection id>@<node>` on a cluster.
 */
export function defaultIdentityKey(identity: unknown, connection: Connection, node?: string): string {
  if (typeof identity === 'string') return identity;
  if (typeof identity === 'number' || typeof identity === 'bigint') return String(identity);
  if (typeof identity === 'object' && identity !== null && 'id' in identity) {
    const id = identity.id;
    if (typeof id === 'string' || typeof id === 'number') return String(id);
  }
  return anonymousIdentityKey(connection, node);
}

/**
 * The key of a connection that has no identity of its own: `#<connection id>`, and on a cluster
 * `#<connection id>@<node>` — connection ids count from 1 on every node, so without the node two
 * anonymous sessions on two nodes would be one identity (a DM to one would reach both).
 */
export function anonymousIdentityKey(connection: Connection, node?: string): string {
  return node === undefined ? `#${connection.id}` : `#${connection.id}@${node}`;
}
