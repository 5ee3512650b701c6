import { afterEach, describe, expect, it } from 'vitest';
import { type Connection, MessageTooLargeError } from '../../engine-plugin/src/index';
import { Ask, Blob, BlobToClient, pattern, protocol } from '../support/big-payload-protocol';
import { type Rig, startRig } from '../support/rig';

/** The thrown error, for assertions on its fields. */
function refusal(send: () => unknown): MessageTooLargeError {
  try {
    send();
  } catch (error) {
    if (error instanceof MessageTooLargeError) return error;
    throw error;
  }
  throw new Error('the message was accepted');
}

describe('a single message larger than the limit is refused at send time, never sent', () => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('server send, broadcast and request throw MessageTooLargeError naming the type and sizes; the connection carries on', async () => {
    rig = await startRig('ws', protocol);
    const client = rig.client();
    client.connect();
    await rig.until(() => client.state === 'connected');
    const connection = [...rig.server.connections()][0] as Connection;
    const big = { n: 1, data: pattern(1, 70_000) };

    const sent = refusal(() => rig.server.send(connection, BlobToClient, big));
    expect(sent).toMatchObject({ name: 'MessageTooLargeError', type: 'blob.down', limit: 65_536 });
    expect(sent.bytes).toBeGreaterThan(70_000);
    expect(sent.message).toContain('blob.down');
    expect(sent.message).toContain(String(sent.bytes));
    expect(sent.message).toContain('65536');
    expect(refusal(() => rig.server.broadcast(BlobToClient, big)).type).toBe('blob.down');
    expect(refusal(() => rig.server.request(connection, Ask, { data: pattern(2, 70_000) })).type).toBe('ask');

    // Nothing of them left: the next message is the first the client sees, and it stays connected.
    rig.server.send(connection, BlobToClient, { n: 2, data: pattern(2, 100) });
    await rig.until(() => client.messages(BlobToClient).length > 0);
    expect(client.messages(BlobToClient).map((m) => m.n)).toEqual([2]);
    expect(client.state).toBe('connected');
  });

  it('client send and request throw it too, with the limit the server advertised when it is smaller', async () => {
    rig = await startRig('ws', protocol, { settings: { maxMessageBytes: 8_192 } });
    const client = rig.client();
    // Before the Welcome the client knows only its own limit.
    expect(refusal(() => client.send(Blob, { n: 1, data: pattern(1, 70_000) })).limit).toBe(65_536);
    client.connect();
    await rig.until(() => client.state === 'connected');

    const sent = refusal(() => client.send(Blob, { n: 2, data: pattern(2, 10_000) }));
    expect(sent).toMatchObject({ type: 'blob', limit: 8_192 });
    expect(refusal(() => client.request(Ask, { data: pattern(3, 10_000) })).type).toBe('ask');

    client.send(Blob, { n: 3, data: pattern(3, 100) });
    const received: number[] = [];
    await rig.until(() => {
      for (const m of rig.server.messages(Blob)) received.push(m.data.n);
      return received.length > 0;
    });
    expect(received).toEqual([3]);
    expect(client.state).toBe('connected');
  });

  it('the server honours a smaller limit the client advertised in its Hello', async () => {
    rig = await startRig('ws', protocol);
    const client = rig.client({ settings: { maxMessageBytes: 4_096 } });
    client.connect();
    await rig.until(() => client.state === 'connected');
    const connection = [...rig.server.connections()][0] as Connection;
    expect(refusal(() => rig.server.send(connection, BlobToClient, { n: 1, data: pattern(1, 5_000) })).limit).toBe(4_096);
    rig.server.send(connection, BlobToClient, { n: 2, data: pattern(2, 4_000) });
    await rig.until(() => client.messages(BlobToClient).length > 0);
    expect(client.messages(BlobToClient)[0]!.data).toEqual(pattern(2, 4_000));
    expect(client.state).toBe('connected');
  });
});
