import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A handler that answers its own paths and returns false for others (`createMetrics`, `createHealth`). */
export type RouteHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

/** Options of {@link listenForMetrics}. */
export interface MetricsListenerOptions {
  /** Port; 0 picks a free one (see {@link MetricsListener.port}). */
  readonly port: number;
  /** Interface to bind. Default `127.0.0.1`: only this machine (or a sidecar) can scrape. */
  readonly host?: string;
}

/** A running metrics listener. */
export interface MetricsListener {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * An HTTP listener of its own for metrics and health probes, apart from the game port: players
 * cannot reach it (bound to loopback by default), and a scrape never queues behind game traffic.
 * Answers what the first matching handler takes, 404 otherwise.
 */
export async function listenForMetrics(handlers: readonly RouteHandler[], options: MetricsListenerOptions): Promise<MetricsListener> {
  const server: Server = createServer((request, response) => {
    for (const handle of handlers) if (handle(request, response)) return;
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not Found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
