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

it('closes a client that sends a message over maxPayload with 1009, and keeps serving others', async () => {
  const host = recordingHost();
  server = webSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 1024 });
  await server.start(host);
  const url = `ws://127.0.0.1:${server.port}/ws`;

  const offender = recorder();
  const offenderSocket: Socket = nodeWebSocketClient(url).open({
    ...offender,
    open: () => {
      offenderSocket.send(bytes(1024));
      offenderSocket.send(bytes(1025));
    },
  });
  await until(() => offender.closes.length === 1, 'offender close');
  expect(offender.closes[0]!.code).toBe(1009);
  await until(() => host.accepted[0]?.recorder.closes.length === 1, 'server-side close');
  expect(host.accepted[0]!.recorder.closes[0]!.code).toBe(1009);
  // The message at the limit got through; the one over it did not.
  expect(host.accepted[0]!.recorder.messages.map((message) => message.length)).toEqual([1024]);

  const bystander = recorder();
  const bystanderSocket: Socket = nodeWebSocketClient(url).open({ ...bystander, open: () => bystanderSocket.send(bytes(10)) });
  await until(() => host.accepted[1]?.recorder.messages.length === 1, 'bystander message');
  expect(bystander.closes).toEqual([]);
  bystanderSocket.close(1000, '');
});

it('closes with 1009 on both sides when the server sends more than the Node client accepts', async () => {
  const host = recordingHost(undefined, ({ socket }) => socket.send(bytes(4096)));
  server = webSocketServer({ host: '127.0.0.1', port: 0 });
  await server.start(host);

  const received = recorder();
  nodeWebSocketClient(`ws://127.0.0.1:${server.port}/ws`, { maxPayload: 1000 }).open(received);
  await until(() => received.closes.length === 1, 'client close');
  expect(received.messages).toEqual([]);
  expect(received.closes[0]!.code).toBe(1009);
  await until(() => host.accepted[0]?.recorder.closes.length === 1, 'server-side close');
  expect(host.accepted[0]!.recorder.closes[0]!.code).toBe(1009);
});
