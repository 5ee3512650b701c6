import { describe, expect, it } from 'vitest';
import { createSim } from './harness';

/** Coefficient of variation: standard deviation over mean. */
function cv(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length) / mean;
}

/** A busy page: each frame's script starts 0–12 ms after its vsync timestamp, unevenly (fixed pseudo-random per frame). */
const busy = (frame: number): number => ((frame * 7919) % 13) * 0.95;

/**
 * Frames reach the screen every 16.7 ms, but a busy page starts their scripts unevenly late. The
 * own player (predicted, stepped at 20 Hz) and a remote entity (interpolated) both walk at a
 * constant speed; what each frame draws should advance by the same amount.
 */
async function walk(receiveFrameTime: boolean) {
  const sim = await createSim({ scriptLateness: busy, receiveFrameTime });
  const player = sim.client();
  const watcher = sim.client();
  const target = sim.spawn(0, 100);
  sim.onTick = () => {
    sim.game.Position.x[target] = sim.game.Position.x[target]! + 4;
  };
  await sim.run(1500);
  const eid = player.own()!;
  const me = player.net.predict(eid, { input: player.game.Move, components: [player.game.Position], step: player.game.applyMove, stepMs: 50 });
  const remote = watcher.net.localId(target)!;
  const own: number[] = [];
  const seen: number[] = [];
  let next = Number.NEGATIVE_INFINITY;
  player.onFrame = (now) => {
    if (next === Number.NEGATIVE_INFINITY) next = now;
    while (now >= next) {
      me.input({ dx: 1, dy: 0 }, next);
      next += 50;
    }
    own.push(player.game.Position.x[eid]!);
  };
  watcher.onFrame = () => seen.push(watcher.game.Position.x[remote]!);
  await sim.run(3000);
  const steps = (xs: number[]) => xs.slice(2).map((x, i) => x - xs[i + 1]!);
  return { own: cv(steps(own)), remote: cv(steps(seen)) };
}

describe('a busy page whose frame scripts start late', () => {
  it('draws the own player and remote entities for the frame timestamp passed to receive: even steps', async () => {
    const timed = await walk(true);
    expect(timed.own).toBeLessThanOrEqual(0.05);
    expect(timed.remote).toBeLessThanOrEqual(0.05);
  });

  it('drawn for the script start time instead, the same walk steps unevenly', async () => {
    const late = await walk(false);
    expect(late.own).toBeGreaterThan(0.2);
    expect(late.remote).toBeGreaterThan(0.2);
  });
});
