import { CHAT_TOPIC } from '@tickwire/demo-shared';
import { type Connection, type MessagingBus, type ServerMessagingOptions, defaultIdentityKey } from 'tickwire';

/**
 * A guest is their token's subject: the same key on every node of a cluster (the nodes share the
 * token secret), so a direct message or a presence watch finds them wherever they play.
 * Anonymous players (bots, load tests) keep tickwire's default, which on a cluster names the node
 * (`#<connection id>@<node>`): two anonymous players on two nodes are never one identity.
 */
export function guestIdentityKey(identity: unknown, connection: Connection, node: string | undefined): string {
  if (typeof identity === 'object' && identity !== null && 'subject' in identity && typeof identity.subject === 'string') return identity.subject;
  return defaultIdentityKey(identity, connection, node);
}

/**
 * The lobby's messaging: players read the chat topic (published by the server under the sender's
 * name, after its flood check — never by a client directly), whisper to anyone, and watch
 * everyone's presence. On a `cluster`, its bus carries all three to the other nodes of a cluster.
 */
export function lobbyMessaging(cluster: { readonly bus: MessagingBus } | undefined): ServerMessagingOptions {
  return {
    identityKey: guestIdentityKey,
    authorize: (_connection, action, target) => {
      if (action === 'subscribe') return target === CHAT_TOPIC;
      return action !== 'publish';
    },
    ...(cluster ? { bus: cluster.bus } : {}),
  };
}
