import { describe, expect, it } from 'vitest';
import { SnapshotBuffer } from '../../engine-plugin/src/client/snapshot-buffer';

describe('angle interpolation', () => {
  it('crosses ±π the short way and stays wrapped', () => {
    const buffer = new SnapshotBuffer(1);
    buffer.push(10, [Math.PI - 0.1], -1);
    buffer.push(11, [-Math.PI + 0.1], 10);
    const out = new Float64Array(1);
    const settings = { blends: ['angle' as const], maxExtrapolationTicks: 2, snapDistance: 100 };
    buffer.sample(10.5, 11, settings, out);
    // Halfway along the 0.2 rad turn through π, not 6 rad back through 0.
    expect(Math.abs(Math.abs(out[0]!) - Math.PI)).toBeLessThan(1e-9);
    buffer.sample(10.25, 11, settings, out);
    expect(out[0]).toBeCloseTo(Math.PI - 0.05, 9);
    buffer.sample(10.75, 11, settings, out);
    expect(out[0]).toBeCloseTo(-Math.PI + 0.05, 9);
  });

  it('a linear field in the same component blends plainly', () => {
    const buffer = new SnapshotBuffer(2);
    buffer.push(1, [0, 3], -1);
    buffer.push(2, [10, -3], 1);
    const out = new Float64Array(2);
    buffer.sample(1.5, 2, { blends: ['linear', 'angle'], maxExtrapolationTicks: 0, snapDistance: 100 }, out);
    expect(out[0]).toBeCloseTo(5, 9);
    expect(Math.abs(out[1]!)).toBeCloseTo(Math.PI, 6);
  });
});
