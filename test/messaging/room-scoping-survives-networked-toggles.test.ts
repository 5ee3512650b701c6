import { addComponent, addEntity, removeComponent, removeEntity } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { Networked } from '../../engine-plugin/src/index';
import { protocol } from '../support/chat-protocol';
import { spawnNetworked } from '../support/entities';
import { type Rig, TRANSPORTS, startRig } from '../support/rig';

describe.each(TRANSPORTS)('over %s: room scoping belongs to the entity', (kind) => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('a room-only entity toggled off and on Networked (within a tick and across ticks) never reaches non-members', async () => {
    rig = await startRig(kind, protocol);
    const member = rig.client();
    const outsider = rig.client();
    member.connect();
    outsider.connect();
    await rig.until(() => member.state === 'connected' && outsider.state === 'connected');
    const { server } = rig;
    server.joinRoom(server.connection(member.id)!, 'vault');
    const world = server.world;
    const secret = spawnNetworked(world);
    server.addToRoom(secret, 'vault');
    const open = spawnNetworked(world);

    const leaked: number[] = [];
    const watch = (): void => {
      for (const local of outsider.spawned()) if (outsider.serverId(local) === secret) leaked.push(local);
      if (outsider.localId(secret) !== undefined) leaked.push(outsider.localId(secret)!);
    };
    await rig.until(() => {
      watch();
      return member.localId(secret) !== undefined && outsider.localId(open) !== undefined;
    });

    // Toggle within one tick.
    removeComponent(world, secret, Networked);
    addComponent(world, secret, Networked);
    for (let i = 0; i < 5; i++) {
      rig.step();
      watch();
    }
    // Toggle across ticks.
    removeComponent(world, secret, Networked);
    await rig.until(() => {
      watch();
      return member.localId(secret) === undefined;
    });
    addComponent(world, secret, Networked);
    await rig.until(() => {
      watch();
      return member.localId(secret) !== undefined;
    });
    for (let i = 0; i < 5; i++) {
      rig.step();
      watch();
    }
    expect(leaked).toEqual([]);
    expect(member.localId(secret)).toBeDefined();

    // Explicitly clearing the scope makes it global; removing the entity ends the scope for a reused id.
    server.removeFromRoom(secret, 'vault');
    await rig.until(() => outsider.localId(secret) !== undefined);
    server.addToRoom(secret, 'vault');
    await rig.until(() => outsider.localId(secret) === undefined);
    removeEntity(world, secret);
    const reused = spawnNetworked(world);
    expect(reused).toBe(secret);
    await rig.until(() => outsider.localId(reused) !== undefined);
  });

  it('refuses to scope an entity that is not in the world', async () => {
    rig = await startRig(kind, protocol);
    const gone = addEntity(rig.server.world);
    removeEntity(rig.server.world, gone);
    expect(() => rig.server.addToRoom(gone, 'vault')).toThrow(RangeError);
  });
});
