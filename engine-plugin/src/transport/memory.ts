import { type Clock, systemClock } from './clock.js';
import {
  conditionsByDirection,
  type DirectionalLinkConditions,
  type LinkConditions,
  type LinkConditionsByDirection,
} from './link-conditioner.js';
import { MemoryConnection, type MemorySocket } from './memory-connection.js';
import { seededRandom } from './seeded-random.js';
import type { Admission, ClientSocketHandlers, ClientTransport, ConnectionRequest, ServerTransport, TransportHost } from './transport.js';

export type { MemorySocket } from './memory-connection.js';

/** Options for {@link createMemoryNetwork}. */
export interface MemoryNetworkOptions {
  /** Times every delay; pass a `ManualClock` for deterministic tests. Default: {@link systemClock}. */
  readonly clock?: Clock;
  /** Seeds the jitter PRNG; each link derives its own stream from it in creation order. Default 1. */
  readonly seed?: number;
}

/** What a simulated client presents to the server's `admit`. */
export interface MemoryClientOptions {
  /** Path and query of the upgrade request. Default `/ws`. */
  readonly url?: string;
  /** Upgrade request headers; names are lower-cased on the way. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Subprotocols offered. */
  readonly protocols?: readonly string[];
  /** Default `127.0.0.1`. */
  readonly remoteAddress?: string;
  /** The link's starting conditions, both directions alike or per direction. Default: perfect. */
  readonly conditions?: LinkConditions | DirectionalLinkConditions;
}

/** The simulated network path of one client; every connection its transport opens runs over it. */
export interface Link {
  /** Change conditions for messages sent from now on (in-flight ones keep their schedule). */
  setConditions(conditions: LinkConditions | DirectionalLinkConditions): void;
  /** Current conditions per direction. */
  readonly conditions: LinkConditionsByDirection;
  /** Break every connection on the link now: in-flight data is lost and both sides see close 1006 on the next tick. */
  disconnect(reason?: string): void;
  /** Connections on the link that are opening or open. */
  readonly connectionCount: number;
}

/** A {@link ClientTransport} over the in-memory network, with the {@link Link} it runs over. */
export interface MemoryClientTransport extends ClientTransport {
  open(handlers: ClientSocketHandlers): MemorySocket;
  readonly link: Link;
}

/** An in-process network: one server slot and any number of clients. */
export interface MemoryNetwork {
  /** The network's server transport (the same one on every call; start, stop and start again as needed). */
  server(): ServerTransport;
  /** A new client with its own link. */
  client(options?: MemoryClientOptions): MemoryClientTransport;
}

/**
 * An in-memory network for deterministic tests of everything above the transport.
 *
 * It keeps the ws server's contract: each connection goes `admit` → `accept`, costs a round trip
 * to open, and has ordered, reliable delivery with the link's latency, jitter and bandwidth. Every
 * callback comes from a timer of the injected clock, never from inside `send`/`close`: with a
 * `ManualClock`, nothing arrives until `advance` (zero delay included). When `admit` returns a
 * plain value (not a promise), admission completes inside the same `advance`.
 *
 * Semantics, matching `ws` and browsers where they agree:
 * - messages are copied on `send`; sides never share a buffer;
 * - a refused upgrade closes the client with 1006 and the reason
 *   `Unexpected server response: <status> <reason>` (what `ws` reports on Node; a browser would give
 *   no reason); with no server started, 1006 `connection refused`. The server's `accept` is not called;
 * - `close(code, reason)` reaches the peer after the messages sent before it; the peer's `close`
 *   reports that code, and the initiator's reports it when the peer's echo arrives, a round trip later;
 * - the subprotocol is the admission's if the client offered it, else the first offered, else none (as the ws server does);
 * - a side that has called `close` receives no more messages; `send` after close is dropped, before open it throws;
 * - {@link Link.disconnect} drops a connection: both sides see 1006.
 */
export function createMemoryNetwork(options: MemoryNetworkOptions = {}): MemoryNetwork {
  const clock = options.clock ?? systemClock;
  const seed = options.seed ?? 1;
  let host: TransportHost | undefined;
  let linkCount = 0;

  const onUpgrade = (connection: MemoryConnection, request: ConnectionRequest): void => {
    const admittingHost = host;
    if (!admittingHost) {
      connection.unreachable();
      return;
    }
    const decide = (admission: Admission): void => {
      // The client may have gone, or the server stopped, while admission was pending.
      if (connection.server.state !== 'connecting') return;
      if (host !== admittingHost) {
        connection.refuse(503, 'Server stopped');
        return;
      }
      if (!admission.accept) {
        connection.refuse(admission.status, admission.reason);
        return;
      }
      // The same selection as the ws server: the admission's if offered, else the first offered.
      const protocol =
        admission.protocol !== undefined && request.protocols.includes(admission.protocol) ? admission.protocol : (request.protocols[0] ?? '');
      connection.accept(protocol);
      try {
        connection.server.handlers = admittingHost.accept(connection.server, request, admission);
      } catch (error) {
        connection.server.close(1011, 'internal error');
        throw error;
      }
    };
    let result: Admission | Promise<Admission>;
    try {
      result = admittingHost.admit(request);
    } catch (error) {
      connection.refuse(500, 'Admission failed');
      throw error;
    }
    if (result instanceof Promise) {
      result.then(decide, () => {
        if (connection.server.state === 'connecting') connection.refuse(500, 'Admission failed');
      });
    } else {
      decide(result);
    }
  };

  const server: ServerTransport = {
    async start(transportHost: TransportHost): Promise<void> {
      if (host) throw new Error('memory server already started');
      host = transportHost;
    },
    async stop(): Promise<void> {
      host = undefined;
    },
  };

  return {
    server: () => server,
    client(clientOptions: MemoryClientOptions = {}): MemoryClientTransport {
      const random = seededRandom(seed + 0x9e3779b9 * ++linkCount);
      let conditions = conditionsByDirection(clientOptions.conditions);
      let connections: MemoryConnection[] = [];
      const live = (): MemoryConnection[] => {
        connections = connections.filter((connection) => !connection.finished);
        return connections;
      };
      const request: ConnectionRequest = {
        url: clientOptions.url ?? '/ws',
        headers: lowerCased(clientOptions.headers ?? {}),
        remoteAddress: clientOptions.remoteAddress ?? '127.0.0.1',
        protocols: [...(clientOptions.protocols ?? [])],
      };
      const link: Link = {
        setConditions(next) {
          conditions = conditionsByDirection(next);
          for (const connection of live()) {
            connection.toServer.conditions = conditions.toServer;
            connection.toClient.conditions = conditions.toClient;
          }
        },
        get conditions() {
          return conditions;
        },
        disconnect(reason = 'link disconnected') {
          for (const connection of live()) connection.drop(reason);
        },
        get connectionCount() {
          return live().length;
        },
      };
      return {
        link,
        open(handlers: ClientSocketHandlers): MemorySocket {
          const connection = new MemoryConnection(clock, random, conditions, handlers, (arrived) => onUpgrade(arrived, request));
          live().push(connection);
          return connection.client;
        },
      };
    },
  };
}

function lowerCased(headers: Readonly<Record<string, string>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) result[name.toLowerCase()] = value;
  return result;
}
