import { addComponent, addEntity } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { type ClientEvent, type NetworkClient, Networked } from '../../engine-plugin/src/index';
import { nodeWebSocketClient } from '../../engine-plugin/src/node';
import { Body, protocol } from '../support/big-payload-protocol';
import { type Rig, clientComponent, startRig } from '../support/rig';
import { type CuttableProxy, startCuttableProxy } from '../demo/cuttable-proxy';

const ENTITIES = 20_000;
const FIELDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] as const;
/** A value no two fields or entities share, with a fraction f32 would lose. */
const fieldValue = (i: number, field: number): number => i * 8 + field + 1 / 3;

/** Every entity the server has, with every field, in the client's own world. */
function holdsTheWholeWorld(client: NetworkClient, eids: readonly number[]): boolean {
  const body = clientComponent(client, Body);
  for (let i = 0; i < eids.length; i++) {
    const local = client.localId(eids[i]!);
    if (local === undefined) return false;
    for (let f = 0; f < FIELDS.length; f++) if (body[FIELDS[f]!][local] !== fieldValue(i, f)) return false;
  }
  return true;
}

describe('a joiner of a world bigger than one frame (20,000 entities × 8 f64 ≈ 1.3 MB)', () => {
  let rig: Rig;
  let proxy: CuttableProxy | undefined;
  afterEach(async () => {
    await rig?.close();
    await proxy?.close();
    proxy = undefined;
  });

  function bigWorld(): number[] {
    const world = rig.server.world;
    const eids: number[] = [];
    for (let i = 0; i < ENTITIES; i++) {
      const eid = addEntity(world);
      addComponent(world, eid, Body);
      for (let f = 0; f < FIELDS.length; f++) Body[FIELDS[f]!][eid] = fieldValue(i, f);
      addComponent(world, eid, Networked);
      eids.push(eid);
    }
    return eids;
  }

  /** Step until the client holds the world, checking on every frame that it never holds part of it. */
  async function untilWhole(client: NetworkClient, eids: readonly number[], events: ClientEvent[]): Promise<void> {
    const partial: number[] = [];
    await rig.until(() => {
      events.push(...client.events());
      const held = client.replication.serverIds().length;
      if (held !== 0 && held !== ENTITIES) partial.push(held);
      return held === ENTITIES;
    }, 10_000);
    // A snapshot spread over several frames is applied whole, at its last frame: never half a world.
    expect(partial).toEqual([]);
    expect(holdsTheWholeWorld(client, eids)).toBe(true);
  }

  it('gets all of it over real ws, applied as one tick, and stays connected', async () => {
    rig = await startRig('ws', protocol);
    const eids = bigWorld();
    rig.step();
    const client = rig.client();
    client.connect();
    const events: ClientEvent[] = [];
    await untilWhole(client, eids, events);
    expect(events.filter((e) => e.type === 'disconnected' || e.type === 'error')).toEqual([]);
    expect(rig.server.connection(client.id)!.stats.bytesOut).toBeGreaterThan(1_300_000);
  });

  it('and a session resumed after a drop gets the whole world again in its snapshot', async () => {
    rig = await startRig('ws', protocol, { resumeGraceMs: 10_000 });
    proxy = await startCuttableProxy(rig.port!);
    const eids = bigWorld();
    rig.step();
    const client = rig.client({ transport: nodeWebSocketClient(`ws://127.0.0.1:${proxy.port}/ws`), reconnect: { initialMs: 50, random: () => 0.5 } });
    client.connect();
    const events: ClientEvent[] = [];
    await untilWhole(client, eids, events);
    const id = client.id;

    // While the client is away the world changes: the resumed snapshot must carry the new values.
    proxy.cut();
    await rig.until(() => {
      events.push(...client.events());
      return events.some((e) => e.type === 'disconnected');
    });
    for (let i = 0; i < ENTITIES; i++) Body.a[eids[i]!] = -fieldValue(i, 0);
    const resumed = (): boolean => events.some((e) => e.type === 'connected' && e.resumed);
    await rig.until(() => {
      events.push(...client.events());
      return resumed() && clientComponent(client, Body).a[client.localId(eids[ENTITIES - 1]!)!] === -fieldValue(ENTITIES - 1, 0);
    }, 10_000);
    expect(client.id).toBe(id);
    expect(client.replication.serverIds().length).toBe(ENTITIES);
    const body = clientComponent(client, Body);
    for (let i = 0; i < ENTITIES; i++) {
      const local = client.localId(eids[i]!)!;
      if (body.a[local] !== -fieldValue(i, 0) || body.h[local] !== fieldValue(i, 7)) throw new Error(`entity ${i} differs after the resume`);
    }
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
  });
});
