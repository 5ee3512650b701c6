import { expect, it } from 'vitest';
import { connectedPair } from './memory-fixture';
import { bytes } from './recorders';

it('holds bytes over a bandwidth cap in the sender’s bufferedAmount and drains them over time', async () => {
  // 1000 B/s towards the client: a slow consumer as the server sees it.
  const { clock, client, onClient, server } = await connectedPair({ toClient: { bandwidthBytesPerSecond: 1000, latencyMs: 5 } });

  for (let i = 0; i < 10; i++) server.socket.send(bytes(100, i));
  expect(server.socket.bufferedAmount).toBe(1000);
  expect(client.bufferedAmount).toBe(0);

  clock.advance(250);
  // Two messages are fully on the wire; the third is half sent and still counts.
  expect(server.socket.bufferedAmount).toBe(800);
  clock.advance(250);
  expect(server.socket.bufferedAmount).toBe(500);
  // Each arrives once its last byte is on the wire plus the latency.
  expect(onClient.messages).toHaveLength(4);
  clock.advance(500);
  expect(server.socket.bufferedAmount).toBe(0);
  expect(onClient.messages).toHaveLength(9);
  clock.advance(5);
  expect(onClient.messages.map((message) => (message as Uint8Array)[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

it('queues new bytes behind the backlog, and lifting the cap speeds only what is sent afterwards', async () => {
  const { clock, onClient, server, transport } = await connectedPair({ bandwidthBytesPerSecond: 100 });
  server.socket.send(bytes(100));
  transport.link.setConditions({});
  server.socket.send(bytes(10));
  // The small message waits for the big one ahead of it in the stream.
  expect(server.socket.bufferedAmount).toBe(110);
  clock.advance(999);
  expect(onClient.messages).toHaveLength(0);
  clock.advance(1);
  expect(onClient.messages).toHaveLength(2);
  expect(server.socket.bufferedAmount).toBe(0);
  server.socket.send(bytes(10_000));
  expect(server.socket.bufferedAmount).toBe(0);
  clock.advance(0);
  expect(onClient.messages).toHaveLength(3);
});
