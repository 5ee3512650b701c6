import { expect, it } from 'vitest';
import { connectedPair } from './memory-fixture';

async function arrivalTimes(seed: number): Promise<{ order: number[]; times: number[] }> {
  const { clock, client, server } = await connectedPair({ latencyMs: 20, jitterMs: 80 }, seed);
  const start = clock.now();
  const times: number[] = [];
  const original = server.recorder.message;
  server.recorder.message = (data) => {
    times.push(clock.now() - start);
    original(data);
  };
  // Several sends per millisecond, so jitter would reorder them if the lane allowed it.
  for (let i = 0; i < 300; i++) {
    client.send(new Uint8Array([i & 0xff, i >> 8]));
    if (i % 3 === 2) clock.advance(1);
  }
  clock.advance(200);
  const order = server.recorder.messages.map((message) => (message as Uint8Array)[0]! | ((message as Uint8Array)[1]! << 8));
  return { order, times };
}

it('keeps messages in order under jitter, delays each by at least the latency, and is deterministic per seed', async () => {
  const first = await arrivalTimes(7);
  expect(first.order).toEqual(Array.from({ length: 300 }, (_, i) => i));

  const sentAt = (i: number): number => Math.floor(i / 3);
  const extra = first.times.map((time, i) => time - sentAt(i) - 20);
  expect(Math.min(...extra)).toBeGreaterThanOrEqual(0);
  // Jitter really applies: some messages are held back well past the base latency.
  expect(Math.max(...extra)).toBeGreaterThan(40);
  for (let i = 1; i < first.times.length; i++) expect(first.times[i]!).toBeGreaterThanOrEqual(first.times[i - 1]!);

  expect(await arrivalTimes(7)).toEqual(first);
  expect((await arrivalTimes(8)).times).not.toEqual(first.times);
});
