import type { Shape, ShapeValue } from './fields.js';
import { describeShape } from './fields.js';

/** Who may send a message type. The receiving side rejects the other direction (close 1008). */
export type Direction = 'toServer' | 'toClient' | 'both';

/** A message type declared once in shared code and registered on both sides by name. */
export interface MessageType<S extends Shape = Shape> {
  /** The wire name; numeric ids are agreed from names at handshake. */
  readonly name: string;
  readonly shape: S;
  readonly direction: Direction;
  /**
   * When the outbound channel is full, drop this type's oldest queued message (counted) instead
   * of closing the connection with 4008. For state-like messages where only the latest matters.
   */
  readonly droppable: boolean;
  /**
   * An input: sent by clients, carried with a sequence number, and acknowledged in every Tick
   * frame as "last input processed" so the client can reconcile its prediction.
   */
  readonly input: boolean;
  /** Phantom: the payload type. Never set at run time. */
  readonly _data?: ShapeValue<S>;
}

/** The payload type of a message type. */
export type MessageData<M> = M extends MessageType<infer S> ? ShapeValue<S> : never;

/** Options for {@link defineMessage}. */
export interface MessageOptions {
  direction?: Direction;
  droppable?: boolean;
  input?: boolean;
}

/**
 * Declare a message type. Payloads travel as MessagePack and are validated against `shape` on
 * receipt; an invalid one never reaches game code.
 *
 * ```ts
 * export const Chat = defineMessage('chat', { text: t.string({ maxBytes: 200 }) });
 * ```
 */
export function defineMessage<S extends Shape>(name: string, shape: S, options: MessageOptions = {}): MessageType<S> {
  if (!name) throw new TypeError('a message type needs a name');
  const input = options.input ?? false;
  const direction = options.direction ?? (input ? 'toServer' : 'both');
  if (input && direction !== 'toServer') throw new TypeError(`input ${name} must be sent by clients (direction toServer)`);
  return { name, shape, direction, droppable: options.droppable ?? false, input };
}

/**
 * Declare a client input: a message sent client → server with a sequence number the server
 * acknowledges as processed, for prediction and reconciliation.
 */
export function defineInput<S extends Shape>(name: string, shape: S): MessageType<S> {
  return defineMessage(name, shape, { input: true, direction: 'toServer' });
}

/** Canonical description for the fingerprint. */
export function describeMessage(type: MessageType): string {
  return `${type.name}(${type.direction}${type.input ? ',input' : ''}){${describeShape(type.shape)}}`;
}
