import { describe, expect, it } from 'vitest';
import { createSim } from './harness';

describe('snapshot interpolation over 150 ms RTT ± 30 ms jitter at 20 Hz', () => {
  it('a remote entity in steady motion advances every frame: no stall, never backwards', async () => {
    const sim = await createSim();
    const npc = sim.spawn(0, 0);
    sim.onTick = () => {
      sim.game.Position.x[npc] = sim.game.Position.x[npc]! + 3;
    };
    const viewer = sim.client();
    await sim.run(2000); // connect and settle the delay estimate
    const local = viewer.net.localId(npc);
    expect(local).toBeDefined();
    let previous = Number.NaN;
    let stalls = 0;
    let reversals = 0;
    let frames = 0;
    viewer.onFrame = () => {
      const x = viewer.game.Position.x[local!]!;
      if (!Number.isNaN(previous)) {
        if (x < previous - 1e-6) reversals++;
        else if (x - previous < 1e-6) stalls++;
      }
      previous = x;
      frames++;
    };
    await sim.run(10_000);
    expect(frames).toBeGreaterThan(550);
    expect(reversals).toBe(0);
    expect(stalls).toBe(0);
    // Drawn in the past, by about two send intervals plus the jitter margin.
    expect(viewer.net.interpolation.timeline.targetDelayMs).toBeGreaterThan(100);
    expect(viewer.net.interpolation.timeline.targetDelayMs).toBeLessThan(160);
    const lag = sim.game.Position.x[npc]! - viewer.game.Position.x[local!]!;
    expect(lag).toBeGreaterThan(0);
  });
});
