/**
 * Run `step` at a fixed rate without drift: each tick is scheduled from when it was due, not
 * from when the last one finished, and a late process catches up by at most `maxCatchUp` ticks
 * (more would only pile work onto an already late server). Returns a function that stops it.
 */
export function fixedTick(rate: number, step: (tick: number) => void, maxCatchUp = 4): () => void {
  if (!(rate > 0)) throw new TypeError('tick rate must be positive');
  const interval = 1000 / rate;
  let next = performance.now();
  let tick = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const run = () => {
    if (stopped) return;
    const now = performance.now();
    let ran = 0;
    while (now >= next && ran < maxCatchUp) {
      step(++tick);
      next += interval;
      ran++;
    }
    if (now >= next) next = now + interval;
    timer = setTimeout(run, Math.max(0, next - performance.now()));
  };
  timer = setTimeout(run, 0);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
