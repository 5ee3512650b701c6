import { afterEach, describe, expect, it } from 'vitest';
import { Chat } from '../support/messaging-protocol';
import { type JsonPeer, type MessagingRig, startMessagingRig } from '../support/messaging-rig';

async function welcomed(rig: MessagingRig, peer: JsonPeer): Promise<void> {
  await rig.until(() => peer.opened);
  peer.send({ type: 'tickwire.hello' });
  await rig.until(() => peer.of('tickwire.welcome').length === 1);
}

describe('the JSON wire format applies the binary limits and close codes', () => {
  let rig: MessagingRig;
  afterEach(() => rig?.close());

  it('closes each offending peer with its code, and only that peer', async () => {
    rig = await startMessagingRig();
    const [garbage, binary, unknown, extraKey, wrongWay, noId, good] = Array.from({ length: 7 }, () => rig.json());
    for (const peer of [garbage, binary, unknown, extraKey, wrongWay, noId, good]) await welcomed(rig, peer!);
    garbage!.send('{"type": "chat", "data": ');
    binary!.ws.send(new Uint8Array([5, 0, 0]));
    unknown!.send({ type: 'no.such.message', data: {} });
    extraKey!.send({ type: 'chat', data: { text: 'x' }, priority: 'high' } as never);
    wrongWay!.send({ type: 'note', data: { text: 'servers send notes' } });
    noId!.send({ type: 'getScore', data: { player: 'p' } });
    await rig.until(() => [garbage, binary, unknown, extraKey, wrongWay, noId].every((p) => p!.closed !== undefined));
    expect(garbage!.closed!.code).toBe(1007);
    expect(binary!.closed!.code).toBe(1003);
    expect(unknown!.closed!.code).toBe(1002);
    expect(extraKey!.closed!.code).toBe(1002);
    expect(wrongWay!.closed!.code).toBe(1008);
    expect(noId!.closed!.code).toBe(1002);
    good!.send({ type: 'chat', data: { text: 'still fine' } });
    await rig.until(() => rig.server.messages(Chat).length === 1);
    expect(good!.closed).toBeUndefined();
  });

  it('answers schema-invalid data with tickwire.error 400, never reaching game code, and repeated offences close with 1008', async () => {
    rig = await startMessagingRig({ settings: { maxInvalidMessages: 2 } });
    const peer = rig.json();
    await welcomed(rig, peer);
    let seen = 0;
    peer.send({ type: 'chat', data: { text: 42 } });
    await rig.until(() => {
      seen += rig.server.messages(Chat).length;
      return peer.of('tickwire.error').length === 1;
    });
    expect(seen).toBe(0);
    expect(peer.of('tickwire.error')[0]!.data).toMatchObject({ code: 400, about: 'chat' });
    expect(String(peer.of('tickwire.error')[0]!.data!.message)).toContain('data.text must be a string');
    peer.send({ type: 'chat', data: { text: 'x', extra: 1 } });
    peer.send({ type: 'chat', data: {} });
    await rig.until(() => peer.closed !== undefined);
    expect(peer.closed!.code).toBe(1008);
  });

  it('refuses a hello with another fingerprint with tickwire.mismatch and 4006, and a missing hello with 4007', async () => {
    rig = await startMessagingRig({ settings: { handshakeTimeoutMs: 300 } });
    const [other, silent, early] = [rig.json(), rig.json(), rig.json()];
    await rig.until(() => other.opened && silent.opened && early.opened);
    other.send({ type: 'tickwire.hello', data: { version: 1, fingerprint: (rig.server.protocol.fingerprint + 1) >>> 0 } });
    early.send({ type: 'chat', data: { text: 'before hello' } });
    await rig.until(() => other.closed !== undefined && silent.closed !== undefined && early.closed !== undefined);
    expect(other.of('tickwire.mismatch')).toHaveLength(1);
    expect(other.of('tickwire.mismatch')[0]!.data!.description).toEqual(expect.arrayContaining(['message chat(both){text:string(256)}']));
    expect(other.closed!.code).toBe(4006);
    expect(silent.closed!.code).toBe(4007);
    expect(early.closed!.code).toBe(1002);
  });

  it('pings JSON peers: one answering tickwire.ping stays, a silent one is closed with 4009', async () => {
    rig = await startMessagingRig({ settings: { heartbeatIntervalMs: 50, idleTimeoutMs: 400 } });
    const [answering, silent] = [rig.json(), rig.json()];
    await welcomed(rig, answering);
    await welcomed(rig, silent);
    let answered = 0;
    await rig.until(() => {
      for (const ping of answering.of('tickwire.ping').slice(answered)) {
        answering.send({ type: 'tickwire.pong', data: { timestamp: ping.data!.timestamp as number } });
        answered++;
      }
      return silent.closed !== undefined;
    });
    expect(silent.closed!.code).toBe(4009);
    expect(answered).toBeGreaterThan(3);
    expect(answering.closed).toBeUndefined();
    expect(rig.server.connection(answering.of('tickwire.welcome')[0]!.data!.connectionId as number)!.rtt).toBeGreaterThan(0);
  });

  it('without the subprotocol a text frame is still refused with 1003: binary stays the default', async () => {
    rig = await startMessagingRig();
    const plain = rig.json(undefined, []);
    await rig.until(() => plain.opened);
    plain.send({ type: 'tickwire.hello' });
    await rig.until(() => plain.closed !== undefined);
    expect(plain.closed!.code).toBe(1003);
    expect(plain.received).toEqual([]);
  });
});
