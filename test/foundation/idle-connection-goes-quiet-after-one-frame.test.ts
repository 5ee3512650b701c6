import { addComponent, addEntity } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { Networked } from '../../engine-plugin/src/index';
import { Position, protocol } from '../support/chat-protocol';
import { type Rig, TRANSPORTS, startRig } from '../support/rig';

const quiet = { heartbeatIntervalMs: 60_000, idleTimeoutMs: 120_000 };
const pause = () => new Promise((resolve) => setTimeout(resolve, 10));

describe.each(TRANSPORTS)('over %s: when the world stops changing', (kind) => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('the server sends exactly one empty frame to mark the stop, then nothing until something changes', async () => {
    rig = await startRig(kind, protocol, { settings: quiet });
    const client = rig.client({ settings: quiet });
    client.connect();
    const world = rig.server.world;
    const eid = addEntity(world);
    addComponent(world, eid, Position);
    addComponent(world, eid, Networked);
    await rig.until(() => client.localId(eid) !== undefined);
    const session = rig.server.connection(client.id)!;

    for (let i = 0; i < 5; i++) {
      Position.x[eid]! += 1;
      rig.step();
      await pause();
    }
    const afterMotion = session.stats.framesOut;
    for (let i = 0; i < 10; i++) {
      rig.step();
      await pause();
    }
    expect(session.stats.framesOut - afterMotion).toBe(1);

    Position.x[eid]! += 1;
    rig.step();
    expect(session.stats.framesOut - afterMotion).toBe(2);
  });
});
