/**
 * A server and clients over the in-memory network on a ManualClock: time moves only when a test
 * steps it, so rate limits, token expiry and timeouts happen exactly when the test says.
 */
import { createWorld } from 'bitecs';
import {
  type ClientOptions,
  ManualClock,
  type MemoryClientOptions,
  type NetworkClient,
  type NetworkServer,
  type Protocol,
  type ServerOptions,
  cloneProtocol,
  createClient,
  createMemoryNetwork,
  createServer,
  silentLogger,
} from '../../../engine-plugin/src/index';
import { type RawRecord, openRaw, stepServerAndClients } from '../../support/rig';

export interface ManualRig {
  readonly clock: ManualClock;
  readonly server: NetworkServer;
  /** A client over its own link (not yet connected). */
  client(options?: Partial<ClientOptions>, link?: MemoryClientOptions): NetworkClient;
  /** A hand-driven socket; `onOpen` runs when it opens. */
  raw(onOpen?: (record: RawRecord) => void, link?: MemoryClientOptions): RawRecord;
  /** One server tick, one frame of every client, then `ms` of time. */
  step(ms?: number): void;
  /**
   * Step, then check `condition`, until it holds, at most `maxSteps` times. Async because admission is: the
   * endpoint's `admit` returns a promise, which settles between steps.
   */
  stepUntil(condition: () => boolean, maxSteps?: number, ms?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startManualRig(protocol: Protocol, options: Partial<ServerOptions> = {}): Promise<ManualRig> {
  const clock = new ManualClock();
  const network = createMemoryNetwork({ clock });
  const server = createServer(createWorld(), protocol, { logger: silentLogger, clock, ...options, transport: network.server() });
  await server.start();
  const clients: NetworkClient[] = [];
  const rig: ManualRig = {
    clock,
    server,
    client(clientOptions = {}, link = {}) {
      // Its own stores, as in another process: sharing the server's typed arrays would mix the two worlds.
      const client = createClient(createWorld(), cloneProtocol(protocol).protocol, {
        transport: network.client(link),
        logger: silentLogger,
        reconnect: false,
        clock,
        ...clientOptions,
      });
      clients.push(client);
      return client;
    },
    raw(onOpen, link = {}) {
      const record: RawRecord = openRaw(network.client(link), () => onOpen?.(record));
      return record;
    },
    step(ms = 10) {
      stepServerAndClients(server, clients);
      clock.advance(ms);
    },
    async stepUntil(condition, maxSteps = 1000, ms = 10) {
      // The condition is called once after each step, never twice on one: tests collect this
      // tick's events and messages inside it.
      for (let i = 0; i < maxSteps; i++) {
        rig.step(ms);
        await Promise.resolve();
        if (condition()) return;
      }
      throw new Error(`condition not met within ${maxSteps} steps`);
    },
    async close() {
      for (const c of clients) c.disconnect();
      clock.advance(100);
      await server.stop();
      clock.advance(2000);
    },
  };
  return rig;
}
