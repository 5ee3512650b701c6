import { INPUT_RATE, Move, type MoveDirection, Position, applyMove } from '@tickwire/demo-shared';
import { hasComponent } from 'bitecs';
import type { NetworkClient, PredictedEntity } from 'tickwire';

/** Milliseconds between two Move inputs while a direction is held. */
const INPUT_INTERVAL_MS = 1000 / INPUT_RATE;

/**
 * Held time a slow frame may catch up on, ms: a frame at 4 fps still walks at full speed, but a
 * frozen tab does not come back with a burst of steps (the server would take at most
 * `maxInputsPerTick` of them a tick anyway).
 */
const MAX_CATCH_UP_MS = 250;

/**
 * The player this client controls: found through tickwire's ownership notice (`net.owned()`),
 * predicted with the shared `applyMove`, and steered by Move inputs sent at {@link INPUT_RATE}
 * through the prediction handle, so the server applies exactly the steps the client predicted.
 * No Phaser here: the headless test player drives the same code as the browser.
 */
export class OwnPlayer {
  private predicted: PredictedEntity<typeof Move.shape> | undefined;
  /** When the next input is due (ms, the caller's clock); inputs keep a fixed cadence while held. */
  private nextInputAt = Number.NEGATIVE_INFINITY;
  /** A direction was held at the last `steer`. */
  private holding = false;
  /** The time of the last `steer` (the previous frame), ms. */
  private lastSteerAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly net: NetworkClient) {}

  /** Our player's local entity, once the server said it is ours and its state has arrived. */
  get entity(): number | undefined {
    return this.predicted?.eid;
  }

  /** Inputs sent that the server has not processed yet (0 before we have a player). */
  get pendingInputs(): number {
    return this.predicted?.pendingInputs ?? 0;
  }

  /** Prediction corrections so far. */
  get corrections(): number {
    return this.predicted?.corrections ?? 0;
  }

  /** The largest prediction correction so far, world units. */
  get maxCorrection(): number {
    return this.predicted?.maxCorrection ?? 0;
  }

  /**
   * Call after `net.receive()` each frame. The ownership notice can arrive a frame before the
   * entity's state, so this keeps looking until the owned entity is in the world, then predicts it;
   * it lets go of an entity that is no longer ours (despawned, or ownership moved).
   */
  update(): void {
    const { net } = this;
    if (this.predicted && !net.owns(this.predicted.eid)) this.forget();
    if (this.predicted) return;
    const eid = net.owned().find((owned) => hasComponent(net.world, owned, Position));
    if (eid === undefined) return;
    // Each step is drawn over one input interval, so the player (and the camera on it) glides at the frame rate.
    this.predicted = net.predict(eid, { input: Move, components: [Position], step: applyMove, stepMs: INPUT_INTERVAL_MS });
  }

  /**
   * A new session (not a resume): the server forgot our player and will spawn another after Join,
   * so stop predicting the old one now, before a recycled entity id could be mistaken for it.
   */
  forget(): void {
    if (this.predicted) this.net.prediction.remove(this.predicted.eid);
    this.predicted = undefined;
    this.nextInputAt = Number.NEGATIVE_INFINITY;
    this.holding = false;
  }

  /**
   * Hold `direction` at frame time `now` (ms, the time passed to `net.receive`), once per frame: while it is not zero, one Move
   * input per {@link INPUT_INTERVAL_MS} of held time, whatever the frame rate, each applied
   * locally at once (when prediction is on) and by the server later. Nothing is sent while idle:
   * no input, no step, on both sides.
   */
  steer(direction: MoveDirection, now: number): void {
    const { predicted } = this;
    const frameMs = Math.min(INPUT_INTERVAL_MS, Math.max(0, now - this.lastSteerAt));
    this.lastSteerAt = now;
    if (!predicted || this.net.state !== 'connected' || (direction.x === 0 && direction.y === 0)) {
      this.holding = false;
      return;
    }
    if (!this.holding) {
      // Just pressed: step now, unless the last step was under an interval ago (tapping is no
      // faster). The key went down during the previous frame, so the first step is due from
      // then: this very frame already draws a frame's worth of it, instead of starting at 0.
      this.holding = true;
      this.nextInputAt = Math.max(this.nextInputAt, now - frameMs);
    } else if (now - this.nextInputAt > MAX_CATCH_UP_MS) this.nextInputAt = now - MAX_CATCH_UP_MS;
    while (now >= this.nextInputAt) {
      predicted.input({ x: direction.x, y: direction.y }, this.nextInputAt);
      this.nextInputAt += INPUT_INTERVAL_MS;
    }
  }
}
