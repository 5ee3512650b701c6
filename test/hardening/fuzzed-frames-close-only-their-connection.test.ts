import { describe, expect, it } from 'vitest';
import { runFuzz } from './support/fuzz-run';

describe('fuzzing (short CI budget; `npm run fuzz` runs 1,000,000 frames)', () => {
  it('mutated frames never throw out of a handler, close only their connection with a documented code, and a healthy client sees no disruption', async () => {
    const report = await runFuzz({ frames: 20_000, seed: 20_251_122, timeLimitMs: 15_000, framesPerTick: 250 });
    expect(report.violations).toEqual([]);
    expect(report.liveFrames).toBe(20_000);
    // Every mutation was exercised, and most connections were closed for what they sent.
    for (const [mutation, count] of Object.entries(report.mutations)) expect(count, mutation).toBeGreaterThan(0);
    const closed = Object.values(report.closes).reduce((a, b) => a + b, 0);
    expect(closed).toBeGreaterThan(report.connections / 2);
    for (const code of [1002, 1003, 1007, 1009]) expect(report.closes[code], `close ${code}`).toBeGreaterThan(0);
    expect(report.decoderFrames).toBeGreaterThan(1000);
    expect(report.decoderRefused).toBeGreaterThan(0);
    expect(report.healthySent).toBeGreaterThan(10);
    expect(report.healthyEchoed).toBe(report.healthySent);
  });
});
