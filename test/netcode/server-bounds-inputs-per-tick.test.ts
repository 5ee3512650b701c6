import { describe, expect, it } from 'vitest';
import { createSim } from './harness';

describe('input budget', () => {
  it('hands game code at most maxInputsPerTick inputs per connection per tick, in order, the rest on later ticks', async () => {
    const sim = await createSim({ server: { settings: { maxInputsPerTick: 4 } } });
    const perTick: number[] = [];
    sim.onTick = () => {
      const n = sim.server.messages(sim.game.Move).length;
      if (n > 0) perTick.push(n);
    };
    const client = sim.client();
    await sim.run(1000);
    const eid = client.own()!;
    const me = client.net.predict(eid, { input: client.game.Move, components: [client.game.Position], step: client.game.applyMove });
    for (let i = 0; i < 10; i++) me.input({ dx: 1, dy: 0 });
    await sim.run(1000);
    expect(perTick).toEqual([4, 4, 2]);
    // Faster input buys no speed, and the prediction agrees with where the server ended.
    expect(sim.game.Position.x[sim.players.get(client.net.id)!]).toBeCloseTo(50, 2);
    expect(client.game.Position.x[eid]).toBeCloseTo(50, 2);
    expect(me.pendingInputs).toBe(0);
  });
});
