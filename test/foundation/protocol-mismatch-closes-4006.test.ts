import { afterEach, describe, expect, it } from 'vitest';
import { defineMessage, defineProtocol, t } from '../../engine-plugin/src/index';
import { Blob, Chat, Noise, Position, Shout, protocol } from '../support/chat-protocol';
import { type Rig, TRANSPORTS, startRig } from '../support/rig';

describe.each(TRANSPORTS)('over %s: a client built from other definitions', (kind) => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('gets close 4006 and an error naming what differs, and does not retry', async () => {
    rig = await startRig(kind, protocol);
    const Extra = defineMessage('extra', { n: t.u8() });
    const other = defineProtocol({ messages: [Chat, Shout, Noise, Blob, Extra], components: [Position] });
    const client = rig.client({ protocol: other, reconnect: { initialMs: 10 } });
    client.connect();
    const errors: string[] = [];
    const closes: number[] = [];
    await rig.until(() => {
      for (const e of client.events()) {
        if (e.type === 'error') errors.push(`${e.error.name}: ${e.error.message}`);
        if (e.type === 'disconnected') closes.push(e.code);
      }
      return client.state === 'closed';
    });
    expect(closes).toEqual([4006]);
    expect(errors[0]).toMatch(/ProtocolMismatchError/);
    expect(errors[0]).toMatch(/only on the client: message extra/);
    expect([...rig.server.connections()]).toHaveLength(0);
  });
});
