import { CHAT_TOPIC } from '@tickwire/demo-shared';
import { type Connection, type MessagingBus, type ServerMessagingOptions, defaultIdentityKey } from 'tickwire';

/**
 * A guest is their token's subject: the same key on every node of a cluster (the nodes share the
 * token secret), so a direct message or a presence watch finds them wherever they play.
 * Anonymous players (bots, load tests) keep tickwire's `#<connection id>`, which on a cluster is
 * prefixed with the node's name: connection ids count from 1 on every node, and two anonymous
 * players on two nodes must not be one identity.
 */
export function guestIdentityKey(node?: string): (identity: unknown, connection: Connection) => string {
  return (identity, connection) => {
    if (typeof identity === 'object' && identity !== null && 'subject' in identity && typeof identity.subject === 'string') return identity.subject;
    const key = defaultIdentityKey(identity, connection);
    return node === undefined ? key : `${node}${key}`;
  };
}

/**
 * The lobby's messaging: players read the chat topic (published by the server under the sender's
 * name, after its flood check — never by a client directly), whisper to anyone, and watch
 * everyone's presence. On a `cluster`, its bus carries all three to the other nodes of a cluster.
 */
export function lobbyMessaging(cluster: { readonly bus: MessagingBus; readonly node: string } | undefined): ServerMessagingOptions {
  return {
    identityKey: guestIdentityKey(cluster?.node),
    authorize: (_connection, action, target) => {
      if (action === 'subscribe') return target === CHAT_TOPIC;
      return action !== 'publish';
    },
    ...(cluster ? { bus: cluster.bus } : {}),
  };
}
