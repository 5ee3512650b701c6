import { describe, expect, it } from 'vitest';
import { History } from '../../engine-plugin/src/index';
import { createSim } from './harness';

/** How close a shot must land to the target's centre. */
const HIT_RADIUS = 2;
/** The target's speed, units per tick: far more than HIT_RADIUS per tick of delay. */
const SPEED = 4;

type Verdict = { lagCompensated: boolean; unrewound: boolean; rewoundTo: number };

async function shootingRange() {
  const sim = await createSim(); // the shooter's link: 150 ms RTT ± 30 ms
  const target = sim.spawn(100, 0);
  const history = new History([sim.game.Position.x, sim.game.Position.y], { ticks: 20 });
  const verdicts: Verdict[] = [];
  sim.onTick = (tick) => {
    sim.game.Position.x[target] = sim.game.Position.x[target]! + SPEED;
    history.record(tick, [target]);
    for (const shot of sim.server.messages(sim.game.Shot)) {
      const at = history.rewind(shot.data.seenTick);
      const x = history.valueAt(target, 0, at)!;
      verdicts.push({
        lagCompensated: Math.abs(x - shot.data.x) <= HIT_RADIUS,
        unrewound: Math.abs(sim.game.Position.x[target]! - shot.data.x) <= HIT_RADIUS,
        rewoundTo: at,
      });
    }
  };
  const shooter = sim.client();
  await sim.run(3000);
  return { sim, target, history, verdicts, shooter };
}

describe('lag compensation over 150 ms RTT', () => {
  it('a shot at the moving target where the client drew it hits; the same shot judged at the present misses', async () => {
    const { sim, target, verdicts, shooter } = await shootingRange();
    const remote = shooter.net.localId(target)!;
    let fired = false;
    shooter.onFrame = () => {
      if (fired) return;
      fired = true;
      shooter.net.send(shooter.game.Shot, { seenTick: shooter.net.interpolation.timeline.renderTick, x: shooter.game.Position.x[remote]!, y: 0 });
    };
    await sim.run(1000);
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]!.lagCompensated).toBe(true);
    expect(verdicts[0]!.unrewound).toBe(false);
    expect(sim.server.tick - verdicts[0]!.rewoundTo).toBeGreaterThan(3); // it really was drawn ticks in the past
  });

  it('a shot at where the target is on the server, which the client could not have seen yet, misses', async () => {
    const { sim, target, verdicts, shooter } = await shootingRange();
    let fired = false;
    shooter.onFrame = () => {
      if (fired) return;
      fired = true;
      // Aimed at the server's present position, while claiming the tick the client was drawing.
      shooter.net.send(shooter.game.Shot, { seenTick: shooter.net.interpolation.timeline.renderTick, x: sim.game.Position.x[target]!, y: 0 });
    };
    await sim.run(1000);
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]!.lagCompensated).toBe(false);
  });

  it('a claimed tick is clamped into the window: no further back than the history, never ahead of the server', async () => {
    const { history } = await shootingRange();
    const newest = history.newestTick;
    expect(history.rewind(0)).toBe(newest - 19);
    expect(history.rewind(newest + 50)).toBe(newest);
    expect(history.rewind(Number.NaN)).toBe(newest);
    // A claim far from the server's own estimate of what the client saw is replaced by the estimate.
    expect(history.rewind(newest - 15, { tick: newest - 4, toleranceTicks: 4 })).toBe(newest - 4);
    expect(history.rewind(newest - 6, { tick: newest - 4, toleranceTicks: 4 })).toBe(newest - 6);
    expect(history.valueAt(12345, 0, newest)).toBeUndefined();
  });

  it('memory is fixed: a tick records at most maxEntities, the rest counted as overflowed', () => {
    const xs = new Float32Array(8).map((_, i) => i * 10);
    const small = new History([xs], { ticks: 2, maxEntities: 3 });
    small.record(1, [0, 1, 2, 3, 4]);
    expect(small.overflowed).toBe(2);
    expect(small.valueAt(2, 0, 1)).toBe(20);
    expect(small.valueAt(4, 0, 1)).toBeUndefined();
    small.record(2, [0]);
    small.record(3, [0]); // the ring overwrote tick 1
    expect(small.valueAt(2, 0, 1)).toBeUndefined();
    expect(() => small.record(2, [0])).toThrow(RangeError);
  });
});
