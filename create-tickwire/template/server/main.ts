// The headless, authoritative server: serves the built client from dist/ and the game on /ws.
//   npm start               port 3000, or PORT=…
//   npm start -- --port 4000
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { createWorld } from 'bitecs';
import { createServer, fixedTick } from 'tickwire';
import { webSocketServer } from 'tickwire/node';
import { TICK_RATE, protocol } from '../shared/protocol';
import { gameSystem } from './systems';

function portFromArguments(args: readonly string[]): number {
  const flag = args.indexOf('--port');
  const value = flag >= 0 ? args[flag + 1] : process.env.PORT;
  const port = Number(value ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`not a port: ${value}`);
  return port;
}

const site = join(import.meta.dirname, '..', 'dist');
const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
const http = createHttpServer((request, response) => {
  const path = normalize(new URL(request.url ?? '/', 'http://localhost').pathname).replace(/^(\.\.[/\\])+/, '');
  const file = join(site, path === '/' ? 'index.html' : path);
  readFile(file).then(
    (body) => {
      response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    },
    () => {
      response.writeHead(404);
      response.end('not found (did `vite build` run?)');
    },
  );
});

const world = createWorld();
const net = createServer(world, protocol, { transport: webSocketServer({ server: http }), tickRate: TICK_RATE });
await net.start();
await new Promise<void>((resolve) => http.listen(portFromArguments(process.argv.slice(2)), resolve));
const address = http.address();
console.log(`listening on http://localhost:${typeof address === 'object' && address ? address.port : '?'}`);

const stopTicking = fixedTick(TICK_RATE, () => {
  net.receive();
  gameSystem(world, net);
  net.replicate();
  net.flush();
});

// Ctrl-C: every client is told the server is going (close 4004) before the process exits.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopTicking();
    net.stop().finally(() => http.close(() => process.exit(0)));
  });
}
