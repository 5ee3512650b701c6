import { afterEach, describe, expect, it } from 'vitest';
import { protocol } from '../support/chat-protocol';
import { type Rig, startRig } from '../support/rig';

describe("whenFull: 'close'", () => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('tells the connection over the limit why (4002 and a reason) instead of refusing the upgrade', async () => {
    rig = await startRig('ws', protocol, { maxConnections: 1, whenFull: 'close' });
    const first = rig.client();
    first.connect();
    await rig.until(() => first.state === 'connected');
    const second = rig.client();
    second.connect();
    const closes: string[] = [];
    await rig.until(() => {
      for (const e of second.events()) if (e.type === 'disconnected') closes.push(`${e.code} ${e.reason}`);
      return closes.length === 1;
    });
    expect(closes).toEqual(['4002 the server is full (1 of 1 places taken)']);
    expect(first.state).toBe('connected');
    expect([...rig.server.connections()]).toHaveLength(1);
  });
});
