import { afterEach, describe, expect, it } from 'vitest';
import { Noise, Shout, protocol } from '../support/chat-protocol';
import { type Rig, TRANSPORTS, startRig } from '../support/rig';

describe.each(TRANSPORTS)('over %s: a full outbound channel', (kind) => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('closes the connection with 4008 and tells game code, other clients unaffected', async () => {
    rig = await startRig(kind, protocol, { settings: { channelCapacity: 20 } });
    const [slow, fine] = [rig.client(), rig.client()];
    slow.connect();
    fine.connect();
    await rig.until(() => slow.state === 'connected' && fine.state === 'connected');
    const session = rig.server.connection(slow.id)!;
    for (let i = 0; i < 21; i++) rig.server.send(session, Shout, { text: 'x', from: i });
    expect(session.state).toBe('closed');
    const closes: number[] = [];
    await rig.until(() => {
      for (const e of rig.server.events()) if (e.type === 'disconnected') closes.push(e.code);
      return closes.length === 1 && slow.state === 'closed';
    });
    expect(closes).toEqual([4008]);
    rig.server.broadcast(Shout, { text: 'still here', from: 0 });
    await rig.until(() => fine.messages(Shout).length === 1);
    expect(fine.state).toBe('connected');
  });

  it('drops the oldest droppable message instead, and counts it', async () => {
    rig = await startRig(kind, protocol, { settings: { channelCapacity: 10 } });
    const client = rig.client();
    client.connect();
    await rig.until(() => client.state === 'connected');
    const session = rig.server.connection(client.id)!;
    for (let n = 0; n < 25; n++) rig.server.send(session, Noise, { n });
    expect(session.state).toBe('active');
    expect(session.stats.dropped).toBe(15);
    const got: number[] = [];
    await rig.until(() => {
      got.push(...client.messages(Noise).map((m) => m.n));
      return got.length === 10;
    });
    expect(got).toEqual([15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
  });

  it('emits one channelWarning when crossing the threshold', async () => {
    rig = await startRig(kind, protocol, { settings: { channelCapacity: 10, channelWarningThreshold: 0.5 } });
    const client = rig.client();
    client.connect();
    await rig.until(() => client.state === 'connected');
    rig.step();
    const session = rig.server.connection(client.id)!;
    for (let i = 0; i < 8; i++) rig.server.send(session, Shout, { text: 'w', from: i });
    rig.server.receive();
    const warnings = rig.server.events().filter((e) => e.type === 'channelWarning');
    expect(warnings).toHaveLength(1);
  });
});
