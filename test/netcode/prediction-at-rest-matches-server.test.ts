import { describe, expect, it } from 'vitest';
import type { PredictedEntity } from '../../engine-plugin/src/client/predicted-entity';
import { createSim, type Game, SPEED } from './harness';

describe('client-side prediction over 150 ms RTT ± 30 ms jitter at 20 Hz', () => {
  it('answers an input at once, replays unacknowledged inputs without corrections, and rests where the server does', async () => {
    const sim = await createSim();
    const player = sim.client();
    await sim.run(1000);
    const eid = player.own();
    expect(eid).toBeDefined();
    const me: PredictedEntity<Game['Move']['shape']> = player.net.predict(eid!, {
      input: player.game.Move,
      components: [player.game.Position],
      step: player.game.applyMove,
    });
    const P = player.game.Position;

    // One input is predicted at once and drawn whole one step (a tick) later, long before the server could answer.
    const before = P.x[eid!]!;
    me.input({ dx: 1, dy: 0 });
    expect(me.value(player.game.Position, 'x') - before).toBeCloseTo(SPEED, 5);
    await sim.run(50);
    expect(P.x[eid!]! - before).toBeCloseTo(SPEED, 5);

    // Walk for 3 s at one input per tick (the server applies the same step per input).
    let nextInput = sim.clock.now();
    let inputs = 1;
    player.onFrame = (now) => {
      if (inputs < 61 && now >= nextInput) {
        me.input({ dx: 1, dy: inputs % 2 ? 0.5 : -0.5 });
        inputs++;
        nextInput += 50;
      }
    };
    await sim.run(3000);
    expect(me.pendingInputs).toBeGreaterThan(0); // some still in flight while walking
    // Deterministic shared step: replays reproduce the prediction (quantisation at most 0.005 per field).
    expect(me.maxCorrection).toBeLessThan(0.02);

    await sim.run(2000); // stop, let every input be acknowledged
    const serverEid = sim.players.get(player.net.id)!;
    expect(me.pendingInputs).toBe(0);
    expect(Math.abs(P.x[eid!]! - sim.game.Position.x[serverEid]!)).toBeLessThan(1);
    expect(Math.abs(P.y[eid!]! - sim.game.Position.y[serverEid]!)).toBeLessThan(1);
    expect(sim.game.Position.x[serverEid]!).toBeCloseTo(61 * SPEED, 1);
    // The server acknowledged the inputs in its frame headers.
    expect(player.net.connection.lastInputProcessed).toBeGreaterThan(60);
  });
});
