import { afterEach, describe, expect, it } from 'vitest';
import { tickOnArrival } from '../../engine-plugin/src/index';
import { Chat, Shout, protocol } from '../support/chat-protocol';
import { type Rig, startRig } from '../support/rig';

/** Poll without ever ticking the server: only arrivals may run its step. */
async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('tickOnArrival over ws', () => {
  let rig: Rig;
  let stop: (() => void) | undefined;
  afterEach(async () => {
    stop?.();
    await rig?.close();
  });

  it('runs one step per burst of arrivals and the reply leaves with it, with no timer ticking', async () => {
    rig = await startRig('ws', protocol);
    const server = rig.server;
    const batches: number[] = [];
    stop = tickOnArrival(server, () => {
      server.receive();
      const chats = server.messages(Chat);
      if (chats.length > 0) batches.push(chats.length);
      for (const { source, data } of chats) server.send(source, Shout, { text: data.text, from: source.id });
      server.replicate();
      server.flush();
    });
    const client = rig.client();
    client.connect();
    await until(() => client.state === 'connected');
    const ticksBefore = server.tick;

    for (const text of ['a', 'b', 'c']) client.send(Chat, { text });
    client.flush();
    const heard: string[] = [];
    await until(() => {
      client.receive();
      heard.push(...client.messages(Shout).map((m) => m.text));
      return heard.length === 3;
    });
    expect(heard).toEqual(['a', 'b', 'c']);
    // One frame carried the three messages: they were handled by one step, which sent all replies.
    expect(batches).toEqual([3]);
    expect(server.tick).toBeGreaterThan(ticksBefore);
  });

  it('stops: after the returned function, arrivals no longer run the step', async () => {
    rig = await startRig('ws', protocol);
    const server = rig.server;
    let steps = 0;
    stop = tickOnArrival(server, () => {
      steps++;
      server.receive();
      server.flush();
    });
    let pongs = 0;
    const client = rig.client({ onPong: () => pongs++ });
    client.connect();
    await until(() => client.state === 'connected' && steps > 0);
    stop();
    const before = steps;
    client.send(Chat, { text: 'ignored' });
    client.flush();
    // A Ping after the Chat: once its Pong is back, the server has read the Chat's frame too.
    const pongsBefore = pongs;
    client.connection.ping();
    await until(() => pongs > pongsBefore);
    expect(steps).toBe(before);
    // The arrival listener is gone: another tickOnArrival may take the server.
    expect(() => tickOnArrival(server, () => {})).not.toThrow();
  });
});
