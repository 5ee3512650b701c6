import { addEntity, entityExists, removeEntity } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import type { NetworkClient, NetworkServer } from '../../engine-plugin/src/index';
import { Position, protocol } from '../support/chat-protocol';
import { spawnNetworked } from '../support/entities';
import { type Rig, TRANSPORTS, clientComponent, startRig, waitFor } from '../support/rig';

const spawn = (server: NetworkServer, x: number): number => spawnNetworked(server.world, x);

describe.each(TRANSPORTS)('over %s: spawned/changed/despawned', (kind) => {
  let rig: Rig;
  afterEach(() => rig?.close());

  let arrived = 0;
  async function start(): Promise<{ server: NetworkServer; client: NetworkClient }> {
    rig = await startRig(kind, protocol);
    const client = rig.client({ onTick: (tick) => (arrived = tick) });
    client.connect();
    await rig.until(() => client.state === 'connected');
    return { server: rig.server, client };
  }

  /** Run server ticks without a client frame, then wait until the client holds all of them. */
  async function serverTicks(server: NetworkServer, ticks: Array<() => void>): Promise<void> {
    for (const tick of ticks) {
      server.receive();
      tick();
      server.replicate();
      server.flush();
    }
    await waitFor(() => arrived >= server.tick);
  }

  it('an id despawned and reused in one tick: the old entity in despawned(), the new one in spawned() under another local id', async () => {
    const { server, client } = await start();
    const old = spawn(server, 1);
    await rig.until(() => client.localId(old) !== undefined);
    const oldLocal = client.localId(old)!;

    await serverTicks(server, [
      () => {
        removeEntity(server.world, old);
        expect(spawn(server, 2)).toBe(old); // the server reuses the id in the same tick
      },
    ]);
    client.receive();
    const newLocal = client.localId(old)!;
    expect(client.despawned()).toEqual([oldLocal]);
    expect(client.spawned()).toEqual([newLocal]);
    expect(newLocal).not.toBe(oldLocal);
    expect(client.changed()).toEqual([]);
    for (const eid of client.despawned()) expect(entityExists(client.world, eid)).toBe(false);
    expect(clientComponent(client, Position).x[newLocal]).toBeCloseTo(2, 5);
    // The freed id is the world's again after the frame: nothing is held back for good.
    client.flush();
    rig.step();
    expect(addEntity(client.world)).toBe(oldLocal);
  });

  it('an entity that appears and goes within one frame is in neither list; one that changed and went only in despawned()', async () => {
    const { server, client } = await start();
    const stays = spawn(server, 1);
    await rig.until(() => client.localId(stays) !== undefined);
    const staysLocal = client.localId(stays)!;
    let brief = -1;
    await serverTicks(server, [
      () => {
        Position.x[stays] = 5;
        brief = spawn(server, 3);
      },
      () => removeEntity(server.world, brief),
      () => removeEntity(server.world, stays),
    ]);
    client.receive();
    expect(client.spawned()).toEqual([]);
    expect(client.changed()).toEqual([]);
    expect(client.despawned()).toEqual([staysLocal]);
    expect(entityExists(client.world, staysLocal)).toBe(false);
  });
});
