import { type NumberField, type ObjectField, type Shape, type ShapeValue, type StringField, t } from './fields.js';
import { type Direction, type MessageType, defineMessage } from './message.js';

/**
 * Request/response over the reliable message channel. A request type is two ordinary message
 * types registered side by side — `<name>` carrying `{ rid, data }` and `<name>.reply` carrying
 * `{ rid, data? , error? }` — so ids, the fingerprint, direction checks and validation all come
 * from the message machinery unchanged. `rid` is chosen by the requester, unique among its
 * outstanding requests on one connection; the responder only echoes it.
 */

/** What a failed request carries instead of data (seed 003's error codes: 400, 403, 404, 429, 500, 503…). */
export const requestFailureShape = { code: t.u16(), message: t.string({ maxBytes: 512 }) };

/** The wire shape of a request message: the requester's id and the payload. */
export type RequestWireShape<Q extends Shape> = { readonly rid: NumberField<'u32'>; readonly data: ObjectField<Q> };

/** The wire shape of a reply message: the echoed id and either the payload or a failure. */
export type ReplyWireShape<R extends Shape> = {
  readonly rid: NumberField<'u32'>;
  readonly data: ObjectField<R> & { readonly optional: true };
  readonly error: ObjectField<{ code: NumberField<'u16'>; message: StringField }> & { readonly optional: true };
};

/** A request type declared once in shared code; register it with `defineProtocol({ requests })`. */
export interface RequestType<Q extends Shape = Shape, R extends Shape = Shape> {
  /** The wire name of the request; the reply travels as `<name>.reply`. */
  readonly name: string;
  /** Who asks: `toServer` (clients ask the server, the default), `toClient`, or `both`. */
  readonly direction: Direction;
  readonly requestShape: Q;
  readonly replyShape: R;
  /** The message type requests travel as. */
  readonly request: MessageType<RequestWireShape<Q>>;
  /** The message type replies travel as (the opposite direction). */
  readonly reply: MessageType<ReplyWireShape<R>>;
  /** Phantom: the request payload type. */
  readonly _request?: ShapeValue<Q>;
  /** Phantom: the reply payload type. */
  readonly _reply?: ShapeValue<R>;
}

/** The request payload type of a request type. */
export type RequestData<T> = T extends RequestType<infer Q, Shape> ? ShapeValue<Q> : never;

/** The reply payload type of a request type. */
export type ReplyData<T> = T extends RequestType<Shape, infer R> ? ShapeValue<R> : never;

/** The suffix naming a request's reply message type. */
export const REPLY_SUFFIX = '.reply';

/** Which half of a request type a message type is. */
export interface RequestRole {
  readonly requestType: RequestType;
  readonly role: 'request' | 'reply';
}

/** Looked up once per received message, so a WeakMap rather than a field every message type would carry. */
const roles = new WeakMap<MessageType, RequestRole>();

/** The request type a message type belongs to, if it is a request or reply half. */
export function requestRole(type: MessageType): RequestRole | undefined {
  return roles.get(type);
}

function opposite(direction: Direction): Direction {
  return direction === 'toServer' ? 'toClient' : direction === 'toClient' ? 'toServer' : 'both';
}

/**
 * Declare a request type: a request payload answered with a reply payload (or a failure code).
 * Clients call `net.request(Type, data, { timeout })` and get a Promise of the reply; the server
 * reads `net.requests(Type)` each tick and calls `respond(reply)` or `fail(code, message)`.
 *
 * ```ts
 * export const GetScore = defineRequest('getScore', { player: t.string() }, { score: t.u32() });
 * ```
 */
export function defineRequest<Q extends Shape, R extends Shape>(
  name: string,
  requestShape: Q,
  replyShape: R,
  options: { direction?: Direction } = {},
): RequestType<Q, R> {
  if (!name) throw new TypeError('a request type needs a name');
  const direction = options.direction ?? 'toServer';
  const request = defineMessage(name, { rid: t.u32({ min: 1 }), data: t.object(requestShape) }, { direction });
  const reply = defineMessage(
    name + REPLY_SUFFIX,
    { rid: t.u32({ min: 1 }), data: t.optional(t.object(replyShape)), error: t.optional(t.object(requestFailureShape)) },
    { direction: opposite(direction) },
  );
  const type: RequestType<Q, R> = { name, direction, requestShape, replyShape, request, reply };
  roles.set(request, { requestType: type, role: 'request' });
  roles.set(reply, { requestType: type, role: 'reply' });
  return type;
}
