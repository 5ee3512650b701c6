import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { nodeWebSocketClient } from '../../engine-plugin/src/transport/node-websocket-client';
import { type WebSocketServerTransport, webSocketServer } from '../../engine-plugin/src/transport/websocket-server';
import { recorder, recordingHost, until } from './recorders';

let server: WebSocketServerTransport | undefined;
let rawServer: WebSocketServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
  await new Promise<void>((resolve) => (rawServer ? rawServer.close(() => resolve()) : resolve()));
  rawServer = undefined;
});

it('delivers a text frame from a client to the server host as a string', async () => {
  const host = recordingHost();
  server = webSocketServer({ host: '127.0.0.1', port: 0 });
  await server.start(host);

  const raw = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
  await new Promise((resolve) => raw.once('open', resolve));
  raw.send('héllo', { binary: false });
  raw.send(new Uint8Array([1, 2]), { binary: true });

  await until(() => host.accepted[0]?.recorder.messages.length === 2, 'both messages');
  expect(host.accepted[0]!.recorder.messages).toEqual(['héllo', new Uint8Array([1, 2])]);
  raw.terminate();
});

it('sends a text frame from the WebSocket client with sendText', async () => {
  const host = recordingHost();
  server = webSocketServer({ host: '127.0.0.1', port: 0 });
  await server.start(host);
  const received = recorder();
  const socket = nodeWebSocketClient(`ws://127.0.0.1:${server.port}/ws`).open({ ...received, open: () => socket.sendText('hi') });
  await until(() => host.accepted[0]?.recorder.messages.length === 1, 'text message');
  expect(host.accepted[0]!.recorder.messages).toEqual(['hi']);
  socket.close(1000, '');
});

it('delivers a text frame from the server to the WebSocket client as a string', async () => {
  rawServer = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => rawServer!.once('listening', resolve));
  rawServer.on('connection', (peer) => {
    peer.send('plain text');
    peer.send(new Uint8Array([9]), { binary: true });
  });
  const port = (rawServer.address() as AddressInfo).port;

  const received = recorder();
  const socket = nodeWebSocketClient(`ws://127.0.0.1:${port}`).open(received);
  await until(() => received.messages.length === 2, 'both messages');
  expect(received.messages).toEqual(['plain text', new Uint8Array([9])]);
  expect(typeof received.messages[0]).toBe('string');
  socket.close(1003, 'binary frames only');
  await until(() => received.closes.length === 1, 'close');
  expect(received.closes).toEqual([{ code: 1003, reason: 'binary frames only' }]);
});
