import { request as httpRequest } from 'node:http';
import { expect, it } from 'vitest';
import { nodeWebSocketClient } from '../../engine-plugin/src/transport/node-websocket-client';
import { webSocketServer } from '../../engine-plugin/src/transport/websocket-server';
import { recorder, recordingHost, until } from './recorders';

it('stop() returns promptly with WebSockets and keep-alive HTTP connections still open, closing sockets with 1001', async () => {
  const host = recordingHost();
  const server = webSocketServer({ host: '127.0.0.1', port: 0 });
  await server.start(host);
  const { port } = server;

  const clients = [recorder(), recorder()];
  for (const client of clients) nodeWebSocketClient(`ws://127.0.0.1:${port}/ws`).open(client);
  await until(() => clients.every((client) => client.opens === 1), 'clients open');

  // A keep-alive HTTP connection left idle after its response would hold a plain `server.close()`.
  const answer = await new Promise<{ status: number; upgrade: string | undefined }>((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path: '/', headers: { Connection: 'keep-alive' } }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, upgrade: response.headers.upgrade }));
    });
    request.on('error', reject);
    request.end();
  });
  expect(answer).toEqual({ status: 426, upgrade: 'websocket' });

  const started = performance.now();
  await server.stop();
  expect(performance.now() - started).toBeLessThan(1500);

  await until(() => clients.every((client) => client.closes.length === 1), 'client closes');
  for (const client of clients) expect(client.closes).toEqual([{ code: 1001, reason: 'server stopped' }]);
  for (const { recorder: onServer } of host.accepted) expect(onServer.closes).toEqual([{ code: 1001, reason: 'server stopped' }]);
  expect(() => server.port).toThrow(/not listening/);

  // The port is released: nothing answers there any more.
  const late = recorder();
  nodeWebSocketClient(`ws://127.0.0.1:${port}/ws`).open(late);
  await until(() => late.closes.length === 1, 'refused connection');
  expect(late.opens).toBe(0);
  expect(late.closes[0]!.code).toBe(1006);
});

it('stop() drops sockets that do not finish the closing handshake within the grace period', async () => {
  const host = recordingHost();
  const server = webSocketServer({ host: '127.0.0.1', port: 0, closeGraceMs: 100 });
  await server.start(host);
  const { WebSocket } = await import('ws');
  // autoPong off does not stop close echoes; pausing the socket does: the peer never reads the close frame.
  const peer = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
  await new Promise((resolve) => peer.once('open', resolve));
  peer.pause();

  const started = performance.now();
  await server.stop();
  const elapsed = performance.now() - started;
  expect(elapsed).toBeGreaterThanOrEqual(90);
  expect(elapsed).toBeLessThan(1000);
  expect(host.accepted[0]!.recorder.closes).toHaveLength(1);
  peer.terminate();
});
