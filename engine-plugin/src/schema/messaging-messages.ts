import { t } from './fields.js';
import { defineMessage } from './message.js';
import { defineRequest } from './request.js';

/**
 * Built-in message and request types of topics, direct messages and presence (seed 003's
 * Subscribe / Broadcast / DirectMessage / Presence). They are part of every protocol, after the
 * other `tickwire.*` types; docs/protocol.md lists their ids.
 */

/** Longest topic name or pattern, UTF-8 bytes. */
export const MAX_TOPIC_BYTES = 128;
/** Longest identity key (see `identityKey`), UTF-8 bytes. */
export const MAX_IDENTITY_BYTES = 128;
/** Most topics one subscribe or unsubscribe request may name. */
export const MAX_TOPICS_PER_REQUEST = 32;
/** Largest nested payload of a publication or direct message, bytes (a message never exceeds `maxMessageBytes` either). */
export const MAX_CARRIED_BYTES = 65_536;
/** Most metadata entries one presence event carries. */
export const MAX_PRESENCE_METADATA = 16;

const topic = t.string({ maxBytes: MAX_TOPIC_BYTES });
const identity = t.string({ maxBytes: MAX_IDENTITY_BYTES });
/** The registered message type a publication or direct message carries, by name (never a tickwire.* type). */
const carriedType = t.string({ maxBytes: 128 });
/** The carried message's MessagePack payload, validated against `type` on arrival. */
const carried = t.bytes({ maxBytes: MAX_CARRIED_BYTES });

/** Client → server: subscribe to topics or patterns (`*` is one dot-separated segment, a final `**` one or more). */
export const Subscribe = defineRequest(
  'tickwire.subscribe',
  { topics: t.array(topic, { maxLength: MAX_TOPICS_PER_REQUEST }) },
  {
    subscribed: t.array(topic, { maxLength: MAX_TOPICS_PER_REQUEST }),
    /** Each refused pattern with why: 400 malformed, 403 not authorised, 429 over `maxSubscriptions`. */
    refused: t.array(t.object({ topic, code: t.u16() }), { maxLength: MAX_TOPICS_PER_REQUEST }),
    /** Subscriptions the connection holds after this request. */
    active: t.u16(),
  },
);

/** Client → server: drop subscriptions (exactly as subscribed; unknown ones are ignored). */
export const Unsubscribe = defineRequest(
  'tickwire.unsubscribe',
  { topics: t.array(topic, { maxLength: MAX_TOPICS_PER_REQUEST }) },
  { unsubscribed: t.array(topic, { maxLength: MAX_TOPICS_PER_REQUEST }), active: t.u16() },
);

/** Client → server: publish a message to every subscriber of a topic; the reply counts the recipients. */
export const Publish = defineRequest('tickwire.publish', { topic, type: carriedType, data: carried }, { recipients: t.u32() });

/** Client → server: a message for every connection of an identity; fails with 404 when it is offline. */
export const Direct = defineRequest('tickwire.direct', { to: identity, type: carriedType, data: carried }, { delivered: t.u16() });

/**
 * Client → server: receive presence events — of the listed identities, or of everyone when
 * `identities` is absent. The reply counts who is online now; an `online` event for each of them
 * (at most `maxPresenceSnapshot`) comes just before it.
 */
export const WatchPresence = defineRequest(
  'tickwire.presence.watch',
  { identities: t.optional(t.array(identity, { maxLength: 64 })) },
  { online: t.u32() },
);

/** Client → server: stop receiving presence events. */
export const UnwatchPresence = defineRequest('tickwire.presence.unwatch', {}, {});

/** Server → client: a publication on a topic the connection subscribed to. */
export const TopicMessage = defineMessage(
  'tickwire.topic.message',
  { topic, from: t.optional(identity), type: carriedType, data: carried },
  { direction: 'toClient' },
);

/** Server → client: a message addressed to this connection's identity. */
export const DirectMessage = defineMessage(
  'tickwire.direct.message',
  { from: t.optional(identity), type: carriedType, data: carried },
  { direction: 'toClient' },
);

/** Server → client: an identity came online (or changed its metadata) or went offline. */
export const PresenceMessage = defineMessage(
  'tickwire.presence',
  {
    identity,
    status: t.enum(['online', 'offline']),
    metadata: t.optional(
      t.array(t.object({ key: t.string({ maxBytes: 64 }), value: t.string({ maxBytes: 256 }) }), { maxLength: MAX_PRESENCE_METADATA }),
    ),
  },
  { direction: 'toClient' },
);

/** The message types above in id order: each request type as its request, then its reply. */
export const MESSAGING_MESSAGES = [
  Subscribe.request,
  Subscribe.reply,
  Unsubscribe.request,
  Unsubscribe.reply,
  Publish.request,
  Publish.reply,
  Direct.request,
  Direct.reply,
  WatchPresence.request,
  WatchPresence.reply,
  UnwatchPresence.request,
  UnwatchPresence.reply,
  TopicMessage,
  DirectMessage,
  PresenceMessage,
] as const;

/** Built-in messages whose `data` field holds another message's MessagePack, named by their `type` field. */
export const CARRIER_MESSAGES: ReadonlySet<string> = new Set([Publish.name, Direct.name, TopicMessage.name, DirectMessage.name]);
