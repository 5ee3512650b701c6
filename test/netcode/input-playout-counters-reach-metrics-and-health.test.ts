import { describe, expect, it } from 'vitest';
import { createHealth, createMetrics } from '../../engine-plugin/src/node';
import { createSim } from './harness';

/** The value of one sample line, e.g. `tickwire_input_playout_dropped_total`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('input playout counters', () => {
  it('late inputs, catch-up, drops and starved ticks are counted in Prometheus and /health, and survive the connection', async () => {
    const sim = await createSim({ server: { settings: { maxInputsPerTick: 4, inputRate: 20 } }, seed: 5 });
    const metrics = createMetrics(sim.server, { processMetrics: false, minIntervalMs: 0 });
    const health = createHealth(sim.server);
    const client = sim.client({ link: { conditions: { latencyMs: 60, jitterMs: 120 } } }); // jitter beyond one tick of slack
    await sim.run(1000);
    const me = client.net.predict(client.own()!, { input: client.game.Move, components: [client.game.Position], step: client.game.applyMove, stepMs: 50 });
    // A jittered walk (late inputs, starved ticks until the depth grows), then a burst far past the backlog bound.
    let next = sim.clock.now();
    let sent = 0;
    client.onFrame = (now) => {
      while (sent < 60 && now >= next) {
        me.input({ dx: 1, dy: 0 }, next);
        sent++;
        next += 50;
      }
    };
    await sim.run(4000);
    const during = health.check().inputPlayout;
    for (let i = 0; i < 30; i++) me.input({ dx: 1, dy: 0 });
    await sim.run(200); // arrived (60–180 ms), being drained
    const queued = health.check().inputPlayout;
    expect(queued.connections).toBe(1);
    expect(queued.queuedMax).toBeGreaterThan(3);
    expect(queued.queuedSum).toBe(queued.queuedMax);
    await sim.run(4200);

    const report = health.check().inputPlayout;
    const text = await metrics.text();
    expect(during.late).toBeGreaterThan(0);
    expect(during.starvedTicks).toBeGreaterThan(0);
    expect(during.targetMax).toBeGreaterThan(0);
    expect(report.caughtUp).toBeGreaterThan(0);
    expect(report.dropped).toBeGreaterThan(0);
    expect(report.queuedMax).toBe(0);
    expect(sample(text, 'tickwire_input_playout_caught_up_total')).toBe(report.caughtUp);
    expect(sample(text, 'tickwire_input_playout_dropped_total')).toBe(report.dropped);
    expect(sample(text, 'tickwire_input_playout_late_total')).toBe(report.late);
    expect(sample(text, 'tickwire_input_playout_starved_ticks_total')).toBe(report.starvedTicks);
    expect(sample(text, 'tickwire_input_playout_depth{measure="target_max"}')).toBe(report.targetMax);

    // The counters are the server's, not the connection's: they stay when it leaves.
    client.net.disconnect();
    await sim.run(500);
    expect(health.check().inputPlayout).toMatchObject({ connections: 0, caughtUp: report.caughtUp, dropped: report.dropped });
    expect(sample(await metrics.text(), 'tickwire_input_playout_dropped_total')).toBe(report.dropped);
    metrics.dispose();
    health.dispose();
  });
});
