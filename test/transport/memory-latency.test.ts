import { expect, it } from 'vitest';
import { ManualClock } from '../../engine-plugin/src/transport/clock';
import { createMemoryNetwork } from '../../engine-plugin/src/transport/memory';
import { connectedPair } from './memory-fixture';
import { recorder, recordingHost } from './recorders';

it('takes a round trip of link latency to open: admission after one way, open after the answer returns', async () => {
  const clock = new ManualClock();
  const network = createMemoryNetwork({ clock });
  const host = recordingHost();
  await network.server().start(host);
  const onClient = recorder();
  network.client({ conditions: { toServer: { latencyMs: 30 }, toClient: { latencyMs: 50 } } }).open(onClient);

  clock.advance(29);
  expect(host.requests).toHaveLength(0);
  clock.advance(1);
  expect(host.requests).toHaveLength(1);
  expect(host.accepted).toHaveLength(1);
  clock.advance(49);
  expect(onClient.opens).toBe(0);
  clock.advance(1);
  expect(onClient.opens).toBe(1);
});

it('delivers each message exactly one latency after it was sent, per direction', async () => {
  const { clock, client, onClient, server } = await connectedPair({ toServer: { latencyMs: 40 }, toClient: { latencyMs: 15 } });

  client.send(new Uint8Array([1]));
  clock.advance(10);
  client.send(new Uint8Array([2]));
  server.socket.send(new Uint8Array([3]));
  clock.advance(14);
  expect(onClient.messages).toEqual([]);
  clock.advance(1);
  expect(onClient.messages).toEqual([new Uint8Array([3])]);
  clock.advance(14);
  expect(server.recorder.messages).toEqual([]);
  clock.advance(1); // t = 40 after the first send
  expect(server.recorder.messages).toEqual([new Uint8Array([1])]);
  clock.advance(9);
  expect(server.recorder.messages).toHaveLength(1);
  clock.advance(1);
  expect(server.recorder.messages).toEqual([new Uint8Array([1]), new Uint8Array([2])]);
});

it('never delivers inside send, even with zero latency: delivery waits for the next clock tick', async () => {
  const { clock, client, server } = await connectedPair();
  let sending = false;
  const original = server.recorder.message;
  const deliveredDuringSend: boolean[] = [];
  server.recorder.message = (data) => {
    deliveredDuringSend.push(sending);
    original(data);
  };

  sending = true;
  client.send(new Uint8Array([7]));
  sending = false;
  expect(server.recorder.messages).toEqual([]);
  clock.advance(0);
  expect(server.recorder.messages).toEqual([new Uint8Array([7])]);
  expect(deliveredDuringSend).toEqual([false]);
});

it('applies new conditions to messages sent after setConditions, leaving in-flight ones on schedule', async () => {
  const { clock, client, server, transport } = await connectedPair({ latencyMs: 100 });
  client.send(new Uint8Array([1]));
  transport.link.setConditions({ latencyMs: 10 });
  client.send(new Uint8Array([2]));
  clock.advance(10);
  // Order holds: the second message cannot overtake the first one in the same stream.
  expect(server.recorder.messages).toEqual([]);
  clock.advance(90);
  expect(server.recorder.messages).toEqual([new Uint8Array([1]), new Uint8Array([2])]);
  client.send(new Uint8Array([3]));
  clock.advance(10);
  expect(server.recorder.messages).toHaveLength(3);
  expect(transport.link.conditions).toEqual({ toServer: { latencyMs: 10 }, toClient: { latencyMs: 10 } });
});

it('runs on real time with the default clock', async () => {
  const network = createMemoryNetwork();
  const host = recordingHost(undefined, ({ socket }) => socket.send(new Uint8Array([5])));
  await network.server().start(host);
  const onClient = recorder();
  network.client({ conditions: { latencyMs: 5 } }).open(onClient);
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const poll = (): void => {
      if (onClient.messages.length > 0) resolve();
      else setTimeout(poll, 1);
    };
    poll();
  });
  expect(performance.now() - started).toBeGreaterThanOrEqual(9);
  expect(onClient.opens).toBe(1);
  expect(onClient.messages).toEqual([new Uint8Array([5])]);
});
