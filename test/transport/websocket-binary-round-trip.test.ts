import { afterEach, expect, it } from 'vitest';
import { nodeWebSocketClient } from '../../engine-plugin/src/transport/node-websocket-client';
import type { Socket } from '../../engine-plugin/src/transport/transport';
import { type WebSocketServerTransport, webSocketServer } from '../../engine-plugin/src/transport/websocket-server';
import { bytes, recorder, recordingHost, until } from './recorders';

let server: WebSocketServerTransport | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

it('carries binary messages both ways between the server and several clients, as plain Uint8Arrays', async () => {
  const host = recordingHost(undefined, ({ socket, recorder: received }) => {
    // Echo each message back reversed, so the reply is provably the server's.
    const original = received.message;
    received.message = (data) => {
      original(data);
      if (typeof data !== 'string') socket.send(data.slice().reverse());
    };
  });
  server = webSocketServer({ host: '127.0.0.1', port: 0 });
  await server.start(host);
  const url = `ws://127.0.0.1:${server.port}/ws`;

  const clients = [0, 1, 2].map((index) => {
    const received = recorder();
    const socket: Socket = nodeWebSocketClient(url).open({
      ...received,
      open() {
        received.open();
        socket.send(bytes(4 + index, index * 10));
        socket.send(bytes(70_000, index));
      },
    });
    return { received, socket };
  });

  await until(() => clients.every(({ received }) => received.messages.length === 2), 'echoes');

  expect(host.accepted).toHaveLength(3);
  for (const [index, { received }] of clients.entries()) {
    expect(received.opens).toBe(1);
    expect(received.messages[0]).toEqual(bytes(4 + index, index * 10).reverse());
    // Over 64 KiB (the 64-bit length form); compared as a Buffer because a deep toEqual of 70k elements is slow.
    expect(Buffer.compare(received.messages[1] as Uint8Array, bytes(70_000, index).reverse())).toBe(0);
    expect(received.messages[0]).toBeInstanceOf(Uint8Array);
  }
  for (const { recorder: onServer } of host.accepted) {
    expect(onServer.messages).toHaveLength(2);
    // Never a Node Buffer: Buffer#slice would alias memory where Uint8Array#slice copies.
    expect(onServer.messages[0]?.constructor).toBe(Uint8Array);
  }
  const firstMessages = host.accepted.map(({ recorder: onServer }) => Array.from(onServer.messages[0] as Uint8Array));
  expect(firstMessages).toEqual(expect.arrayContaining([Array.from(bytes(4, 0)), Array.from(bytes(5, 10)), Array.from(bytes(6, 20))]));

  for (const { socket } of clients) socket.close(1000, 'done');
  await until(() => clients.every(({ received }) => received.closes.length === 1), 'client closes');
  await until(() => host.accepted.every(({ recorder: onServer }) => onServer.closes.length === 1), 'server closes');
  for (const { received } of clients) expect(received.closes).toEqual([{ code: 1000, reason: 'done' }]);
  for (const { recorder: onServer } of host.accepted) expect(onServer.closes).toEqual([{ code: 1000, reason: 'done' }]);
});
