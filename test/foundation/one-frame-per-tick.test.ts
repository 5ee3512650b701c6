import { afterEach, describe, expect, it } from 'vitest';
import { Chat, Shout, protocol } from '../support/chat-protocol';
import { type Rig, TRANSPORTS, startRig } from '../support/rig';

describe.each(TRANSPORTS)('over %s: everything for one connection in one tick leaves as one frame', (kind) => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('50 messages queued in one tick arrive in one WebSocket message, both directions', async () => {
    // No heartbeats during the test, so every frame counted is a Tick or Client frame.
    const quiet = { heartbeatIntervalMs: 60_000, idleTimeoutMs: 120_000 };
    rig = await startRig(kind, protocol, { settings: quiet });
    const client = rig.client({ settings: quiet });
    client.connect();
    await rig.until(() => client.state === 'connected' && rig.server.connection(client.id) !== undefined);
    const session = rig.server.connection(client.id)!;
    // Let frames already in flight (Welcome, snapshot, acknowledgements) land before counting.
    const settle = async () => {
      for (let i = 0; i < 4; i++) {
        await new Promise((resolve) => setTimeout(resolve, 15));
        rig.step();
      }
    };
    await settle();

    const serverFramesBefore = session.stats.framesIn;
    for (let i = 0; i < 50; i++) client.send(Chat, { text: `m${i}` });
    client.flush();
    const received: string[] = [];
    await rig.until(() => {
      received.push(...rig.server.messages(Chat).map((m) => m.data.text));
      return received.length === 50;
    });
    expect(received).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
    expect(session.stats.framesIn - serverFramesBefore).toBe(1);

    await settle();
    const clientFramesBefore = client.connection.stats.framesIn;
    for (let i = 0; i < 50; i++) rig.server.send(session, Shout, { text: `s${i}`, from: 0 });
    rig.server.flush();
    const got: string[] = [];
    await rig.until(() => {
      got.push(...client.messages(Shout).map((m) => m.text));
      return got.length === 50;
    });
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => `s${i}`));
    expect(client.connection.stats.framesIn - clientFramesBefore).toBe(1);
  });
});
