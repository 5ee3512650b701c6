import { describe, expect, it } from 'vitest';
import { createSim } from './harness';

describe('prediction mismatch', () => {
  it('is corrected over several frames, not snapped, and then matches the server', async () => {
    const sim = await createSim();
    const player = sim.client();
    await sim.run(1000);
    const eid = player.own()!;
    const me = player.net.predict(eid, { input: player.game.Move, components: [player.game.Position], step: player.game.applyMove });
    const serverEid = sim.players.get(player.net.id)!;
    // The server pushes the player 20 units (a collision the client could not foresee).
    let pushed = false;
    sim.onTick = (tick) => {
      if (!pushed && tick > 30) {
        sim.game.Position.x[serverEid] = sim.game.Position.x[serverEid]! + 20;
        pushed = true;
      }
    };
    const xs: number[] = [];
    player.onFrame = () => xs.push(player.game.Position.x[eid]!);
    await sim.run(2000);
    expect(pushed).toBe(true);
    const steps = xs.slice(1).map((x, i) => x - xs[i]!);
    const moving = steps.filter((d) => Math.abs(d) > 1e-3);
    // The 20-unit correction is spread: no single frame moves more than a third of it…
    expect(Math.max(...steps.map(Math.abs))).toBeLessThan(20 / 3);
    // …over several frames…
    expect(moving.length).toBeGreaterThanOrEqual(5);
    expect(me.maxCorrection).toBeCloseTo(20, 1);
    // …and ends on the server's value.
    expect(Math.abs(player.game.Position.x[eid]! - sim.game.Position.x[serverEid]!)).toBeLessThan(0.01);
  });

  it('a teleport (a correction beyond snapDistance) snaps at once', async () => {
    const sim = await createSim();
    const player = sim.client();
    await sim.run(1000);
    const eid = player.own()!;
    player.net.predict(eid, { input: player.game.Move, components: [player.game.Position], step: player.game.applyMove, snapDistance: 50 });
    const serverEid = sim.players.get(player.net.id)!;
    sim.onTick = (tick) => {
      if (tick === 40) sim.game.Position.x[serverEid] = 500;
    };
    const xs: number[] = [];
    player.onFrame = () => xs.push(player.game.Position.x[eid]!);
    await sim.run(2000);
    const steps = xs.slice(1).map((x, i) => x - xs[i]!).filter((d) => Math.abs(d) > 1e-3);
    expect(steps).toEqual([500]);
  });
});
