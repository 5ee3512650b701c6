import { addComponent, addEntity } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { Networked } from '../../engine-plugin/src/index';
import { Position, protocol } from '../support/chat-protocol';
import { type Rig, TRANSPORTS, startRig } from '../support/rig';

const quiet = { heartbeatIntervalMs: 60_000, idleTimeoutMs: 120_000 };
const pause = () => new Promise((resolve) => setTimeout(resolve, 2));
const TICKS = 120;

describe.each(TRANSPORTS)('over %s: priority under a byte budget', (kind) => {
  let rig: Rig;
  afterEach(() => rig?.close());

  async function watchUpdates(options: { priority?: (clientId: number, eid: number) => number }): Promise<{ counts: number[]; eids: number[] }> {
    rig = await startRig(kind, protocol, {
      settings: quiet,
      replication: {
        spatial: { component: Position, xField: 'x', yField: 'y', cellSize: 100 },
        bandwidth: { bytesPerSecond: 1600, priority: options.priority },
      },
    });
    const client = rig.client({ settings: quiet });
    client.connect();
    const world = rig.server.world;
    const focus = addEntity(world);
    addComponent(world, focus, Position);
    addComponent(world, focus, Networked);
    // 40 entities in a line away from the focus: 10 … 400 units, all inside the radius.
    const eids: number[] = [];
    for (let i = 1; i <= 40; i++) {
      const eid = addEntity(world);
      addComponent(world, eid, Position);
      Position.x[eid] = 10 * i;
      addComponent(world, eid, Networked);
      eids.push(eid);
    }
    await rig.until(() => client.state === 'connected');
    rig.server.setFocus(rig.server.connection(client.id)!, focus, 1000);
    await rig.until(() => eids.every((e) => client.localId(e) !== undefined));
    for (let n = 0; n < 30; n++) {
      rig.step();
      await pause();
    }
    const y = client.replication.authoritative(0).values[1]!;
    const counts = eids.map(() => 0);
    const seen = eids.map((e) => y[e]!);
    for (let n = 1; n <= TICKS; n++) {
      // Every entity moves every tick, so every frame could carry all 40.
      for (const e of eids) Position.y[e] = n;
      rig.step();
      await pause();
      eids.forEach((e, i) => {
        if (y[e] !== seen[i]) {
          counts[i]!++;
          seen[i] = y[e]!;
        }
      });
    }
    return { counts, eids };
  }

  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

  it('by default sends entities near the focus more often than far ones, and every entity keeps being updated', async () => {
    const { counts } = await watchUpdates({});
    const near = counts.slice(0, 10);
    const far = counts.slice(30);
    // Priorities 0.96…0.71 against 0.45…0.38: about twice as often.
    expect(mean(near)).toBeGreaterThan(1.5 * mean(far));
    // Nothing starves: the farthest entity's priority grows while it waits until it wins.
    expect(Math.min(...far)).toBeGreaterThanOrEqual(5);
    // The budget binds: nobody gets every tick.
    expect(Math.max(...near)).toBeLessThan(TICKS);
  });

  it('follows a custom priority function', async () => {
    // Odd server ids matter ten times as much as even ones, whatever the distance.
    const { counts, eids } = await watchUpdates({ priority: (_client, eid) => (eid % 2 === 1 ? 10 : 1) });
    const odd = counts.filter((_, i) => eids[i]! % 2 === 1);
    const even = counts.filter((_, i) => eids[i]! % 2 === 0);
    expect(mean(odd)).toBeGreaterThan(3 * mean(even));
    expect(Math.min(...even)).toBeGreaterThanOrEqual(2);
  });
});
