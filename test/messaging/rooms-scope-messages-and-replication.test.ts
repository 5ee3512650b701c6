import { addComponent, addEntity, query } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { Networked, componentInfo } from '../../engine-plugin/src/index';
import { Chat, Position } from '../support/messaging-protocol';
import { type MessagingRig, connectAll, startMessagingRig } from '../support/messaging-rig';

describe('rooms scope both messages and replication', () => {
  let rig: MessagingRig;
  afterEach(() => rig?.close());

  it('broadcast(room) and broadcastExcept(room, …) reach the room only; room entities replicate to the room only', async () => {
    rig = await startMessagingRig();
    const [a, b, c] = [rig.client('a'), rig.client('b'), rig.client('c')];
    await connectAll(rig, [a!, b!, c!]);
    const { server } = rig;
    const conn = (client: typeof a) => server.connection(client!.id)!;
    server.joinRoom(conn(a), 'red');
    server.joinRoom(conn(b), 'red');
    server.joinRoom(conn(c), 'blue');

    const world = server.world;
    const redThing = addEntity(world);
    addComponent(world, redThing, Position);
    addComponent(world, redThing, Networked);
    server.addToRoom(redThing, 'red');
    const globalThing = addEntity(world);
    addComponent(world, globalThing, Position);
    addComponent(world, globalThing, Networked);

    server.broadcast('red', Chat, { text: 'to red' });
    server.broadcastExcept('red', conn(a), Chat, { text: 'to red but a' });
    server.broadcast('blue', Chat, { text: 'to blue' });
    const heard = new Map<string, string[]>([['a', []], ['b', []], ['c', []]]);
    // Each client has its own copy of the protocol's components (the rig clones it): query with that one.
    const ownPosition = (client: typeof a) => client!.protocol.components.find((c) => c[componentInfo].name === Position[componentInfo].name)!;
    const xs = (client: typeof a) => [...query(client!.world, [Networked, ownPosition(client)])].map((eid) => client!.serverId(eid)!).sort();
    await rig.until(() => {
      for (const [name, client] of [['a', a], ['b', b], ['c', c]] as const) heard.get(name)!.push(...client!.messages(Chat).map((m) => m.text));
      return heard.get('b')!.length === 2 && heard.get('c')!.length === 1 && xs(a).length === 2 && xs(c).length === 1;
    });
    for (let i = 0; i < 3; i++) {
      rig.step();
      for (const [name, client] of [['a', a], ['b', b], ['c', c]] as const) heard.get(name)!.push(...client!.messages(Chat).map((m) => m.text));
    }
    expect(heard.get('a')).toEqual(['to red']);
    expect(heard.get('b')).toEqual(['to red', 'to red but a']);
    expect(heard.get('c')).toEqual(['to blue']);
    expect(xs(a)).toEqual([redThing, globalThing].sort());
    expect(xs(b)).toEqual([redThing, globalThing].sort());
    expect(xs(c)).toEqual([globalThing]);

    // Leaving the room: the room's entity despawns there, and room broadcasts stop arriving.
    server.leaveRoom(conn(b), 'red');
    server.broadcast('red', Chat, { text: 'after b left' });
    const late: string[] = [];
    await rig.until(() => {
      late.push(...a!.messages(Chat).map((m) => m.text));
      expect(b!.messages(Chat)).toHaveLength(0);
      return late.length === 1 && xs(b).length === 1;
    });
    expect(xs(b)).toEqual([globalThing]);
  });
});
