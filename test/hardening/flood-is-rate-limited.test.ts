import { afterEach, describe, expect, it } from 'vitest';
import { ErrorMessage, ManualClock } from '../../engine-plugin/src/index';
import { TokenBucket } from '../../engine-plugin/src/connection/rate-limit';
import { Blob, Chat, protocol } from '../support/chat-protocol';
import { type ManualRig, startManualRig } from './support/manual-rig';

const RATE = 50;

describe('a token bucket', () => {
  it('allows a burst, then refills at its rate', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(10, 5, clock);
    let taken = 0;
    while (bucket.take(1)) taken++;
    expect(taken).toBe(5);
    clock.advance(100);
    expect(bucket.take(1)).toBe(true);
    expect(bucket.take(1)).toBe(false);
    clock.advance(10_000);
    expect(bucket.available).toBe(5);
  });
});

describe('a client flooding at ten times its rate limit', () => {
  let rig: ManualRig;
  afterEach(() => rig?.close());

  it('is limited (dropped, counted, told 429 once) and closed 4005 when it keeps on, while a neighbour is untouched', async () => {
    rig = await startManualRig(protocol, {
      settings: { messagesPerSecond: RATE, messageBurst: 10, rateLimitCloseMs: 2000, inboundCapacity: 100_000, idleTimeoutMs: 60_000 },
    });
    // A modified client: it ignores the rate limits the server advertised (a library client paces itself under them).
    const flooder = rig.client({ respectServerRateLimits: false });
    const neighbour = rig.client();
    flooder.connect();
    neighbour.connect();
    await rig.stepUntil(() => flooder.state === 'connected' && neighbour.state === 'connected');
    const flooderSession = rig.server.connection(flooder.id)!;
    const fromFlooder: string[] = [];
    const fromNeighbour: string[] = [];
    const errors: Array<{ code: number }> = [];
    const closes: number[] = [];
    // 1.5 s at 10 ms steps: the flooder sends 5 per step (500/s, ten times the limit), the neighbour one per 100 ms.
    for (let step = 0; step < 150; step++) {
      for (let i = 0; i < 5; i++) flooder.send(Chat, { text: `f${step}.${i}` });
      if (step % 10 === 0) neighbour.send(Chat, { text: `n${step}` });
      rig.step(10);
      for (const m of rig.server.messages(Chat)) (m.source.id === flooder.id ? fromFlooder : fromNeighbour).push(m.data.text);
      errors.push(...flooder.messages(ErrorMessage));
    }
    // Limited: about RATE per second plus the burst got through, the rest was dropped and counted.
    expect(fromFlooder.length).toBeGreaterThan(RATE);
    expect(fromFlooder.length).toBeLessThanOrEqual(RATE * 1.5 + 10 + 5);
    expect(flooderSession.stats.limited).toBeGreaterThan(500);
    expect(errors.filter((e) => e.code === 429)).toHaveLength(1);
    expect(flooderSession.state).toBe('active');
    // The neighbour lost nothing.
    expect(fromNeighbour).toEqual(Array.from({ length: 15 }, (_, i) => `n${i * 10}`));

    // Sustained past rateLimitCloseMs: closed with 4005.
    for (let step = 0; step < 100 && flooder.state !== 'closed'; step++) {
      for (let i = 0; i < 5; i++) flooder.send(Chat, { text: 'more' });
      rig.step(10);
      for (const e of rig.server.events()) if (e.type === 'disconnected') closes.push(e.code);
    }
    await rig.stepUntil(() => {
      for (const e of rig.server.events()) if (e.type === 'disconnected') closes.push(e.code);
      return closes.length > 0 && flooder.state === 'closed';
    });
    expect(closes).toEqual([4005]);
    neighbour.send(Chat, { text: 'after' });
    await rig.stepUntil(() => rig.server.messages(Chat).some((m) => m.data.text === 'after'));
    expect(neighbour.state).toBe('connected');
  });

  it('forgives a short burst: drops the excess but stays connected once it slows down', async () => {
    rig = await startManualRig(protocol, { settings: { messagesPerSecond: RATE, messageBurst: 10, rateLimitCloseMs: 500, idleTimeoutMs: 60_000 } });
    const client = rig.client({ respectServerRateLimits: false });
    client.connect();
    await rig.stepUntil(() => client.state === 'connected');
    for (let i = 0; i < 40; i++) client.send(Chat, { text: `burst ${i}` });
    rig.step(10);
    rig.step(10);
    let got = rig.server.messages(Chat).length;
    expect(got).toBeGreaterThanOrEqual(10);
    expect(got).toBeLessThan(40);
    for (let step = 0; step < 200; step++) {
      if (step % 5 === 0) client.send(Chat, { text: 'calm' });
      rig.step(10);
      got += rig.server.messages(Chat).length;
    }
    expect(client.state).toBe('connected');
    expect(rig.server.connection(client.id)!.stats.limited).toBeGreaterThan(0);
  });

  it('limits bytes too: frames over the byte budget have their messages dropped', async () => {
    rig = await startManualRig(protocol, {
      settings: { bytesPerSecond: 20_000, byteBurst: 70_000, rateLimitCloseMs: 60_000, idleTimeoutMs: 60_000 },
    });
    const client = rig.client({ respectServerRateLimits: false });
    client.connect();
    await rig.stepUntil(() => client.state === 'connected');
    let got = 0;
    // Ten 50 KB blobs in one second: 500 KB against a 20 KB/s budget with a 70 KB burst.
    for (let step = 0; step < 100; step++) {
      if (step % 10 === 0) client.send(Blob, { data: new Uint8Array(50_000) });
      rig.step(10);
      got += rig.server.messages(Blob).length;
    }
    expect(got).toBeGreaterThanOrEqual(1);
    expect(got).toBeLessThanOrEqual(2);
    expect(rig.server.connection(client.id)!.stats.limited).toBeGreaterThanOrEqual(8);
  });
});
