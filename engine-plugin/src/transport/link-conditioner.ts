import type { Clock, TimerHandle } from './clock.js';

/** How one direction of a simulated link behaves. Every field defaults to a perfect link. */
export interface LinkConditions {
  /** One-way delay added to every message, in ms. */
  readonly latencyMs?: number;
  /**
   * Extra one-way delay per message, uniform in [0, jitterMs), drawn from the link's seeded PRNG.
   * It never reorders: a WebSocket is an ordered stream, so a message held back by jitter holds
   * back the ones behind it too.
   */
  readonly jitterMs?: number;
  /** How fast bytes go onto the wire; unset means unlimited. Bytes waiting count in `bufferedAmount`. */
  readonly bandwidthBytesPerSecond?: number;
}

/** Different conditions per direction. */
export interface DirectionalLinkConditions {
  /** Client → server (what the client's `bufferedAmount` feels). */
  readonly toServer?: LinkConditions;
  /** Server → client (what the server's `bufferedAmount` feels: slow consumers are made here). */
  readonly toClient?: LinkConditions;
}

/** Conditions resolved per direction. */
export interface LinkConditionsByDirection {
  readonly toServer: LinkConditions;
  readonly toClient: LinkConditions;
}

/** Conditions for both directions: the same for both, or {@link DirectionalLinkConditions}. */
export function conditionsByDirection(conditions: LinkConditions | DirectionalLinkConditions = {}): LinkConditionsByDirection {
  const directional = 'toServer' in conditions || 'toClient' in conditions;
  const resolved = directional
    ? { toServer: (conditions as DirectionalLinkConditions).toServer ?? {}, toClient: (conditions as DirectionalLinkConditions).toClient ?? {} }
    : { toServer: conditions as LinkConditions, toClient: conditions as LinkConditions };
  validate(resolved.toServer);
  validate(resolved.toClient);
  return resolved;
}

function validate(conditions: LinkConditions): void {
  for (const key of ['latencyMs', 'jitterMs'] as const) {
    const value = conditions[key];
    if (value !== undefined && !(value >= 0 && Number.isFinite(value))) throw new RangeError(`${key} must be a finite number ≥ 0, got ${value}`);
  }
  const bandwidth = conditions.bandwidthBytesPerSecond;
  if (bandwidth !== undefined && !(bandwidth > 0)) throw new RangeError(`bandwidthBytesPerSecond must be > 0, got ${bandwidth}`);
}

interface InFlight<T> {
  readonly item: T;
  readonly deliverAt: number;
}

interface OnWire {
  readonly size: number;
  readonly sentAt: number;
}

/**
 * One direction of a simulated link: an ordered queue that delivers each item after
 * transmission (bandwidth), latency and jitter, timed by the injected {@link Clock}.
 *
 * Delivery is always from a clock timer — with zero delay, the next tick — never inside `send`,
 * because a real socket never calls back into its caller synchronously. A single timer serves the
 * head of the queue, so order holds even on a real clock whose timers of different delays may
 * fire out of order.
 *
 * Conditions apply to items sent after they change; items already in flight keep their schedule.
 */
export class ConditionedLane<T> {
  private readonly inFlight: InFlight<T>[] = [];
  private inFlightHead = 0;
  private readonly onWire: OnWire[] = [];
  private onWireHead = 0;
  private bytesWaiting = 0;
  private wireFreeAt = Number.NEGATIVE_INFINITY;
  private lastDeliverAt = Number.NEGATIVE_INFINITY;
  private timer: TimerHandle | undefined;

  /** Conditions for items sent from now on. */
  conditions: LinkConditions;

  constructor(
    private readonly clock: Clock,
    private readonly random: () => number,
    private readonly deliver: (item: T) => void,
    conditions: LinkConditions = {},
  ) {
    this.conditions = conditions;
  }

  /** Queue `item`, which takes `size` bytes on the wire. */
  send(item: T, size: number): void {
    const now = this.clock.now();
    const { latencyMs = 0, jitterMs = 0, bandwidthBytesPerSecond } = this.conditions;
    const transmitMs = bandwidthBytesPerSecond === undefined ? 0 : (size / bandwidthBytesPerSecond) * 1000;
    // Bytes share one stream: they go on the wire after everything queued before them.
    const sentAt = Math.max(now, this.wireFreeAt) + transmitMs;
    this.wireFreeAt = sentAt;
    if (sentAt > now && size > 0) {
      this.onWire.push({ size, sentAt });
      this.bytesWaiting += size;
    }
    const jitter = jitterMs > 0 ? this.random() * jitterMs : 0;
    const deliverAt = Math.max(this.lastDeliverAt, sentAt + latencyMs + jitter);
    this.lastDeliverAt = deliverAt;
    this.inFlight.push({ item, deliverAt });
    this.schedule();
  }

  /** Bytes handed to `send` that are not on the wire yet. */
  get bufferedAmount(): number {
    const now = this.clock.now();
    while (this.onWireHead < this.onWire.length && this.onWire[this.onWireHead]!.sentAt <= now) {
      this.bytesWaiting -= this.onWire[this.onWireHead]!.size;
      this.onWireHead++;
    }
    if (this.onWireHead > 64 && this.onWireHead * 2 > this.onWire.length) {
      this.onWire.splice(0, this.onWireHead);
      this.onWireHead = 0;
    }
    return this.bytesWaiting;
  }

  /** Items sent but not delivered yet. */
  get pending(): number {
    return this.inFlight.length - this.inFlightHead;
  }

  /** Drop everything in flight, as a broken connection does. */
  clear(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.inFlight.length = 0;
    this.inFlightHead = 0;
    this.onWire.length = 0;
    this.onWireHead = 0;
    this.bytesWaiting = 0;
    this.wireFreeAt = Number.NEGATIVE_INFINITY;
    this.lastDeliverAt = Number.NEGATIVE_INFINITY;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.pending === 0) return;
    const delay = Math.max(0, this.inFlight[this.inFlightHead]!.deliverAt - this.clock.now());
    this.timer = this.clock.setTimeout(this.fire, delay);
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    try {
      // A delivery may clear the lane (a handler disconnecting), so re-read the queue each time.
      while (this.pending > 0 && this.inFlight[this.inFlightHead]!.deliverAt <= this.clock.now()) {
        const { item } = this.inFlight[this.inFlightHead]!;
        this.inFlightHead++;
        this.deliver(item);
      }
    } finally {
      if (this.inFlightHead > 64 && this.inFlightHead * 2 > this.inFlight.length) {
        this.inFlight.splice(0, this.inFlightHead);
        this.inFlightHead = 0;
      }
      // Even when a handler throws, the rest of the queue still gets delivered.
      this.schedule();
    }
  };
}
