import { addComponent, addEntity } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { Networked } from '../../engine-plugin/src/index';
import { Position, Shout, protocol } from '../support/chat-protocol';
import { type Rig, TRANSPORTS, clientComponent, startRig } from '../support/rig';

const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
const quiet = { heartbeatIntervalMs: 60_000, idleTimeoutMs: 120_000 };

describe.each(TRANSPORTS)('over %s: per-connection sendInterval', (kind) => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('changes one connection’s update rate at run time, leaves the others at theirs, and loses nothing', async () => {
    rig = await startRig(kind, protocol, { settings: quiet });
    const slow = rig.client({ settings: quiet });
    const fast = rig.client({ settings: quiet });
    slow.connect();
    fast.connect();
    const world = rig.server.world;
    const eid = addEntity(world);
    addComponent(world, eid, Position);
    addComponent(world, eid, Networked);
    await rig.until(() => slow.localId(eid) !== undefined && fast.localId(eid) !== undefined);
    const slowSession = rig.server.connection(slow.id)!;
    const fastSession = rig.server.connection(fast.id)!;
    const run = async (from: number, ticks: number) => {
      const before = [slowSession.stats.framesOut, fastSession.stats.framesOut];
      for (let n = from; n < from + ticks; n++) {
        Position.x[eid] = n;
        rig.server.send(slowSession, Shout, { text: 'tick', from: n });
        rig.server.send(fastSession, Shout, { text: 'tick', from: n });
        rig.step();
        await pause();
      }
      return [slowSession.stats.framesOut - before[0]!, fastSession.stats.framesOut - before[1]!];
    };
    rig.server.setSendInterval(slowSession, 4);
    expect(await run(1, 40)).toEqual([10, 40]);
    rig.server.setSendInterval(slowSession, 1);
    expect(await run(41, 8)).toEqual([8, 8]);
    const local = clientComponent(slow, Position);
    await rig.until(() => Math.abs(local.x[slow.localId(eid)!]! - 48) < 0.01);
    expect(() => rig.server.setSendInterval(slowSession, 0)).toThrow(TypeError);
    expect(() => rig.server.setSendInterval(slowSession, 1.5)).toThrow(TypeError);
  });
});
