import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { nodeWebSocketClient } from '../../engine-plugin/src/transport/node-websocket-client';
import type { Admission } from '../../engine-plugin/src/transport/transport';
import { type WebSocketServerTransport, webSocketServer } from '../../engine-plugin/src/transport/websocket-server';
import { recorder, recordingHost, until } from './recorders';

let server: WebSocketServerTransport | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** Send a WebSocket upgrade request by hand and report what came back instead of a 101. */
function upgradeRequest(port: number, path: string): Promise<{ status: number; body: string; upgraded: boolean }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({
      host: '127.0.0.1',
      port,
      path,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version': '13',
      },
    });
    request.on('upgrade', (_response, socket) => {
      socket.destroy();
      resolve({ status: 101, body: '', upgraded: true });
    });
    request.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, upgraded: false }));
    });
    request.on('error', reject);
    request.end();
  });
}

it.each([
  [401, 'bad token'],
  [503, 'server full'],
])('answers a refused upgrade with HTTP %i and never upgrades or calls accept', async (status, reason) => {
  const host = recordingHost(() => ({ accept: false, status, reason }));
  server = webSocketServer({ host: '127.0.0.1', port: 0 });
  await server.start(host);

  const answer = await upgradeRequest(server.port, '/ws?token=nope');
  expect(answer).toEqual({ status, body: reason, upgraded: false });

  const received = recorder();
  nodeWebSocketClient(`ws://127.0.0.1:${server.port}/ws`).open(received);
  await until(() => received.closes.length === 1, 'client close');
  expect(received.opens).toBe(0);
  expect(received.closes).toEqual([{ code: 1006, reason: `Unexpected server response: ${status}` }]);
  expect(host.requests).toHaveLength(2);
  expect(host.accepted).toEqual([]);
});

it('gives admit the request: url with query, lower-cased headers, remote address, offered subprotocols', async () => {
  const host = recordingHost(() => ({ accept: false, status: 401, reason: 'no' }));
  server = webSocketServer({ host: '127.0.0.1', port: 0 });
  await server.start(host);

  const received = recorder();
  nodeWebSocketClient(`ws://127.0.0.1:${server.port}/ws?token=abc`, {
    headers: { Authorization: 'Bearer xyz' },
    protocols: ['tickwire.v1', 'token.abc'],
  }).open(received);
  await until(() => received.closes.length === 1, 'client close');

  const [request] = host.requests;
  expect(request!.url).toBe('/ws?token=abc');
  expect(request!.headers['authorization']).toBe('Bearer xyz');
  expect(request!.remoteAddress).toMatch(/127\.0\.0\.1$/);
  expect(request!.protocols).toEqual(['tickwire.v1', 'token.abc']);
});

it('answers 500 when admit throws, reports the error, and keeps serving', async () => {
  const errors: unknown[] = [];
  let calls = 0;
  const host = recordingHost(async (): Promise<Admission> => {
    if (calls++ === 0) throw new Error('token service down');
    return { accept: true, identity: 'second' };
  });
  server = webSocketServer({ host: '127.0.0.1', port: 0, onError: (error) => errors.push(error) });
  await server.start(host);

  const answer = await upgradeRequest(server.port, '/ws');
  expect(answer.status).toBe(500);
  expect(errors).toEqual([new Error('token service down')]);

  const received = recorder();
  nodeWebSocketClient(`ws://127.0.0.1:${server.port}/ws`).open(received);
  await until(() => received.opens === 1, 'second client open');
  expect(host.accepted.map(({ admission }) => admission.identity)).toEqual(['second']);
});

it('survives a client that resets the connection while admission is pending, without accepting it', async () => {
  let admitNow: (admission: Admission) => void = () => {};
  const host = recordingHost(() => new Promise<Admission>((resolve) => (admitNow = resolve)));
  server = webSocketServer({ host: '127.0.0.1', port: 0 });
  await server.start(host);

  const raw = connect(server.port, '127.0.0.1');
  raw.on('error', () => {});
  raw.write(
    'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  await until(() => host.requests.length === 1, 'admission started');
  // A TCP reset makes the server's socket emit 'error' (ECONNRESET) while nobody else listens.
  raw.resetAndDestroy();
  await new Promise((resolve) => setTimeout(resolve, 50));

  admitNow({ accept: true, identity: 'late' });
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(host.accepted).toEqual([]);

  const received = recorder();
  nodeWebSocketClient(`ws://127.0.0.1:${server.port}/ws`).open(received);
  await until(() => host.requests.length === 2, 'next admission');
  admitNow({ accept: true, identity: 'next' });
  await until(() => received.opens === 1, 'next client open');
});

it('answers 404 to an upgrade on another path of a server it owns, without asking admit', async () => {
  const host = recordingHost();
  server = webSocketServer({ host: '127.0.0.1', port: 0, path: '/game' });
  await server.start(host);

  expect((await upgradeRequest(server.port, '/elsewhere')).status).toBe(404);
  expect((await upgradeRequest(server.port, '/game?room=1')).upgraded).toBe(true);
  expect(host.requests.map(({ url }) => url)).toEqual(['/game?room=1']);
});
