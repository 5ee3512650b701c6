import { describe, expect, it } from 'vitest';
import { SnapshotBuffer } from '../../engine-plugin/src/client/snapshot-buffer';

const settings = { blends: ['linear' as const], maxExtrapolationTicks: 2, snapDistance: 100 };

describe('extrapolation', () => {
  it('continues the last motion past the newest state for a short gap, then holds at the cap', () => {
    const buffer = new SnapshotBuffer(1);
    buffer.push(1, [0], -1);
    buffer.push(2, [10], 1);
    const out = new Float64Array(1);
    expect(buffer.sample(3, 2, settings, out)).toBe('extrapolated');
    expect(out[0]).toBeCloseTo(20, 9);
    expect(buffer.sample(10, 2, settings, out)).toBe('extrapolated');
    expect(out[0]).toBeCloseTo(30, 9); // capped at 2 ticks
  });

  it('does not extrapolate an entity known to have stopped (later frames did not change it)', () => {
    const buffer = new SnapshotBuffer(1);
    buffer.push(1, [0], -1);
    buffer.push(2, [10], 1);
    const out = new Float64Array(1);
    expect(buffer.sample(4, 5, settings, out)).toBe('held');
    expect(out[0]).toBe(10);
  });

  it('after a pause, blends from where the entity stood at the previous frame, not across the pause', () => {
    const buffer = new SnapshotBuffer(1);
    buffer.push(1, [0], -1);
    // Frames 2..9 arrived without this entity; frame 10 moves it.
    buffer.push(10, [5], 9);
    const out = new Float64Array(1);
    buffer.sample(5, 10, settings, out);
    expect(out[0]).toBe(0);
    buffer.sample(9.5, 10, settings, out);
    expect(out[0]).toBeCloseTo(2.5, 9);
  });
});
