import { addComponent, addEntity, query } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { JSON_SUBPROTOCOL, Networked, PROTOCOL_VERSION, type RequestError } from '../../engine-plugin/src/index';
import { AskName, Chat, GetScore, Note, Position } from '../support/messaging-protocol';
import { type JsonPeer, type MessagingRig, connectAll, startMessagingRig, track } from '../support/messaging-rig';

/** Open a JSON peer and complete its handshake; resolves with its connection id. */
async function handshake(rig: MessagingRig, peer: JsonPeer): Promise<number> {
  await rig.until(() => peer.opened);
  expect(peer.ws.protocol).toBe(JSON_SUBPROTOCOL);
  peer.send({ type: 'tickwire.hello', data: {} });
  await rig.until(() => peer.of('tickwire.welcome').length === 1);
  rig.step();
  return peer.of('tickwire.welcome')[0]!.data!.connectionId as number;
}

describe('the JSON wire format (subprotocol tickwire.json.v1) beside binary clients', () => {
  let rig: MessagingRig;
  afterEach(() => rig?.close());

  it('handshakes with a hello envelope, then exchanges messages by name with the server and binary clients', async () => {
    rig = await startMessagingRig();
    const binary = rig.client('bin');
    await connectAll(rig, [binary]);
    const peer = rig.json('jay');
    const id = await handshake(rig, peer);
    const welcome = peer.of('tickwire.welcome')[0]!;
    expect(welcome.data).toMatchObject({ connectionId: id, tickRate: 20, protocolVersion: PROTOCOL_VERSION, fingerprint: rig.server.protocol.fingerprint });
    expect(welcome.data!.messages).toContainEqual({ name: 'chat', direction: 'both' });
    expect(typeof welcome.timestamp).toBe('number');
    expect(rig.server.identityOf(rig.server.connection(id)!)).toBe('jay');

    peer.send({ type: 'chat', data: { text: 'hello from json' }, timestamp: Date.now() });
    const heard: string[] = [];
    await rig.until(() => {
      for (const { source, data } of rig.server.messages(Chat)) {
        heard.push(`${source.id}:${data.text}`);
        rig.server.broadcast(Chat, { text: `echo ${data.text}` });
        rig.server.broadcast(Note, { text: 'bytes', blob: new Uint8Array([0, 1, 254, 255]) });
      }
      return peer.of('note').length === 1;
    });
    expect(heard).toEqual([`${id}:hello from json`]);
    expect(peer.of('chat').map((e) => e.data)).toEqual([{ text: 'echo hello from json' }]);
    // Bytes travel as base64.
    expect(peer.of('note')[0]!.data).toEqual({ text: 'bytes', blob: 'AAH+/w==' });
    expect(peer.binary).toBe(0);
  });

  it('answers JSON requests under the peer’s own id, and asks the peer under a numeric one', async () => {
    rig = await startMessagingRig();
    const peer = rig.json('jay');
    const id = await handshake(rig, peer);
    rig.system(() => {
      for (const request of rig.server.requests(GetScore)) {
        if (request.data.player === 'nobody') request.fail(404, 'no such player');
        else request.respond({ score: request.data.player.length });
      }
    });
    peer.send({ type: 'getScore', id: 'q1', data: { player: 'jay' } });
    peer.send({ type: 'getScore', id: 7, data: { player: 'nobody' } });
    await rig.until(() => peer.of('getScore.reply').length === 2);
    const [ok, failed] = peer.of('getScore.reply');
    expect(ok).toMatchObject({ id: 'q1', data: { score: 3 } });
    expect(failed).toMatchObject({ id: 7, error: { code: 404, message: 'no such player' } });

    const asked = track(rig.server.request(rig.server.connection(id)!, AskName, { why: 'json test' }));
    await rig.until(() => peer.of('askName').length === 1);
    const request = peer.of('askName')[0]!;
    expect(request.data).toEqual({ why: 'json test' });
    peer.send({ type: 'askName.reply', id: request.id, data: { name: 'Jay' } });
    await rig.until(() => asked.settled);
    expect(asked.value).toEqual({ name: 'Jay' });

    const refused = track(rig.server.request(rig.server.connection(id)!, AskName, { why: 'again' }));
    await rig.until(() => peer.of('askName').length === 2);
    peer.send({ type: 'askName.reply', id: String(peer.of('askName')[1]!.id), error: { code: 403, message: 'private' } });
    await rig.until(() => refused.settled);
    expect((refused.error as RequestError).code).toBe(403);
  });

  it('subscribes, publishes and sends direct messages alongside binary clients, and pings', async () => {
    rig = await startMessagingRig();
    const bin = rig.client('bin');
    await connectAll(rig, [bin]);
    const peer = rig.json('jay');
    await handshake(rig, peer);
    const binSubscribed = track(bin.subscribe('chat.*'));
    peer.send({ type: 'tickwire.subscribe', id: 's1', data: { topics: ['chat.*', 'bad..'] } });
    await rig.until(() => binSubscribed.settled && peer.of('tickwire.subscribe.reply').length === 1);
    expect(peer.of('tickwire.subscribe.reply')[0]).toMatchObject({
      id: 's1',
      data: { subscribed: ['chat.*'], refused: [{ topic: 'bad..', code: 400 }], active: 1 },
    });

    const published = track(bin.publish('chat.general', Chat, { text: 'from binary' }));
    peer.send({ type: 'tickwire.publish', id: 'p1', data: { topic: 'chat.lobby', type: 'chat', data: { text: 'from json' } } });
    const binGot: string[] = [];
    await rig.until(() => {
      binGot.push(...bin.publications(Chat).map((p) => `${p.topic}/${p.from}/${p.data.text}`));
      return published.settled && peer.of('tickwire.publish.reply').length === 1 && peer.of('tickwire.topic.message').length === 2;
    });
    expect(published.value).toEqual({ recipients: 2 });
    expect(peer.of('tickwire.publish.reply')[0]).toMatchObject({ id: 'p1', data: { recipients: 2 } });
    expect(peer.of('tickwire.topic.message').map((e) => e.data)).toEqual(
      expect.arrayContaining([
        { topic: 'chat.general', from: 'bin', type: 'chat', data: { text: 'from binary' } },
        { topic: 'chat.lobby', from: 'jay', type: 'chat', data: { text: 'from json' } },
      ]),
    );
    for (let i = 0; i < 3; i++) {
      rig.step();
      binGot.push(...bin.publications(Chat).map((p) => `${p.topic}/${p.from}/${p.data.text}`));
    }
    expect(binGot.sort()).toEqual(['chat.general/bin/from binary', 'chat.lobby/jay/from json']);

    peer.send({ type: 'tickwire.direct', id: 'd1', data: { to: 'bin', type: 'chat', data: { text: 'psst' } } });
    peer.send({ type: 'tickwire.direct', id: 'd2', data: { to: 'ghost', type: 'chat', data: { text: 'anyone?' } } });
    const toBin = track(bin.direct('jay', Chat, { text: 'hi json' }));
    const binDirect: string[] = [];
    await rig.until(() => {
      binDirect.push(...bin.directMessages(Chat).map((m) => `${m.from}:${m.data.text}`));
      return toBin.settled && peer.of('tickwire.direct.reply').length === 2 && binDirect.length === 1;
    });
    expect(binDirect).toEqual(['jay:psst']);
    expect(toBin.value).toEqual({ delivered: 1 });
    expect(peer.of('tickwire.direct.message').map((e) => e.data)).toEqual([{ from: 'bin', type: 'chat', data: { text: 'hi json' } }]);
    const [delivered, offline] = peer.of('tickwire.direct.reply');
    expect(delivered).toMatchObject({ id: 'd1', data: { delivered: 1 } });
    expect(offline).toMatchObject({ id: 'd2', error: { code: 404 } });
    expect(offline!.error!.message).toContain('identity ghost is not connected');

    peer.send({ type: 'tickwire.ping', data: { timestamp: 1234.5 } });
    await rig.until(() => peer.of('tickwire.pong').length === 1);
    expect(peer.of('tickwire.pong')[0]!.data).toMatchObject({ timestamp: 1234.5 });
  });

  it('gets no state: replicated entities reach the binary client only, and no binary frame ever reaches the JSON peer', async () => {
    rig = await startMessagingRig();
    const bin = rig.client('bin');
    await connectAll(rig, [bin]);
    const peer = rig.json('jay');
    await handshake(rig, peer);
    const eid = addEntity(rig.server.world);
    addComponent(rig.server.world, eid, Position);
    addComponent(rig.server.world, eid, Networked);
    rig.server.broadcast(Chat, { text: 'after the spawn' });
    await rig.until(() => query(bin.world, [Networked]).length === 1 && peer.of('chat').length === 1);
    for (let i = 0; i < 5; i++) rig.step();
    expect(peer.binary).toBe(0);
    expect(peer.received.map((e) => e.type).filter((t) => t !== 'tickwire.ping')).toEqual(['tickwire.welcome', 'chat']);
  });
});
