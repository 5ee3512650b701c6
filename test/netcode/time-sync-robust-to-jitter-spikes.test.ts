import { describe, expect, it } from 'vitest';
import { TimeSync } from '../../engine-plugin/src/client/time-sync';
import { createSim } from './harness';

describe('time sync', () => {
  it('keeps its arrival line and jitter estimate through isolated lateness spikes', () => {
    const sync = new TimeSync();
    sync.reset(20, 0, 80);
    for (let tick = 1; tick <= 200; tick++) {
      const spike = tick % 25 === 0 ? 300 : 0;
      sync.observeFrame(tick, tick * 50 + 80 + (tick % 3) * 2 + spike);
    }
    // Server tick 200 is sent at 10 000 ms (shifted by 80 ms one-way): the line says so.
    expect(sync.arrivalTick(200 * 50 + 80)).toBeCloseTo(200, 2);
    expect(sync.jitterMs).toBeLessThanOrEqual(4);
    expect(sync.sendIntervalMs).toBe(50);
  });

  it('follows a lasting latency rise once the old fast samples leave the window', () => {
    const sync = new TimeSync({ window: 32 });
    sync.reset(20, 0, 50);
    for (let tick = 1; tick <= 100; tick++) sync.observeFrame(tick, tick * 50 + (tick > 50 ? 150 : 50));
    expect(sync.arrivalTick(100 * 50 + 150)).toBeCloseTo(100, 2);
  });

  it('exposes smoothed RTT and jitter on the connection and estimates the server tick', async () => {
    const sim = await createSim();
    const client = sim.client();
    await sim.run(5000);
    const { connection, timeSync } = client.net;
    expect(connection.rtt).toBeGreaterThan(110);
    expect(connection.rtt).toBeLessThan(190);
    expect(connection.jitter).toBeGreaterThan(0);
    expect(timeSync.rtt).toBeCloseTo(connection.rtt, 6);
    // The estimate of the server's current tick is within a tick of the truth.
    expect(Math.abs(timeSync.serverTick(sim.clock.now()) - sim.server.tick)).toBeLessThan(1.5);
  });
});
