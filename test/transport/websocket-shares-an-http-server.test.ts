import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { nodeWebSocketClient } from '../../engine-plugin/src/transport/node-websocket-client';
import type { Socket } from '../../engine-plugin/src/transport/transport';
import { type WebSocketServerTransport, webSocketServer } from '../../engine-plugin/src/transport/websocket-server';
import { recorder, recordingHost, until } from './recorders';

let http: Server | undefined;
let transport: WebSocketServerTransport | undefined;
afterEach(async () => {
  await transport?.stop();
  transport = undefined;
  if (http) {
    const closing = new Promise((resolve) => http!.close(resolve));
    http.closeAllConnections();
    await closing;
  }
  http = undefined;
});

it('serves WebSockets on its path of a shared HTTP server that keeps serving plain requests and other upgrades', async () => {
  http = createServer((_request, response) => response.end('static file'));
  // Another upgrade listener owns /other: the transport must leave that path alone.
  const other = new WebSocketServer({ noServer: true });
  http.on('upgrade', (request, socket, head) => {
    if (request.url === '/other') other.handleUpgrade(request, socket, head, (peer) => peer.send('from other'));
  });
  await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;

  const host = recordingHost(undefined, ({ socket }) => socket.send(new Uint8Array([42])));
  transport = webSocketServer({ server: http });
  await transport.start(host);
  expect(transport.port).toBe(port);

  const page = await fetch(`http://127.0.0.1:${port}/index.html`);
  expect(page.status).toBe(200);
  expect(await page.text()).toBe('static file');

  const ours = recorder();
  const oursSocket: Socket = nodeWebSocketClient(`ws://127.0.0.1:${port}/ws`).open(ours);
  const theirs = recorder();
  const theirsSocket: Socket = nodeWebSocketClient(`ws://127.0.0.1:${port}/other`).open(theirs);
  await until(() => ours.messages.length === 1 && theirs.messages.length === 1, 'both greetings');
  expect(ours.messages).toEqual([new Uint8Array([42])]);
  expect(theirs.messages).toEqual(['from other']);
  expect(host.requests.map(({ url }) => url)).toEqual(['/ws']);

  oursSocket.close(1000, '');
  theirsSocket.close(1000, '');
  await until(() => ours.closes.length === 1 && theirs.closes.length === 1, 'closes');
  await transport.stop();
  transport = undefined;

  // Stopping the transport leaves the shared server (not ours) up.
  expect(http.listening).toBe(true);
  expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('static file');
});
