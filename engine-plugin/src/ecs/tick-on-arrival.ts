import type { NetworkServer } from './server.js';

/**
 * Settled once, shared: `then` on it queues a microtask. Node's `queueMicrotask` wraps every
 * callback in an `AsyncResource` (an object, a bound function and async-hook bookkeeping per call),
 * about a microsecond on each request/response round trip (see docs/architecture.md,
 * "Immediate mode: what a round trip costs beyond Ping/Pong").
 */
const settled = Promise.resolve();

/**
 * Run `step` (your `receive … flush`) as soon as something arrives — a message, a connection
 * or a disconnection — instead of waiting for the next timer tick, so a reply leaves within the
 * same event-loop turn as the request. This is tickwire's "immediate flush" mode, for turn-based,
 * chat-like and request/response games where there is nothing to simulate between messages.
 *
 * Everything that arrives in one turn of the event loop is handled by one step (it runs in a
 * microtask), so a burst of messages still becomes one tick and one frame per connection.
 *
 * It may run alongside {@link fixedTick} (a world that also moves on its own); every step then
 * advances `net.tick`, so ticks count steps rather than time, and clients interpolating
 * replicated state will see uneven ticks. Returns a function that stops it; call that before
 * `net.stop()`.
 *
 * ```ts
 * const stop = tickOnArrival(net, () => { net.receive(); answer(net); net.replicate(); net.flush(); });
 * ```
 */
export function tickOnArrival(net: NetworkServer, step: () => void): () => void {
  const endpoint = net.endpoint;
  if (endpoint.onArrival) throw new Error('tickOnArrival: this server already has an arrival listener');
  let scheduled = false;
  let stopped = false;
  const run = (): void => {
    // Cleared before the step: whatever arrives while it runs gets a step of its own.
    scheduled = false;
    if (stopped) return;
    try {
      step();
    } catch (error) {
      // Thrown from a microtask of its own, as before: an uncaught exception, not a rejected promise nobody holds.
      queueMicrotask(() => {
        throw error;
      });
    }
  };
  const listener = (): void => {
    if (scheduled || stopped) return;
    scheduled = true;
    void settled.then(run);
  };
  endpoint.onArrival = listener;
  return () => {
    stopped = true;
    if (endpoint.onArrival === listener) endpoint.onArrival = undefined;
  };
}
