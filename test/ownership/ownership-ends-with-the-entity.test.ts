import { addComponent, addEntity, removeComponent, removeEntity } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { type NetworkClient, type NetworkServer, Networked } from '../../engine-plugin/src/index';
import { Chat, protocol } from '../support/chat-protocol';
import { spawnNetworked } from '../support/entities';
import { type Rig, TRANSPORTS, startRig } from '../support/rig';

const spawn = (server: NetworkServer): number => spawnNetworked(server.world);

/** Step until the client has server entity `eid` under a local id other than `not`, checking `each` after every frame. */
async function untilArrives(rig: Rig, client: NetworkClient, eid: number, not: number | undefined, each: () => void): Promise<number> {
  let local: number | undefined;
  await rig.until(() => {
    each();
    local = client.localId(eid);
    return local !== undefined && local !== not;
  });
  return local!;
}

describe.each(TRANSPORTS)('over %s: ownership ends with the entity', (kind) => {
  let rig: Rig;
  afterEach(() => rig?.close());

  async function start() {
    rig = await startRig(kind, protocol);
    const alice = rig.client();
    alice.connect();
    await rig.until(() => alice.state === 'connected');
    const conn = rig.server.connection(alice.id)!;
    return { alice, conn, server: rig.server };
  }

  it('a despawned owned entity whose id is reused in the same tick is not owned by anyone, on either side', async () => {
    const { alice, conn, server } = await start();
    const old = spawn(server);
    server.setOwner(old, conn);
    await rig.until(() => alice.owned().length === 1);
    const oldLocal = alice.localId(old);

    removeEntity(server.world, old);
    const reused = spawn(server);
    expect(reused).toBe(old); // bitECS recycles at once: the premise of this test
    expect(server.owns(conn, reused)).toBe(false);
    expect(server.owner(reused)).toBeUndefined();
    expect(server.owned(conn)).toEqual([]);

    // The frame that brings the new entity also says the old one is no longer Alice's.
    const local = await untilArrives(rig, alice, reused, oldLocal, () => {
      const now = alice.localId(reused);
      if (now !== undefined && now !== oldLocal) expect(alice.owns(now)).toBe(false);
    });
    expect(alice.owns(local)).toBe(false);
    expect(alice.owned()).toEqual([]);

    // Inputs from Alice do not reach the new entity.
    alice.send(Chat, { text: 'move' });
    await rig.until(() => server.messages(Chat).length > 0 || false);
    expect(server.ownedInputs(Chat)).toEqual([]);
  });

  it('a recycled id stays unowned when the new entity arrives ticks later', async () => {
    const { alice, conn, server } = await start();
    const old = spawn(server);
    server.setOwner(old, conn);
    await rig.until(() => alice.owned().length === 1);
    removeEntity(server.world, old);
    await rig.until(() => alice.localId(old) === undefined);
    for (let i = 0; i < 5; i++) rig.step();
    const reused = spawn(server);
    expect(reused).toBe(old);
    const local = await untilArrives(rig, alice, reused, undefined, () => {});
    expect(alice.owns(local)).toBe(false);
    expect(server.owns(conn, reused)).toBe(false);
  });

  it('removing Networked ends ownership, and adding it back does not restore it', async () => {
    const { alice, conn, server } = await start();
    const eid = spawn(server);
    server.setOwner(eid, conn);
    await rig.until(() => alice.owned().length === 1);
    const before = alice.localId(eid);

    removeComponent(server.world, eid, Networked);
    expect(server.owns(conn, eid)).toBe(false);
    expect(server.owned(conn)).toEqual([]);
    addComponent(server.world, eid, Networked);
    const local = await untilArrives(rig, alice, eid, before, () => {});
    expect(alice.owns(local)).toBe(false);
    expect(alice.owned()).toEqual([]);
    expect(server.owns(conn, eid)).toBe(false);
  });

  it('an owned entity that was never networked stops being owned when it is removed', async () => {
    const { alice, conn, server } = await start();
    const plain = addEntity(server.world);
    server.setOwner(plain, conn);
    expect(server.owned(conn)).toEqual([plain]);
    removeEntity(server.world, plain);
    expect(server.owned(conn)).toEqual([]);
    const reused = spawn(server);
    expect(reused).toBe(plain);
    const local = await untilArrives(rig, alice, reused, undefined, () => {});
    expect(alice.owns(local)).toBe(false);
    expect(server.owns(conn, reused)).toBe(false);
  });

  it('refuses to own an entity that is not in the world', async () => {
    const { conn, server } = await start();
    const gone = addEntity(server.world);
    removeEntity(server.world, gone);
    expect(() => server.setOwner(gone, conn)).toThrow(RangeError);
    expect(server.owned(conn)).toEqual([]);
  });
});
