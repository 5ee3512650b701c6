import { addComponent, addEntity } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { Networked } from '../../engine-plugin/src/index';
import { Position, protocol } from '../support/chat-protocol';
import { type Rig, TRANSPORTS, startRig } from '../support/rig';

const quiet = { heartbeatIntervalMs: 60_000, idleTimeoutMs: 120_000 };
const pause = () => new Promise((resolve) => setTimeout(resolve, 2));
const ENTITIES = 120;
/** 2,000 B/s at 20 Hz: 100 bytes a frame, where every entity's delta would take about 500. */
const BYTES_PER_SECOND = 2000;
const PER_TICK = BYTES_PER_SECOND / 20;

describe.each(TRANSPORTS)('over %s: a connection under a byte budget', (kind) => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('gets at most its budget each frame while everything moves, then converges exactly to what an uncapped client sees', async () => {
    rig = await startRig(kind, protocol, { settings: quiet, replication: { bandwidth: { bytesPerSecond: BYTES_PER_SECOND } } });
    const capped = rig.client({ settings: quiet });
    const free = rig.client({ settings: quiet });
    capped.connect();
    free.connect();
    const world = rig.server.world;
    const eids: number[] = [];
    for (let i = 0; i < ENTITIES; i++) {
      const eid = addEntity(world);
      addComponent(world, eid, Position);
      Position.x[eid] = i;
      Position.y[eid] = 0;
      addComponent(world, eid, Networked);
      eids.push(eid);
    }
    await rig.until(() => eids.every((e) => capped.localId(e) !== undefined && free.localId(e) !== undefined));
    const cappedSession = rig.server.connection(capped.id)!;
    const freeSession = rig.server.connection(free.id)!;
    rig.server.setBandwidth(freeSession, undefined);
    // The entering snapshot ran over the budget (entries always go); let the debt be repaid.
    for (let n = 0; n < 30; n++) {
      rig.step();
      await pause();
    }

    const frameBytes: number[] = [];
    let freeBytes = 0;
    let mostWaiting = 0;
    for (let n = 1; n <= 60; n++) {
      for (const e of eids) {
        Position.x[e]! += 0.37;
        Position.y[e] = Math.sin(n + e) * 50;
      }
      const before = cappedSession.stats.bytesOut;
      const freeBefore = freeSession.stats.bytesOut;
      rig.step();
      frameBytes.push(cappedSession.stats.bytesOut - before);
      freeBytes += freeSession.stats.bytesOut - freeBefore;
      mostWaiting = Math.max(mostWaiting, rig.server.replication.pendingCount(capped.id));
      await pause();
    }
    expect(Math.max(...frameBytes)).toBeLessThanOrEqual(PER_TICK);
    // The budget is used, not just respected.
    expect(frameBytes.reduce((a, b) => a + b, 0)).toBeGreaterThan(0.8 * 60 * PER_TICK);
    expect(freeBytes).toBeGreaterThan(3 * 60 * PER_TICK);
    expect(mostWaiting).toBeGreaterThan(ENTITIES / 2);

    // Motion stops: what waited drains within the budget, and the capped client ends up with
    // exactly the values the uncapped one has.
    const x = (client: typeof capped) => client.replication.authoritative(0).values[0] as Float64Array;
    const y = (client: typeof capped) => client.replication.authoritative(0).values[1] as Float64Array;
    await rig.until(() => rig.server.replication.pendingCount(capped.id) === 0, 5000, 2);
    for (let n = 0; n < 3; n++) {
      rig.step();
      await pause();
    }
    await rig.until(() => eids.every((e) => x(free)[e] === x(capped)[e] && y(free)[e] === y(capped)[e]), 2000, 2);
    for (const e of eids) {
      expect(Math.abs(x(capped)[e]! - Position.x[e]!)).toBeLessThanOrEqual(0.005 + 1e-4);
      expect(Math.abs(y(capped)[e]! - Position.y[e]!)).toBeLessThanOrEqual(0.005 + 1e-4);
    }
  });

  it('lifting the cap sends everything that waited in the next frame', async () => {
    rig = await startRig(kind, protocol, { settings: quiet });
    const client = rig.client({ settings: quiet });
    client.connect();
    const world = rig.server.world;
    const eids: number[] = [];
    for (let i = 0; i < 60; i++) {
      const eid = addEntity(world);
      addComponent(world, eid, Position);
      addComponent(world, eid, Networked);
      eids.push(eid);
    }
    await rig.until(() => eids.every((e) => client.localId(e) !== undefined));
    const session = rig.server.connection(client.id)!;
    rig.server.setBandwidth(session, 400);
    for (const e of eids) Position.x[e] = 1000 + e;
    rig.step();
    expect(rig.server.replication.pendingCount(client.id)).toBeGreaterThan(30);
    rig.server.setBandwidth(session, undefined);
    rig.step();
    expect(rig.server.replication.pendingCount(client.id)).toBe(0);
    const x = client.replication.authoritative(0).values[0]!;
    await rig.until(() => eids.every((e) => x[e] === 1000 + e), 2000, 2);
    expect(() => rig.server.setBandwidth(session, 0)).toThrow(RangeError);
    expect(() => rig.server.setBandwidth(session, Number.NaN)).toThrow(RangeError);
  });
});
