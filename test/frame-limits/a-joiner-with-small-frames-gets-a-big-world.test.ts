import { addComponent, addEntity } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { type ClientEvent, Networked } from '../../engine-plugin/src/index';
import { nodeWebSocketClient } from '../../engine-plugin/src/node';
import { Body, protocol } from '../support/big-payload-protocol';
import { type Rig, clientComponent, startRig } from '../support/rig';

// 20,000 entities × 8 f64 (≈ 1.3 MB) in frames of 1024 bytes, the smallest any client may
// advertise: some 1,600 frames for one tick, more than the client's inboundCapacity (1024).
describe('a joiner that accepts only small frames gets a big world all the same', () => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('holds every TickPart a snapshot of the protocol’s entity capacity can need, and applies the world whole', async () => {
    rig = await startRig('ws', protocol);
    const world = rig.server.world;
    const eids: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const eid = addEntity(world);
      addComponent(world, eid, Body);
      Body.a[eid] = i + 0.5;
      Body.h[eid] = -i;
      addComponent(world, eid, Networked);
      eids.push(eid);
    }
    rig.step();
    // The socket enforces the limit itself: a longer frame would close it with 1009.
    const client = rig.client({
      transport: nodeWebSocketClient(`ws://127.0.0.1:${rig.port}/ws`, { maxPayload: 1024 }),
      settings: { maxFrameBytes: 1024, maxMessageBytes: 800 },
      reconnect: false,
    });
    client.connect();
    const events: ClientEvent[] = [];
    const partial: number[] = [];
    await rig.until(() => {
      events.push(...client.events());
      const held = client.replication.serverIds().length;
      if (held !== 0 && held !== eids.length) partial.push(held);
      return held === eids.length || events.some((e) => e.type === 'disconnected');
    }, 20_000);
    expect(events.filter((e) => e.type === 'disconnected' || e.type === 'error')).toEqual([]);
    expect(partial).toEqual([]);
    const body = clientComponent(client, Body);
    const wrong = eids.filter((eid, i) => {
      const local = client.localId(eid);
      return local === undefined || body.a[local] !== i + 0.5 || body.h[local] !== -i;
    });
    expect(wrong).toEqual([]);
    expect(rig.server.connection(client.id)!.stats.framesOut).toBeGreaterThan(1024);
  });
});
