import { describe, expect, it } from 'vitest';
import { createSim } from './harness';

async function settledDelay(tickRate: number, jitterMs: number): Promise<{ target: number; actual: number; jitter: number }> {
  const sim = await createSim({ tickRate });
  const npc = sim.spawn(0, 0);
  sim.onTick = () => {
    sim.game.Position.x[npc] = sim.game.Position.x[npc]! + 1;
  };
  const viewer = sim.client({ link: { conditions: { latencyMs: 60, jitterMs } } });
  await sim.run(6000);
  return { target: viewer.net.interpolation.timeline.targetDelayMs, actual: viewer.net.renderDelayMs, jitter: viewer.net.timeSync.jitterMs };
}

describe('interpolation delay', () => {
  it('is about two send intervals plus the measured jitter, and follows both', async () => {
    const calm = await settledDelay(20, 0);
    expect(calm.jitter).toBeLessThan(1);
    expect(calm.target).toBeCloseTo(100, 0);
    const jittery = await settledDelay(20, 80);
    expect(jittery.jitter).toBeGreaterThan(50);
    expect(jittery.target).toBeGreaterThan(calm.target + 50);
    const slow = await settledDelay(10, 0);
    expect(slow.target).toBeCloseTo(200, 0);
    // The timeline has converged on its target (read a frame after it was last advanced).
    for (const d of [calm, jittery, slow]) expect(Math.abs(d.actual - d.target)).toBeLessThan(25);
  });
});
