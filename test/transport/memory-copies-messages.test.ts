import { expect, it } from 'vitest';
import { connectedPair } from './memory-fixture';

it('copies every message: neither side ever holds the other side’s buffer', async () => {
  const { clock, client, onClient, server } = await connectedPair();
  const outgoing = new Uint8Array([1, 2, 3]);
  client.send(outgoing);
  // The sender reuses its scratch buffer straight away, as an encoder would.
  outgoing.fill(0);
  clock.advance(0);
  const received = server.recorder.messages[0] as Uint8Array;
  expect(received).toEqual(new Uint8Array([1, 2, 3]));
  expect(received.buffer).not.toBe(outgoing.buffer);

  received[0] = 99;
  server.socket.send(received);
  received[1] = 99;
  clock.advance(0);
  expect(onClient.messages[0]).toEqual(new Uint8Array([99, 2, 3]));
});

it('delivers a plain Uint8Array copy when sent a view into a larger buffer (such as a Node Buffer)', async () => {
  const { clock, client, server } = await connectedPair();
  const pool = Buffer.alloc(64, 7);
  client.send(pool.subarray(8, 12));
  clock.advance(0);
  const received = server.recorder.messages[0] as Uint8Array;
  expect(received.constructor).toBe(Uint8Array);
  expect(received.byteLength).toBe(4);
  expect(received.buffer.byteLength).toBe(4);
  expect(Array.from(received)).toEqual([7, 7, 7, 7]);
});
