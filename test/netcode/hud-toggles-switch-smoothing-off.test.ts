import { describe, expect, it } from 'vitest';
import { createSim } from './harness';

describe('run-time toggles (for a HUD comparison)', () => {
  it('interpolation off draws remote entities at their newest state; prediction off waits for the server', async () => {
    const sim = await createSim();
    const npc = sim.spawn(0, 0);
    sim.onTick = () => {
      sim.game.Position.x[npc] = sim.game.Position.x[npc]! + 2;
    };
    const client = sim.client();
    await sim.run(2000);
    const remote = client.net.localId(npc)!;
    const auth = client.net.replication.authoritative(client.game.protocol.componentId(client.game.Position));
    expect(client.game.Position.x[remote]!).toBeLessThan(auth.values[0]![npc] as number);
    client.net.interpolation.enabled = false;
    await sim.run(100);
    expect(client.game.Position.x[remote]).toBe(auth.values[0]![npc]);

    const eid = client.own()!;
    const me = client.net.predict(eid, { input: client.game.Move, components: [client.game.Position], step: client.game.applyMove });
    client.net.prediction.enabled = false;
    const x0 = client.game.Position.x[eid]!;
    me.input({ dx: 1, dy: 0 });
    expect(client.game.Position.x[eid]).toBe(x0); // not applied locally…
    await sim.run(1000);
    expect(client.game.Position.x[eid]).toBeCloseTo(x0 + 5, 2); // …shown once the server did it
    client.net.prediction.enabled = true;
    me.input({ dx: 1, dy: 0 });
    expect(me.value(client.game.Position, 'x')).toBeCloseTo(x0 + 10, 2); // predicted at once (drawn over the next step)
    await sim.run(1000);
    expect(client.game.Position.x[eid]).toBeCloseTo(x0 + 10, 2);
  });
});
