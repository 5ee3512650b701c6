import { existsSync } from 'node:fs';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';

/** Where `npm run build -w client-demo` writes the browser game. */
export const DEFAULT_CLIENT_DIR = fileURLToPath(new URL('../../client-demo/dist', import.meta.url));

/** Options of {@link createRequestListener}. */
export interface HttpOptions {
  /** The built client to serve. */
  readonly clientDir: string;
  /** The body of `GET /health`. */
  readonly health: () => Record<string, unknown>;
}

/** True when `dir` holds a built client. */
export function clientIsBuilt(dir: string): boolean {
  return existsSync(join(dir, 'index.html'));
}

const NOT_BUILT = `The tickwire demo client has not been built.

Run "npm start" (it builds the client, then starts the server), or build it on its own with
"npm run build -w client-demo" and restart the server. For development, "npm run dev" serves
the client from Vite instead.
`;

/**
 * Everything the demo serves over plain HTTP: `/health` as JSON, and the built client. (The
 * WebSocket endpoint `/ws` is an upgrade, handled by tickwire's transport on the same server.)
 */
export function createRequestListener(options: HttpOptions): RequestListener {
  const built = clientIsBuilt(options.clientDir);
  const serveClient = built ? sirv(options.clientDir, { etag: true }) : undefined;
  return (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/health') {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      response.end(JSON.stringify(options.health()));
      return;
    }
    if (!serveClient) {
      response.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(NOT_BUILT);
      return;
    }
    serveClient(request, response, () => {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('Not found\n');
    });
  };
}
