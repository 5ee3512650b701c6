import { expect, it } from 'vitest';
import { connectedPair } from './memory-fixture';
import { recorder } from './recorders';

it('drops the connection on link.disconnect(): in-flight data is lost and both sides see 1006 once, on the next tick', async () => {
  const { clock, client, onClient, server, transport } = await connectedPair({ latencyMs: 50 });
  client.send(new Uint8Array([1]));
  server.socket.send(new Uint8Array([2]));
  clock.advance(10);
  expect(transport.link.connectionCount).toBe(1);

  transport.link.disconnect();
  expect(onClient.closes).toEqual([]);
  expect(server.recorder.closes).toEqual([]);
  clock.advance(0);
  expect(onClient.closes).toEqual([{ code: 1006, reason: 'link disconnected' }]);
  expect(server.recorder.closes).toEqual([{ code: 1006, reason: 'link disconnected' }]);

  client.send(new Uint8Array([3]));
  client.close(1000, 'late');
  server.socket.close(1000, 'late');
  clock.advance(500);
  expect(onClient.messages).toEqual([]);
  expect(server.recorder.messages).toEqual([]);
  expect(onClient.closes).toHaveLength(1);
  expect(server.recorder.closes).toHaveLength(1);
  expect(transport.link.connectionCount).toBe(0);
});

it('lets the same client transport reconnect over the link after a drop', async () => {
  const { clock, host, transport } = await connectedPair({ latencyMs: 5 });
  transport.link.disconnect('cable pulled');
  clock.advance(0);

  const again = recorder();
  const socket = transport.open(again);
  clock.advance(10);
  expect(again.opens).toBe(1);
  socket.send(new Uint8Array([9]));
  clock.advance(5);
  expect(host.accepted).toHaveLength(2);
  expect(host.accepted[1]!.recorder.messages).toEqual([new Uint8Array([9])]);
  expect(host.accepted[0]!.recorder.closes).toEqual([{ code: 1006, reason: 'cable pulled' }]);
});

it('fails a connection that is dropped while opening with 1006, never calling open', async () => {
  const { clock, transport, host } = await connectedPair({ latencyMs: 20 });
  const opening = recorder();
  transport.open(opening);
  clock.advance(25);
  expect(host.accepted).toHaveLength(2);
  transport.link.disconnect();
  clock.advance(100);
  expect(opening.opens).toBe(0);
  expect(opening.closes).toEqual([{ code: 1006, reason: 'link disconnected' }]);
  expect(host.accepted[1]!.recorder.closes).toEqual([{ code: 1006, reason: 'link disconnected' }]);
});
