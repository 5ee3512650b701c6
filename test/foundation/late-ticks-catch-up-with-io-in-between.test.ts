import { describe, expect, it } from 'vitest';
import { fixedTick } from '../../engine-plugin/src/index';

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // a tick that overran its interval
  }
};

describe('fixedTick behind schedule', () => {
  it('catches up at most maxCatchUp ticks, and lets I/O callbacks run between them', async () => {
    const ticks: { tick: number; ioSeen: number }[] = [];
    let io = 0;
    await new Promise<void>((resolve) => {
      const stop = fixedTick(100, (tick) => {
        ticks.push({ tick, ioSeen: io });
        if (tick === 1) {
          // Something else holds the event loop for 4.5 intervals after this tick (a burst of
          // socket work), and more I/O is waiting behind it.
          setImmediate(() => {
            busy(45);
            setImmediate(() => io++);
          });
        }
        if (tick === 6) {
          stop();
          resolve();
        }
      }, 3);
    });
    // Tick 2 comes 4.5 intervals late and ticks 3 and 4 catch up, but not back to back: the I/O
    // waiting since the stall runs before tick 3, not after the whole burst.
    expect(ticks[1]).toEqual({ tick: 2, ioSeen: 0 });
    expect(ticks[2]).toEqual({ tick: 3, ioSeen: 1 });
    // The catch-up stopped after 3 late ticks: the schedule restarted from then instead of
    // running the 4.5 missed intervals back to back.
    expect(ticks.map((t) => t.tick)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
