/** A rig over real ws sockets on 127.0.0.1 that also tells its port, for raw sockets and HTTP requests. */
import { createWorld } from 'bitecs';
import { type Protocol, type ServerOptions, cloneProtocol, createClient, createServer, silentLogger } from '../../../engine-plugin/src/index';
import { nodeWebSocketClient, webSocketServer } from '../../../engine-plugin/src/node';
import type { NetworkClient } from '../../../engine-plugin/src/index';
import type { Rig } from '../../support/rig';

export interface WsRig extends Rig {
  readonly port: number;
}

export async function startWsRig(protocol: Protocol, options: Partial<ServerOptions> = {}): Promise<WsRig> {
  const transport = webSocketServer({ host: '127.0.0.1', port: 0, maxPayload: options.settings?.maxFrameBytes });
  const server = createServer(createWorld(), protocol, { logger: silentLogger, ...options, transport });
  await server.start();
  const port = transport.port;
  const clients: NetworkClient[] = [];
  const rig: WsRig = {
    port,
    server,
    client(clientOptions = {}) {
      // Its own stores, as in another process: sharing the server's typed arrays would mix the two worlds.
      const client = createClient(createWorld(), cloneProtocol(clientOptions.protocol ?? protocol).protocol, {
        transport: nodeWebSocketClient(`ws://127.0.0.1:${port}/ws`),
        logger: silentLogger,
        reconnect: false,
        ...clientOptions,
      });
      clients.push(client);
      return client;
    },
    rawTransport: () => nodeWebSocketClient(`ws://127.0.0.1:${port}/ws`),
    step() {
      server.receive();
      server.replicate();
      server.flush();
      for (const c of clients) {
        c.receive();
        c.flush();
      }
    },
    async until(condition, timeoutMs = 5000, ms = 5) {
      const deadline = Date.now() + timeoutMs;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error('condition not met in time');
        await new Promise((resolve) => setTimeout(resolve, ms));
        rig.step();
      }
    },
    async close() {
      for (const c of clients) c.disconnect();
      await server.stop();
    },
  };
  return rig;
}
