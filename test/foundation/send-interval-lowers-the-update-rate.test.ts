import { addComponent, addEntity } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { Networked } from '../../engine-plugin/src/index';
import { Position, Shout, protocol } from '../support/chat-protocol';
import { type Rig, TRANSPORTS, clientComponent, startRig } from '../support/rig';

const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

describe.each(TRANSPORTS)('over %s: sendInterval', (kind) => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('sends a connection one frame every N ticks, and nothing it skipped is lost', async () => {
    rig = await startRig(kind, protocol, { settings: { sendInterval: 4, heartbeatIntervalMs: 60_000, idleTimeoutMs: 120_000 } });
    const client = rig.client({ settings: { heartbeatIntervalMs: 60_000, idleTimeoutMs: 120_000 } });
    client.connect();
    const world = rig.server.world;
    const eid = addEntity(world);
    addComponent(world, eid, Position);
    addComponent(world, eid, Networked);
    await rig.until(() => client.localId(eid) !== undefined);
    const session = rig.server.connection(client.id)!;
    const before = session.stats.framesOut;
    const heard: number[] = [];
    for (let n = 1; n <= 40; n++) {
      Position.x[eid] = n;
      rig.server.send(session, Shout, { text: 'tick', from: n });
      rig.step();
      heard.push(...client.messages(Shout).map((m) => m.from));
      await pause();
    }
    expect(session.stats.framesOut - before).toBe(10);
    const local = clientComponent(client, Position);
    // Keep ticking (reading each tick's messages once) until the skipped ticks have all arrived.
    const deadline = Date.now() + 5000;
    while ((heard.length < 40 || Math.abs(local.x[client.localId(eid)!]! - 40) >= 0.01) && Date.now() < deadline) {
      await pause();
      rig.step();
      heard.push(...client.messages(Shout).map((m) => m.from));
    }
    expect(heard).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });
});
