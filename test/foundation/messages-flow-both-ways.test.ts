import { afterEach, describe, expect, it } from 'vitest';
import { Chat, Shout, protocol } from '../support/chat-protocol';
import { type Rig, TRANSPORTS, startRig } from '../support/rig';

describe.each(TRANSPORTS)('over %s: messages flow both ways between several clients', (kind) => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('each client is connected, talks to the server and hears broadcasts and direct sends', async () => {
    rig = await startRig(kind, protocol);
    const clients = [rig.client(), rig.client(), rig.client()];
    for (const c of clients) c.connect();
    const connectedIds: number[] = [];
    await rig.until(() => {
      for (const e of rig.server.events()) if (e.type === 'connected') connectedIds.push(e.connection.id);
      return connectedIds.length === 3 && clients.every((c) => c.state === 'connected');
    });
    expect(new Set(clients.map((c) => c.id))).toEqual(new Set(connectedIds));

    for (const [i, c] of clients.entries()) c.send(Chat, { text: `hello from ${i}` });
    const heard: string[] = [];
    await rig.until(() => {
      for (const { source, data } of rig.server.messages(Chat)) {
        heard.push(`${source.id}:${data.text}`);
        rig.server.broadcast(Shout, { text: data.text, from: source.id });
      }
      return heard.length === 3;
    });
    expect(heard.sort()).toEqual(clients.map((c, i) => `${c.id}:hello from ${i}`).sort());

    const shouts = clients.map(() => [] as string[]);
    const first = rig.server.connection(clients[0]!.id)!;
    rig.server.send(first, Chat, { text: 'just for you' });
    const direct: string[] = [];
    await rig.until(() => {
      clients.forEach((c, i) => {
        shouts[i]!.push(...c.messages(Shout).map((m) => m.text));
      });
      direct.push(...clients[0]!.messages(Chat).map((m) => m.text));
      for (const c of clients.slice(1)) expect(c.messages(Chat)).toHaveLength(0);
      return shouts.every((s) => s.length === 3) && direct.length === 1;
    });
    for (const s of shouts) expect(s.sort()).toEqual(['hello from 0', 'hello from 1', 'hello from 2']);
    expect(direct).toEqual(['just for you']);
  });

  it('broadcastExcept skips the one connection', async () => {
    rig = await startRig(kind, protocol);
    const [a, b] = [rig.client(), rig.client()];
    a.connect();
    b.connect();
    await rig.until(() => a.state === 'connected' && b.state === 'connected');
    rig.server.broadcastExcept(rig.server.connection(a.id)!, Shout, { text: 'not for a', from: 0 });
    let bGot = 0;
    let aGot = 0;
    await rig.until(() => {
      bGot += b.messages(Shout).length;
      aGot += a.messages(Shout).length;
      return bGot === 1;
    });
    for (let i = 0; i < 5; i++) {
      rig.step();
      aGot += a.messages(Shout).length;
    }
    expect(aGot).toBe(0);
  });
});
