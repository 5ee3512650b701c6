import type { ClientConnection, ClientEvent } from '../connection/client-connection.js';
import type { ReceivedMessage } from '../connection/message-receiver.js';
import { PendingRequests, type ReplyPayload, RequestError, RequestFailure } from './pending-requests.js';
import type { PresenceEvent, PresenceMetadata } from './presence.js';
import type { Shape, ShapeValue } from '../schema/fields.js';
import type { MessageType } from '../schema/message.js';
import { MessageCodec } from '../schema/message-codec.js';
import {
  Direct,
  DirectMessage,
  PresenceMessage,
  Publish,
  Subscribe,
  TopicMessage,
  Unsubscribe,
  UnwatchPresence,
  WatchPresence,
} from '../schema/messaging-messages.js';
import type { Protocol } from '../schema/protocol.js';
import { type ReplyData, type RequestType, requestRole } from '../schema/request.js';
import type { Clock } from '../transport/clock.js';
import { TickBuffers } from './tick-buffers.js';

/** Options of one `request()`. */
export interface RequestOptions {
  /** How long to wait for the reply, ms (default the `requestTimeoutMs` setting); then it rejects with 408. */
  readonly timeout?: number;
}

/** A request from the server as a client system reads it; answer it once with `respond` or `fail`. */
export interface ServerRequest<Q, R> {
  readonly data: Q;
  /** The server's id for it. */
  readonly id: number;
  /** Queue the reply for the next flush. False when already answered. */
  respond(reply: R): boolean;
  /** Refuse with a code and a message. False when already answered. */
  fail(code: number, message: string): boolean;
}

/** A message published on a topic this client subscribed to. */
export interface Publication<T> {
  readonly topic: string;
  /** The publisher's identity key; absent when the server published. */
  readonly from: string | undefined;
  readonly data: T;
}

/** A message another client addressed to this client's identity. */
export interface Directed<T> {
  /** The sender's identity key. */
  readonly from: string | undefined;
  readonly data: T;
}

/** The server's answer to a subscribe: what was subscribed, what refused and why (400, 403, 429). */
export type SubscribeResult = ReplyData<typeof Subscribe>;

/**
 * The client half of messaging beyond state. `NetworkClient.receive` hands it each message; it
 * keeps replies (settling `request()` promises), server requests, publications, direct messages
 * and presence events, each visible for one frame like `messages(Type)`.
 */
export class ClientMessaging {
  private readonly pending: PendingRequests;
  private readonly codec: MessageCodec;
  private readonly carriedTypes = new Map<string, MessageType>();
  private readonly requestBuffers = new TickBuffers<RequestType, ServerRequest<unknown, unknown>>();
  private readonly publicationBuffers = new TickBuffers<MessageType, Publication<unknown>>();
  private readonly directBuffers = new TickBuffers<MessageType, Directed<unknown>>();
  private presenceEvents: PresenceEvent[] = [];
  /** Carried payloads that failed validation: a server bug or a hostile relay, counted rather than thrown. */
  invalidCarried = 0;

  constructor(
    protocol: Protocol,
    private readonly connection: ClientConnection,
    clock: Clock,
  ) {
    const settings = connection.settings;
    this.pending = new PendingRequests(clock, settings.maxPendingRequests);
    this.codec = new MessageCodec(settings.maxMessageBytes);
    for (const type of protocol.messages) if (!type.name.startsWith('tickwire.') && !requestRole(type)) this.carriedTypes.set(type.name, type);
  }

  /** Requests waiting for their reply. */
  get pendingRequests(): number {
    return this.pending.size;
  }

  /** Start of a frame: last frame's items stop being visible. */
  beginFrame(): void {
    this.requestBuffers.clear();
    this.publicationBuffers.clear();
    this.directBuffers.clear();
    this.presenceEvents = [];
  }

  /** This frame's connection events: a drop rejects every outstanding request with 503. */
  connectionEvents(events: readonly ClientEvent[]): void {
    for (const event of events)
      if (event.type === 'disconnected') this.pending.rejectAll(RequestFailure.Disconnected, `the connection closed with close code ${event.code}`);
  }

  /** Take a received message if it is messaging traffic; false leaves it to `messages(Type)`. */
  route(message: ReceivedMessage): boolean {
    const role = requestRole(message.type);
    if (role) {
      if (role.role === 'reply') this.pending.settle(role.requestType, message.data as ReplyPayload);
      else {
        const { rid, data } = message.data as { rid: number; data: unknown };
        this.requestBuffers.push(role.requestType, this.incoming(role.requestType, rid, data));
      }
      return true;
    }
    if (message.type === TopicMessage) {
      const m = message.data as ShapeValue<(typeof TopicMessage)['shape']>;
      this.carry(m.type, m.data, (type, data) => this.publicationBuffers.push(type, { topic: m.topic, from: m.from, data }));
      return true;
    }
    if (message.type === DirectMessage) {
      const m = message.data as ShapeValue<(typeof DirectMessage)['shape']>;
      this.carry(m.type, m.data, (type, data) => this.directBuffers.push(type, { from: m.from, data }));
      return true;
    }
    if (message.type === PresenceMessage) {
      const m = message.data as ShapeValue<(typeof PresenceMessage)['shape']>;
      const metadata: PresenceMetadata | undefined = m.metadata && Object.fromEntries(m.metadata.map((e) => [e.key, e.value]));
      this.presenceEvents.push(metadata ? { identity: m.identity, status: m.status, metadata } : { identity: m.identity, status: m.status });
      return true;
    }
    return false;
  }

  private carry(typeName: string, payload: Uint8Array, deliver: (type: MessageType, data: unknown) => void): void {
    const type = this.carriedTypes.get(typeName);
    if (!type) {
      this.invalidCarried++;
      return;
    }
    try {
      deliver(type, this.codec.decode(type, payload));
    } catch {
      this.invalidCarried++;
    }
  }

  private incoming(type: RequestType, rid: number, data: unknown): ServerRequest<unknown, unknown> {
    let answered = false;
    const answer = (payload: Omit<ReplyPayload, 'rid'>): boolean => {
      if (answered) return false;
      answered = true;
      return this.connection.send(type.reply, { rid, ...payload });
    };
    return { data, id: rid, respond: (reply) => answer({ data: reply }), fail: (code, message) => answer({ error: { code, message } }) };
  }

  /** Ask the server; settles with its reply or rejects with a {@link RequestError}. */
  request<Q extends Shape, R extends Shape>(type: RequestType<Q, R>, data: ShapeValue<Q>, options: RequestOptions = {}): Promise<ShapeValue<R>> {
    if (type.direction === 'toClient') throw new TypeError(`request ${type.name} is asked by the server only`);
    if (this.connection.state === 'closed')
      return Promise.reject(new RequestError(type.name, RequestFailure.Disconnected, 'the connection is closed'));
    const opened = this.pending.open(type as RequestType, options.timeout ?? this.connection.settings.requestTimeoutMs);
    if (opened instanceof RequestError) return Promise.reject(opened);
    let queued: boolean;
    try {
      queued = this.connection.send(type.request as MessageType, { rid: opened.rid, data });
    } catch (error) {
      // An invalid payload is the caller's bug: thrown to it, with the request withdrawn quietly.
      opened.reply.catch(() => {});
      this.pending.cancel(opened.rid, new RequestError(type.name, RequestFailure.BadReply, 'not sent'));
      throw error;
    }
    if (!queued) this.pending.cancel(opened.rid, new RequestError(type.name, RequestFailure.Disconnected, 'the request could not be queued'));
    return opened.reply as Promise<ShapeValue<R>>;
  }

  /** This frame's requests of one type from the server. */
  requests<Q extends Shape, R extends Shape>(type: RequestType<Q, R>): readonly ServerRequest<ShapeValue<Q>, ShapeValue<R>>[] {
    return this.requestBuffers.get(type as RequestType) as readonly ServerRequest<ShapeValue<Q>, ShapeValue<R>>[];
  }

  subscribe(topics: string | readonly string[], options?: RequestOptions): Promise<SubscribeResult> {
    return this.request(Subscribe, { topics: typeof topics === 'string' ? [topics] : [...topics] }, options);
  }

  unsubscribe(topics: string | readonly string[], options?: RequestOptions): Promise<ReplyData<typeof Unsubscribe>> {
    return this.request(Unsubscribe, { topics: typeof topics === 'string' ? [topics] : [...topics] }, options);
  }

  publish<S extends Shape>(topic: string, type: MessageType<S>, data: ShapeValue<S>, options?: RequestOptions): Promise<{ recipients: number }> {
    return this.request(Publish, { topic, type: type.name, data: this.codec.encode(type, data) }, options);
  }

  direct<S extends Shape>(identity: string, type: MessageType<S>, data: ShapeValue<S>, options?: RequestOptions): Promise<{ delivered: number }> {
    return this.request(Direct, { to: identity, type: type.name, data: this.codec.encode(type, data) }, options);
  }

  watchPresence(identities?: readonly string[], options?: RequestOptions): Promise<{ online: number }> {
    return this.request(WatchPresence, identities ? { identities: [...identities] } : {}, options);
  }

  unwatchPresence(options?: RequestOptions): Promise<Record<string, never>> {
    return this.request(UnwatchPresence, {}, options) as Promise<Record<string, never>>;
  }

  publications<S extends Shape>(type: MessageType<S>): readonly Publication<ShapeValue<S>>[] {
    return this.publicationBuffers.get(type as MessageType) as readonly Publication<ShapeValue<S>>[];
  }

  directMessages<S extends Shape>(type: MessageType<S>): readonly Directed<ShapeValue<S>>[] {
    return this.directBuffers.get(type as MessageType) as readonly Directed<ShapeValue<S>>[];
  }

  presence(): readonly PresenceEvent[] {
    return this.presenceEvents;
  }
}
