import { afterEach, describe, expect, it } from 'vitest';
import type { ClientEvent } from '../../engine-plugin/src/index';
import { Blob, pattern, protocol } from '../support/big-payload-protocol';
import { type Rig, startRig } from '../support/rig';

describe('a client sending more than the server takes in one frame', () => {
  let rig: Rig;
  afterEach(() => rig?.close());

  async function sendTwentyBlobsInOneTick(): Promise<void> {
    const client = rig.client();
    client.connect();
    await rig.until(() => client.state === 'connected');
    // ~1.2 MB in one tick: more than the server's 1 MiB frame limit, and more than its byte burst allows at once.
    for (let n = 1; n <= 20; n++) expect(client.send(Blob, { n, data: pattern(n, 59_000) })).toBe(true);
    const received: Array<{ n: number; data: Uint8Array }> = [];
    const events: ClientEvent[] = [];
    await rig.until(() => {
      for (const m of rig.server.messages(Blob)) received.push(m.data);
      events.push(...client.events());
      return received.length >= 20;
    }, 10_000);
    expect(received.map((m) => m.n)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const m of received) expect(Buffer.from(m.data).equals(pattern(m.n, 59_000)), `message ${m.n} intact`).toBe(true);
    expect(events.filter((e) => e.type === 'disconnected' || e.type === 'error')).toEqual([]);
    expect(client.state).toBe('connected');
    const session = rig.server.connection(client.id)!;
    // Nothing was dropped by the server's rate limiter either: the client kept under what the Welcome advertised.
    expect(session.stats.limited).toBe(0);
  }

  it('splits them over several Client frames: every message send() accepted arrives, in order, over real ws', async () => {
    rig = await startRig('ws', protocol, { settings: { bytesPerSecond: 0 } });
    await sendTwentyBlobsInOneTick();
  });

  it('and paces them under the server’s advertised byte rate (default limits), losing none to the limiter', async () => {
    rig = await startRig('ws', protocol);
    await sendTwentyBlobsInOneTick();
  });
});
