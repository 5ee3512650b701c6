import { describe, expect, it } from 'vitest';
import { createSim } from './harness';

describe('the delays a HUD shows', () => {
  it('describe the frame drawn: read later than it, they do not move', async () => {
    const sim = await createSim();
    const npc = sim.spawn(0, 0);
    sim.onTick = () => {
      sim.game.Position.x[npc] = sim.game.Position.x[npc]! + 2;
    };
    const client = sim.client();
    await sim.run(3000);
    const behindServer = client.net.delayBehindServerMs;
    const renderDelay = client.net.renderDelayMs;
    expect(renderDelay).toBeGreaterThan(0);
    // A page preempted between its two readings: the clock moves on, the frame on screen does not.
    sim.clock.advance(7);
    expect(client.net.delayBehindServerMs).toBe(behindServer);
    expect(client.net.renderDelayMs).toBe(renderDelay);
    // So the two always differ by the one-way estimate, half the fastest RTT, whenever they are read.
    expect(behindServer - renderDelay).toBeCloseTo(client.net.timeSync.minRtt / 2, 6);
  });
});
