import { describe, expect, it } from 'vitest';
import { createSim } from './harness';

describe('a remote teleport', () => {
  it('snaps to the new place instead of sliding there', async () => {
    const sim = await createSim();
    const npc = sim.spawn(0, 0);
    sim.onTick = (tick) => {
      sim.game.Position.x[npc] = tick === 60 ? 1000 : sim.game.Position.x[npc]! + 2;
    };
    const viewer = sim.client();
    await sim.run(2000);
    const local = viewer.net.localId(npc)!;
    const xs: number[] = [];
    viewer.onFrame = () => xs.push(viewer.game.Position.x[local]!);
    await sim.run(2500);
    const steps = xs.slice(1).map((x, i) => x - xs[i]!);
    const big = steps.filter((d) => Math.abs(d) > 10);
    expect(big).toHaveLength(1);
    expect(xs[xs.length - 1]).toBeGreaterThan(1000);
    expect(big[0]).toBeGreaterThan(800);
    expect(steps.filter((d) => d < -1e-6)).toEqual([]);
    expect(viewer.net.interpolation.stats.snapped).toBeGreaterThan(0);
  });
});
