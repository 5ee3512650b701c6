import { describe, expect, it } from 'vitest';
import { HeartbeatSchedule } from '../../engine-plugin/src/connection/heartbeat-schedule';
import { ManualClock } from '../../engine-plugin/src/transport';

class Target {
  beats: number[] = [];
  constructor(
    private readonly clock: ManualClock,
    private readonly again?: () => void,
  ) {}
  heartbeat(): void {
    this.beats.push(this.clock.now());
    this.again?.();
  }
}

describe('every connection’s heartbeat runs on one timer', () => {
  it('each target beats exactly one interval after it was scheduled, re-scheduling moves its beat, cancel stops it', () => {
    const clock = new ManualClock();
    const schedule = new HeartbeatSchedule<Target>(clock, 1000);
    const a: Target = new Target(clock, () => schedule.schedule(a));
    const b = new Target(clock);
    const c = new Target(clock);
    schedule.schedule(a);
    clock.advance(300);
    schedule.schedule(b);
    clock.advance(100);
    schedule.schedule(c);
    // Three targets, one pending timer.
    expect(clock.pending).toBe(1);
    clock.advance(500);
    schedule.schedule(c); // heard from: its beat moves to 900 + 1000
    clock.advance(1500);
    expect(a.beats).toEqual([1000, 2000]);
    expect(b.beats).toEqual([1300]);
    expect(c.beats).toEqual([1900]);
    schedule.cancel(a);
    clock.advance(5000);
    expect(a.beats).toEqual([1000, 2000]);
    // Nothing scheduled: no timer left to keep a process alive.
    expect(schedule.size).toBe(0);
    expect(clock.pending).toBe(0);
  });
});
