import { addComponent, addEntity, removeEntity } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { Networked } from '../../engine-plugin/src/index';
import { Position, protocol } from '../support/chat-protocol';
import { type Rig, TRANSPORTS, startRig } from '../support/rig';

describe.each(TRANSPORTS)('over %s: setOwner', (kind) => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('tells the owning client which entity it controls, and the others nothing', async () => {
    rig = await startRig(kind, protocol);
    const [alice, bob] = [rig.client(), rig.client()];
    alice.connect();
    bob.connect();
    await rig.until(() => alice.state === 'connected' && bob.state === 'connected');
    const world = rig.server.world;
    const spawn = () => {
      const eid = addEntity(world);
      addComponent(world, eid, Position);
      addComponent(world, eid, Networked);
      return eid;
    };
    const mine = spawn();
    const theirs = spawn();
    rig.server.setOwner(mine, rig.server.connection(alice.id));
    rig.server.setOwner(theirs, rig.server.connection(bob.id));
    await rig.until(() => alice.owned().length === 1 && bob.owned().length === 1);
    expect(alice.owned()).toEqual([alice.localId(mine)]);
    expect(alice.owns(alice.localId(theirs)!)).toBe(false);
    expect(rig.server.owned(rig.server.connection(alice.id)!)).toEqual([mine]);

    // Handing the entity over tells both sides; removing it clears the server's record.
    rig.server.setOwner(mine, rig.server.connection(bob.id));
    await rig.until(() => alice.owned().length === 0 && bob.owned().length === 2);
    removeEntity(world, theirs);
    expect(rig.server.owned(rig.server.connection(bob.id)!)).toEqual([mine]);
  });
});
