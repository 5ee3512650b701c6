import { afterEach, describe, expect, it } from 'vitest';
import { Chat, protocol } from '../support/chat-protocol';
import { type Rig, TRANSPORTS, startRig } from '../support/rig';

describe.each(TRANSPORTS)('over %s: events and messages are visible for exactly one tick', (kind) => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('a message read in one tick is gone in the next; connected shows once', async () => {
    rig = await startRig(kind, protocol);
    const client = rig.client();
    client.connect();
    let connectedSeen = 0;
    await rig.until(() => {
      connectedSeen += rig.server.events().filter((e) => e.type === 'connected').length;
      return client.state === 'connected' && connectedSeen === 1;
    });
    client.send(Chat, { text: 'once' });
    client.flush();
    await rig.until(() => rig.server.messages(Chat).length === 1);
    expect(rig.server.messages(Chat)[0]!.data.text).toBe('once');
    rig.server.receive();
    expect(rig.server.messages(Chat)).toHaveLength(0);
    expect(rig.server.events()).toHaveLength(0);
  });
});
