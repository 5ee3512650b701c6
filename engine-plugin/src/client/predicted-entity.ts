import type { ClientConnection } from '../connection/client-connection.js';
import type { AuthoritativeComponent } from '../replication/client-replication.js';
import type { Component, FieldArray } from '../schema/component.js';
import { componentInfo } from '../schema/component.js';
import type { Shape, ShapeValue } from '../schema/fields.js';
import type { MessageType } from '../schema/message.js';
import type { Protocol } from '../schema/protocol.js';
import { InputHistory } from './input-history.js';
import { type NumericField, angleDelta, numericFields, wrapAngle } from './numeric-fields.js';

/** What the client predicts for an entity it controls, declared next to the shared step function. */
export interface PredictionOptions<S extends Shape = Shape> {
  /** The input type (from `defineInput`) that drives the entity; the server applies it with the same `step`. */
  readonly input: MessageType<S>;
  /** The components `step` writes: these are predicted, rewound and replayed. The entity's other components stay authoritative. */
  readonly components: readonly Component[];
  /**
   * The shared input function from shared code: apply one input to entity `eid` by writing its
   * components' stores. The server runs it for each input it processes, the client to predict.
   * It must depend only on the entity's predicted components and the input, so both sides agree.
   */
  step(eid: number, input: ShapeValue<S>): void;
  /** Time for half of a visible correction to fade, ms. Default 100. */
  readonly correctionHalfLifeMs?: number;
  /** A correction larger than this on any linear field is a teleport and snaps. Default 100 (units of the field). */
  readonly snapDistance?: number;
  /** Unacknowledged inputs kept for replay. Default 256 (over 4 s of inputs at 60 Hz). */
  readonly maxPendingInputs?: number;
  /**
   * How long one input's step takes to draw, ms: the drawn pose moves from the state before the
   * latest step to the state after it over this time, so an entity stepped at 20 Hz glides at
   * the frame rate instead of jumping every third frame. Set it to the interval at which inputs
   * are sent while held. 0 draws each step whole the moment it is applied. Default: one server
   * tick (`1000 / tickRate`), for games that send one input per tick.
   */
  readonly stepMs?: number;
}

/** Where a predicted entity's authoritative state comes from (replication's shadow). */
export interface AuthoritativeSource {
  serverId(localId: number): number | undefined;
  authoritative(componentId: number): AuthoritativeComponent;
}

interface PredictedField extends NumericField {
  readonly componentId: number;
}

/**
 * One locally controlled entity: inputs are applied at once with the shared step function, and
 * every authoritative update rewinds to the server's state and replays the inputs the server has
 * not processed yet.
 *
 * What is drawn is not the predicted state itself. Steps are fixed and discrete (a 20 Hz input is
 * a jump every third frame at 60 fps), so the drawn pose is interpolated between the state before
 * the latest step and after it, over `stepMs` from the moment the step was due: the entity moves
 * from the frame after the key press and never stands still while inputs keep coming at that
 * interval. A reconcile shifts both states by the same amount, and whatever that would change on
 * screen becomes an offset added to the drawn value that fades out with a half-life.
 */
export class PredictedEntity<S extends Shape = Shape> {
  /** Largest correction seen (the biggest linear field difference at a reconcile), units. */
  maxCorrection = 0;
  /** The most recent correction, units. */
  lastCorrection = 0;
  /** Reconciles that found a mismatch above 1e-6. */
  corrections = 0;
  private readonly fields: readonly PredictedField[];
  private readonly history: InputHistory<ShapeValue<S>>;
  /** The predicted state, without the visual offset: what `step` runs from. */
  private readonly predicted: Float64Array;
  /** The predicted state before the latest step: drawing starts there when the step is due. */
  private readonly previous: Float64Array;
  private readonly before: Float64Array;
  /** When the latest step was due (clock ms); the drawn pose reaches `predicted` `stepMs` later. */
  private stepAt = Number.NEGATIVE_INFINITY;
  /** The time the entity was last drawn for (clock ms), or -1 before the first `present`. */
  private drawnAt = -1;
  /** Visual offset per field: drawn = predicted + offset. Decays toward 0. */
  readonly offset: Float64Array;
  private readonly halfLifeMs: number;
  private readonly snapDistance: number;
  private initialised = false;

  constructor(
    readonly eid: number,
    readonly options: PredictionOptions<S>,
    protocol: Protocol,
    private readonly connection: ClientConnection,
    /** Whether prediction is on: when off, inputs are sent but not applied locally. */
    private readonly active: () => boolean = () => true,
    private readonly onRelease: () => void = () => {},
    /** The clock `present` is called with, ms. */
    private readonly now: () => number = () => performance.now(),
  ) {
    const fields: PredictedField[] = [];
    for (const component of options.components) {
      const componentId = protocol.componentId(component);
      if (componentId < 0) throw new TypeError(`predicted component ${component[componentInfo].name} is not registered in the protocol`);
      for (const f of numericFields(component)) fields.push({ ...f, componentId });
    }
    if (!options.input.input) throw new TypeError(`message ${options.input.name} is not an input: declare it with defineInput`);
    this.fields = fields;
    this.history = new InputHistory(options.maxPendingInputs ?? 256);
    this.predicted = new Float64Array(fields.length);
    this.previous = new Float64Array(fields.length);
    this.before = new Float64Array(fields.length);
    this.offset = new Float64Array(fields.length);
    this.halfLifeMs = options.correctionHalfLifeMs ?? 100;
    this.snapDistance = options.snapDistance ?? 100;
    this.save();
    this.previous.set(this.predicted);
  }

  /** How long one step takes to draw, ms (see {@link PredictionOptions.stepMs}). */
  get stepMs(): number {
    const { stepMs } = this.options;
    if (stepMs !== undefined) return Math.max(0, stepMs);
    const rate = this.connection.tickRate;
    return rate > 0 ? 1000 / rate : 0;
  }

  /**
   * Stop predicting this entity: it is drawn like any remote one again. The client also does this
   * by itself when the server takes the entity away (`setOwner`) or a new session starts.
   */
  release(): void {
    this.onRelease();
  }

  /** Inputs sent and not yet processed by the server. */
  get pendingInputs(): number {
    return this.history.size;
  }

  /**
   * Send one input and apply it locally now (only send it while prediction is switched off).
   * `dueAt` is when the step was due on the client's clock (default: now): a game sending one input
   * every `stepMs` while a key is held passes its schedule, so a step sent a frame late is still
   * drawn on time. False when the connection refused it (closed, or its channel overflowed).
   */
  input(data: ShapeValue<S>, dueAt?: number): boolean {
    const seq = this.connection.nextSeq();
    if (!this.connection.send(this.options.input, data)) return false;
    this.history.push({ seq, session: this.connection.connectionId, data });
    if (this.active()) {
      const now = this.now();
      this.previous.set(this.predicted);
      this.load(this.predicted);
      this.options.step(this.eid, data);
      this.save();
      this.stepAt = Math.min(now, dueAt ?? now);
      this.draw(Math.max(now, this.drawnAt));
    }
    return true;
  }

  /**
   * Rewind to the server's state and replay what it has not processed. Returns false when the
   * entity has no authoritative state yet.
   */
  reconcile(source: AuthoritativeSource): boolean {
    this.acknowledge();
    const serverId = source.serverId(this.eid);
    if (serverId === undefined) return false;
    this.before.set(this.predicted);
    const { eid, fields } = this;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      f.store[eid] = (source.authoritative(f.componentId).values[f.index] as FieldArray)[serverId]!;
    }
    for (const pending of this.history.pending()) this.options.step(eid, pending.data);
    this.save();
    if (!this.initialised) {
      this.initialised = true;
      this.previous.set(this.predicted);
      return true;
    }
    let largest = 0;
    let teleport = false;
    for (let i = 0; i < fields.length; i++) {
      const blend = fields[i]!.blend;
      if (blend === 'none') {
        this.previous[i] = this.predicted[i]!;
        continue;
      }
      const delta = blend === 'angle' ? angleDelta(this.predicted[i]!, this.before[i]!) : this.before[i]! - this.predicted[i]!;
      const size = Math.abs(delta);
      if (size > largest) largest = size;
      if (blend === 'linear' && size > this.snapDistance) teleport = true;
      this.offset[i] = this.offset[i]! + delta;
      // The step being drawn moves with the correction, so the drawn pose stays put and only the offset fades.
      this.previous[i] = this.previous[i]! - delta;
    }
    if (teleport) {
      this.offset.fill(0);
      this.previous.set(this.predicted);
    }
    this.lastCorrection = largest;
    if (largest > 1e-6) this.corrections++;
    if (largest > this.maxCorrection && !teleport) this.maxCorrection = largest;
    return true;
  }

  /** Forget the inputs the server has processed. */
  acknowledge(): void {
    this.history.acknowledge(this.connection.lastInputProcessed, this.connection.connectionId);
  }

  /**
   * Write the pose to draw at time `now` (the clock the client was made with, ms) into the store:
   * between the last two predicted steps, plus the correction offset, faded since the last call.
   */
  present(now: number): void {
    const dtMs = this.drawnAt < 0 ? 0 : Math.max(0, now - this.drawnAt);
    const keep = this.halfLifeMs > 0 ? 0.5 ** (dtMs / this.halfLifeMs) : 0;
    for (let i = 0; i < this.offset.length; i++) {
      const o = this.offset[i]! * keep;
      this.offset[i] = Math.abs(o) < 1e-4 ? 0 : o;
    }
    this.draw(now);
  }

  /** Start again from the server's state at the next reconcile, with no visual offset (prediction was switched back on). */
  settle(): void {
    this.offset.fill(0);
    this.stepAt = Number.NEGATIVE_INFINITY;
    this.initialised = false;
  }

  /** How far the drawn pose is through the latest step at `now`: 0 at the step's due time, 1 once it is drawn whole. */
  progress(now: number): number {
    const stepMs = this.stepMs;
    if (stepMs <= 0) return 1;
    const alpha = (now - this.stepAt) / stepMs;
    return Math.min(1, Math.max(0, alpha));
  }

  /** The predicted value of a field (without the visual offset), by component and field name. */
  value(component: Component, field: string): number {
    const store = (component as unknown as Record<string, FieldArray | undefined>)[field];
    const i = this.fields.findIndex((f) => f.store === store);
    return i < 0 ? Number.NaN : this.predicted[i]!;
  }

  private load(values: Float64Array): void {
    for (let i = 0; i < this.fields.length; i++) this.fields[i]!.store[this.eid] = values[i]!;
  }

  private save(): void {
    for (let i = 0; i < this.fields.length; i++) this.predicted[i] = this.fields[i]!.store[this.eid]!;
  }

  private draw(now: number): void {
    this.drawnAt = now;
    const alpha = this.progress(now);
    const { eid, fields, predicted, previous, offset } = this;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const to = predicted[i]!;
      const from = previous[i]!;
      let v: number;
      if (alpha === 1 || f.blend === 'none') v = to + offset[i]!;
      else if (f.blend === 'angle') v = from + angleDelta(from, to) * alpha + offset[i]!;
      else v = from + (to - from) * alpha + offset[i]!;
      f.store[eid] = f.blend === 'angle' ? wrapAngle(v) : v;
    }
  }
}
