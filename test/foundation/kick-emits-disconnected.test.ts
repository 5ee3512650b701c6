import { afterEach, describe, expect, it } from 'vitest';
import { Chat, protocol } from '../support/chat-protocol';
import { type Rig, TRANSPORTS, startRig } from '../support/rig';

describe.each(TRANSPORTS)('over %s: disconnect(conn, code, reason)', (kind) => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('closes with the code, emits disconnected on the server, and the kicked client does not retry', async () => {
    rig = await startRig(kind, protocol);
    const client = rig.client({ reconnect: { initialMs: 5 } });
    client.connect();
    await rig.until(() => client.state === 'connected');
    rig.server.disconnect(rig.server.connection(client.id)!, 4003, 'cheating');
    const serverSide: string[] = [];
    const clientSide: string[] = [];
    await rig.until(() => {
      for (const e of rig.server.events()) if (e.type === 'disconnected') serverSide.push(`${e.code} ${e.reason}`);
      for (const e of client.events()) if (e.type === 'disconnected') clientSide.push(`${e.code} ${e.willRetry}`);
      return serverSide.length === 1 && clientSide.length === 1;
    });
    expect(serverSide).toEqual(['4003 cheating']);
    expect(clientSide).toEqual(['4003 false']);
    expect(client.state).toBe('closed');
    expect(client.send(Chat, { text: 'too late' })).toBe(true);
  });
});
