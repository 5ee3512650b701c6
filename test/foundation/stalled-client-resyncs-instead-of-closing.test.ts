import { addComponent, addEntity } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { Networked } from '../../engine-plugin/src/index';
import { Position, Shout, protocol } from '../support/chat-protocol';
import { type Rig, TRANSPORTS, clientComponent, startRig } from '../support/rig';

const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

describe.each(TRANSPORTS)('over %s: a client whose game loop stops calling receive (a hidden tab)', (kind) => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('stays connected, keeps every message, and catches up with a snapshot', async () => {
    rig = await startRig(kind, protocol);
    const client = rig.client({ settings: { inboundCapacity: 8 } });
    client.connect();
    const world = rig.server.world;
    const eid = addEntity(world);
    addComponent(world, eid, Position);
    addComponent(world, eid, Networked);
    await rig.until(() => client.localId(eid) !== undefined);
    const session = rig.server.connection(client.id)!;

    // 40 ticks of motion and messages while the client is away: five times its frame queue.
    for (let n = 0; n < 40; n++) {
      Position.x[eid] = n * 10;
      rig.server.send(session, Shout, { text: `tick ${n}`, from: n });
      rig.server.receive();
      rig.server.replicate();
      rig.server.flush();
      await pause();
    }
    const heard: number[] = [];
    const local = clientComponent(client, Position);
    await rig.until(() => {
      heard.push(...client.messages(Shout).map((m) => m.from));
      return heard.length === 40 && Math.abs(local.x[client.localId(eid)!]! - 390) < 0.01;
    });
    expect(client.state).toBe('connected');
    expect(heard).toEqual(Array.from({ length: 40 }, (_, n) => n));
  });
});
