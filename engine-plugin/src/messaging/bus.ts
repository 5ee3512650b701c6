import type { PresenceMetadata } from './presence.js';

/**
 * The seam between messaging and everything outside this process. `ServerMessaging` serves its
 * own sessions itself and hands the bus only what may concern other processes: a direct message
 * for an identity, a publication, a change of this process's topic interest or of the presence of
 * its identities, and requests to another node. The bus hands back what other processes sent
 * through {@link BusDelivery}. The default, {@link localBus}, is one process: nothing leaves, so
 * messaging behaves exactly as it did before the seam existed. `tickwire/cluster` implements it
 * over Redis.
 *
 * Every call is made inside the tick (from `receive` or `flush`) and must not block: a bus queues
 * and sends once per tick, in `flush`.
 */
export interface MessagingBus {
  /** This process's name among the others (the local bus: {@link LOCAL_NODE}, `'local'`). A cluster node must not be named `'local'`. */
  readonly node: string;
  /** Called once, before any other call, with the sink for what other processes send. */
  attach(delivery: BusDelivery): void;
  /**
   * Send a direct message to the sessions of `identity` held by other processes. Returns how many
   * sessions it is known, at send time, to reach (0: none elsewhere), or a promise of that when
   * the bus must ask before it knows; throws or rejects {@link BusUnavailable} when it cannot send.
   */
  direct(identity: string, message: CarriedMessage): number | Promise<number>;
  /**
   * Publish to the subscribers of `topic` on other processes. Returns how many subscribers are
   * known, at send time, to match (other processes' interest as last heard); throws
   * {@link BusUnavailable} when it cannot send.
   */
  publish(topic: string, message: CarriedMessage): number;
  /** This process's subscriber count of a pattern changed (0: it holds no subscriber of it any more). */
  interest(pattern: string, subscribers: number): void;
  /** An identity gained its first session on this process, changed its metadata, or lost its last session. */
  presence(change: LocalPresence): void;
  /**
   * Ask a node (this one included) to run a request handler registered with {@link serve};
   * rejects with {@link BusUnavailable} when the node cannot be reached or does not answer in time.
   */
  request(node: string, method: string, data: unknown, timeoutMs: number): Promise<unknown>;
  /** Register the handler other nodes' requests for `method` run on this one (one per method). */
  serve(method: string, handler: (data: unknown, from: string) => unknown | Promise<unknown>): void;
  /** End of the tick: send everything queued (a cluster bus: one batch per target node). */
  flush(): void;
  /** Leave: stop receiving, release what this process holds outside it. */
  close(): Promise<void>;
}

/** A message carried for a direct message or a publication: the registered type's name and its encoded payload. */
export interface CarriedMessage {
  /** The sender's identity key; undefined when the server itself sent it. */
  readonly from?: string;
  readonly type: string;
  readonly data: Uint8Array;
}

/** A change in the presence of an identity on this process. */
export interface LocalPresence {
  readonly identity: string;
  /** Whether this process holds a session of it after the change. */
  readonly present: boolean;
  readonly metadata?: PresenceMetadata;
}

/** What the bus hands messaging from other processes. Each returns how many local sessions it reached. */
export interface BusDelivery {
  /** A direct message for the sessions of `identity` here. */
  direct(identity: string, message: CarriedMessage): number;
  /** A publication for this process's subscribers of `topic`. */
  publish(topic: string, message: CarriedMessage): number;
  /**
   * An identity's presence on another node changed: `present` says whether `node` holds a session
   * of it now. Watchers here see an identity online while this process or any node holds it, and
   * offline on the edge where the last one lets go; so a bus reports `present: false` for every
   * identity of a node that died (its reaper), or they stay online for ever.
   */
  presence(node: string, change: LocalPresence): void;
}

/** The bus cannot reach other processes (Redis down, this node fenced): the requester gets 503. */
export class BusUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BusUnavailable';
  }
}

/** The node name of {@link localBus}: one process, no other nodes (anonymous identities need no node in their key). */
export const LOCAL_NODE = 'local';

/**
 * One process: nothing leaves it. Direct messages and publications reach no one else, interest and
 * presence concern no one else, and requests can only be made to this node.
 */
export function localBus(): MessagingBus {
  const handlers = new Map<string, (data: unknown, from: string) => unknown>();
  return {
    node: LOCAL_NODE,
    attach() {},
    direct: () => 0,
    publish: () => 0,
    interest() {},
    presence() {},
    async request(node, method, data) {
      const handler = node === LOCAL_NODE ? handlers.get(method) : undefined;
      if (!handler) throw new BusUnavailable(node === LOCAL_NODE ? `no handler for ${method}` : `node ${node} is not this process`);
      return handler(data, LOCAL_NODE);
    },
    serve(method, handler) {
      if (handlers.has(method)) throw new TypeError(`a handler for ${method} is already registered`);
      handlers.set(method, handler);
    },
    flush() {},
    async close() {},
  };
}
