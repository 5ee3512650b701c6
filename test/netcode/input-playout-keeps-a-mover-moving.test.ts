import { describe, expect, it } from 'vitest';
import type { ServerConnection } from '../../engine-plugin/src/connection/server-connection';
import { createSim } from './harness';

/**
 * A mover holding a key for 6 s over a 75 ± 15 ms link (60 ms + [0, 30) ms jitter each way), one
 * input per 50 ms at 20 Hz: how many server ticks applied nothing (an observer sees a freeze) and
 * how far the queue grew.
 */
async function walk(settings: { maxInputsPerTick: number; inputRate: number }) {
  const sim = await createSim({ server: { settings }, seed: 11 });
  const player = sim.client({ link: { conditions: { latencyMs: 60, jitterMs: 30 } } });
  await sim.run(1000);
  const eid = player.own()!;
  const me = player.net.predict(eid, { input: player.game.Move, components: [player.game.Position], step: player.game.applyMove, stepMs: 50 });
  const serverEid = sim.players.get(player.net.id)!;
  const total = 120;
  let sent = 0;
  let nextInputAt = sim.clock.now();
  player.onFrame = (now) => {
    while (sent < total && now >= nextInputAt) {
      me.input({ dx: 1, dy: 0 }, nextInputAt);
      sent++;
      nextInputAt += 50;
    }
  };
  const xs: number[] = [];
  let maxBacklog = 0;
  sim.onTick = () => {
    xs.push(sim.game.Position.x[serverEid]!);
    maxBacklog = Math.max(maxBacklog, (sim.server.connection(player.net.id) as ServerConnection | undefined)?.playout?.backlog ?? 0);
  };
  await sim.run(total * 50 + 1000);
  const moved = xs.map((x, i) => (i === 0 ? 0 : x - xs[i - 1]!));
  const first = moved.findIndex((d) => d > 0);
  const last = moved.length - 1 - [...moved].reverse().findIndex((d) => d > 0);
  const frozen = moved.slice(first, last + 1).filter((d) => d === 0).length;
  const playout = (sim.server.connection(player.net.id) as ServerConnection | undefined)?.playout;
  return { frozen, maxBacklog, pending: me.pendingInputs, x: sim.game.Position.x[serverEid]!, playout, maxCorrection: me.maxCorrection };
}

describe('the server input playout buffer', () => {
  it('applies a jittered 20 Hz input stream on every tick while the key is held, with a short queue and no speed gained', async () => {
    const buffered = await walk({ maxInputsPerTick: 2, inputRate: 20 });
    expect(buffered.frozen).toBe(0);
    expect(buffered.maxBacklog).toBeLessThanOrEqual(3);
    expect(buffered.playout!.depth).toBeGreaterThan(0); // a tick of slack absorbed the jitter
    expect(buffered.playout!.dropped).toBe(0);
    expect(buffered.x).toBeCloseTo(120 * 5, 1); // every input applied exactly once, none dropped
    expect(buffered.pending).toBe(0);
  });

  it('without it, one input a tick as they arrive, the same link freezes the mover on some ticks', async () => {
    const unbuffered = await walk({ maxInputsPerTick: 1, inputRate: 0 });
    expect(unbuffered.frozen).toBeGreaterThan(0);
  });

  it('a burst of queued inputs catches up one extra a tick, never faster than the input rate allows', async () => {
    const sim = await createSim({ server: { settings: { maxInputsPerTick: 4, inputRate: 20 } } });
    const perTick: number[] = [];
    sim.onTick = () => perTick.push(sim.server.messages(sim.game.Move).length);
    const client = sim.client();
    await sim.run(1000);
    const me = client.net.predict(client.own()!, { input: client.game.Move, components: [client.game.Position], step: client.game.applyMove });
    for (let i = 0; i < 8; i++) me.input({ dx: 1, dy: 0 });
    await sim.run(2000);
    const applied = perTick.filter((n) => n > 0);
    expect(applied.reduce((a, b) => a + b, 0)).toBe(8);
    expect(Math.max(...applied)).toBe(2); // one extra a tick at most
    // The token bucket: over the whole burst no more than the rate plus a small burst.
    const ticks = perTick.findLastIndex((n) => n > 0) - perTick.findIndex((n) => n > 0) + 1;
    expect(ticks).toBeGreaterThanOrEqual(8 - 3);
    expect(sim.game.Position.x[sim.players.get(client.net.id)!]).toBeCloseTo(40, 2);
  });

  it('a connection far behind drops its oldest inputs, counted, and its prediction follows the server', async () => {
    const sim = await createSim({ server: { settings: { maxInputsPerTick: 4, inputRate: 20 } } });
    const client = sim.client();
    await sim.run(1000);
    const eid = client.own()!;
    const me = client.net.predict(eid, { input: client.game.Move, components: [client.game.Position], step: client.game.applyMove });
    for (let i = 0; i < 30; i++) me.input({ dx: 1, dy: 0 });
    await sim.run(4000);
    const playout = (sim.server.connection(client.net.id) as ServerConnection).playout!;
    expect(playout.dropped).toBeGreaterThan(0);
    const x = sim.game.Position.x[sim.players.get(client.net.id)!]!;
    expect(x).toBeCloseTo((30 - playout.dropped) * 5, 2);
    expect(me.pendingInputs).toBe(0);
    expect(client.game.Position.x[eid]).toBeCloseTo(x, 1);
  });
});
