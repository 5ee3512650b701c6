/**
 * Run `step` at a fixed rate without drift: each tick is scheduled from when it was due, not
 * from when the last one finished, and a late process catches up by at most `maxCatchUp` ticks
 * (more would only pile work onto an already late server). Catch-up ticks never run back to
 * back: each waits for `setImmediate`, so the sockets' I/O — handshakes, inputs, acks — is
 * handled between them: a late server under a connection ramp would otherwise hold every
 * waiting handshake and input behind a burst of up to `maxCatchUp` ticks, each a frame to every
 * client. Returns a function that stops it.
 */
export function fixedTick(rate: number, step: (tick: number) => void, maxCatchUp = 4): () => void {
  if (!(rate > 0)) throw new TypeError('tick rate must be positive');
  const interval = 1000 / rate;
  let next = performance.now();
  let tick = 0;
  let behind = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let immediate: ReturnType<typeof setImmediate> | undefined;
  let stopped = false;
  const run = (): void => {
    timer = undefined;
    immediate = undefined;
    if (stopped) return;
    let now = performance.now();
    if (now >= next) {
      step(++tick);
      next += interval;
      now = performance.now();
      if (now >= next) {
        if (++behind < maxCatchUp) {
          immediate = setImmediate(run);
          return;
        }
        next = now + interval;
      }
      behind = 0;
    }
    timer = setTimeout(run, Math.max(0, next - now));
  };
  timer = setTimeout(run, 0);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
  };
}
