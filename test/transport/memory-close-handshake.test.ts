import { expect, it } from 'vitest';
import { connectedPair } from './memory-fixture';

it('delivers a close after the messages sent before it; the initiator hears back a round trip later', async () => {
  const { clock, onClient, server } = await connectedPair({ latencyMs: 10 });
  server.socket.send(new Uint8Array([1]));
  server.socket.send(new Uint8Array([2]));
  server.socket.close(4004, 'server shutdown');
  // Sends after close are dropped, a second close is ignored.
  server.socket.send(new Uint8Array([3]));
  server.socket.close(1000, 'again');

  clock.advance(10);
  expect(onClient.messages).toEqual([new Uint8Array([1]), new Uint8Array([2])]);
  expect(onClient.closes).toEqual([{ code: 4004, reason: 'server shutdown' }]);
  expect(server.recorder.closes).toEqual([]);
  clock.advance(10);
  expect(server.recorder.closes).toEqual([{ code: 4004, reason: 'server shutdown' }]);
  clock.advance(100);
  expect(onClient.closes).toHaveLength(1);
  expect(server.recorder.closes).toHaveLength(1);
});

it('stops delivering messages to a side once it has called close', async () => {
  const { clock, client, server } = await connectedPair({ latencyMs: 10 });
  server.socket.send(new Uint8Array([1]));
  server.socket.close(1000, 'bye');
  client.send(new Uint8Array([2]));
  clock.advance(30);
  expect(server.recorder.messages).toEqual([]);
  expect(server.recorder.closes).toEqual([{ code: 1000, reason: 'bye' }]);
});

it('truncates a long close reason to the 123 bytes a close frame holds, on a character boundary', async () => {
  const { clock, client, server } = await connectedPair();
  client.close(1000, 'é'.repeat(100));
  clock.advance(0);
  expect(server.recorder.closes).toEqual([{ code: 1000, reason: 'é'.repeat(61) }]);
});

it('carries a text frame as a string, and throws on a send before open', async () => {
  const { clock, client, server, transport } = await connectedPair();
  client.sendText('hello');
  clock.advance(0);
  expect(server.recorder.messages).toEqual(['hello']);
  const opening = transport.open({ open() {}, message() {}, close() {} });
  expect(() => opening.send(new Uint8Array([1]))).toThrow(/not open/);
});
