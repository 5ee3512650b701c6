import { describe, expect, it } from 'vitest';
import { createSim, SPEED } from './harness';

/** Coefficient of variation: standard deviation over mean. */
function cv(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return Math.sqrt(variance) / mean;
}

describe('the own player, stepped at 20 Hz and drawn at 60 fps', () => {
  it('moves every frame while a key is held, evenly, starting the frame after the press', async () => {
    const sim = await createSim();
    const player = sim.client();
    await sim.run(1000);
    const eid = player.own()!;
    const me = player.net.predict(eid, { input: player.game.Move, components: [player.game.Position], step: player.game.applyMove, stepMs: 50 });
    const P = player.game.Position;
    await sim.run(500);

    const pressedAt = sim.clock.now();
    const drawnBefore = P.x[eid]!;
    const drawn: number[] = [];
    let nextInputAt = pressedAt;
    let inputs = 0;
    player.onFrame = (now) => {
      // Like a game loop: this frame's inputs on their fixed schedule, then what the frame renders.
      while (inputs < 60 && now >= nextInputAt) {
        me.input({ dx: 1, dy: 0 }, nextInputAt);
        inputs++;
        nextInputAt += 50;
      }
      drawn.push(P.x[eid]!);
    };
    await sim.run(3000); // 60 inputs: 3 s held
    const held = drawn.slice(0, Math.round(3000 / (1000 / 60)));
    const steps = held.slice(1).map((x, i) => x - held[i]!);
    // The press frame draws where the player stood; the next frame already moves (one frame of latency, no more).
    expect(held[0]).toBeCloseTo(drawnBefore, 6);
    expect(steps[0]).toBeGreaterThan(0);
    const still = steps.filter((d) => Math.abs(d) < 1e-6).length;
    expect(still / steps.length).toBeLessThanOrEqual(0.02);
    expect(cv(steps)).toBeLessThanOrEqual(0.1);
    // Each frame covers its share of a step: 5 units per 50 ms is 1.67 units per 16.7 ms frame.
    expect(steps.reduce((a, b) => a + b, 0) / steps.length).toBeCloseTo((SPEED * (1000 / 60)) / 50, 1);
    // Interpolation is only how it is drawn: the prediction and the server agree.
    await sim.run(2000);
    expect(me.maxCorrection).toBeLessThan(0.02);
    expect(P.x[eid]).toBeCloseTo(sim.game.Position.x[sim.players.get(player.net.id)!]!, 1);
  });

  it('with stepMs 0 draws each step whole when it is applied', async () => {
    const sim = await createSim();
    const player = sim.client();
    await sim.run(1000);
    const eid = player.own()!;
    const me = player.net.predict(eid, { input: player.game.Move, components: [player.game.Position], step: player.game.applyMove, stepMs: 0 });
    const before = player.game.Position.x[eid]!;
    me.input({ dx: 1, dy: 0 });
    expect(player.game.Position.x[eid]! - before).toBeCloseTo(SPEED, 5);
  });

  it('a correction during a step shifts both ends of the step: the drawn pose does not jump', async () => {
    const sim = await createSim();
    const player = sim.client();
    await sim.run(1000);
    const eid = player.own()!;
    const me = player.net.predict(eid, { input: player.game.Move, components: [player.game.Position], step: player.game.applyMove, stepMs: 50 });
    const serverEid = sim.players.get(player.net.id)!;
    let pushed = false;
    sim.onTick = (tick) => {
      if (!pushed && tick > 40) {
        sim.game.Position.y[serverEid] = sim.game.Position.y[serverEid]! + 20;
        pushed = true;
      }
    };
    const ys: number[] = [];
    let nextInputAt = sim.clock.now();
    player.onFrame = (now) => {
      while (now >= nextInputAt) {
        me.input({ dx: 1, dy: 0 }, nextInputAt);
        nextInputAt += 50;
      }
      ys.push(player.game.Position.y[eid]!);
    };
    await sim.run(2000);
    expect(pushed).toBe(true);
    expect(me.maxCorrection).toBeCloseTo(20, 1);
    const steps = ys.slice(1).map((y, i) => Math.abs(y - ys[i]!));
    expect(Math.max(...steps)).toBeLessThan(20 / 3);
  });
});
