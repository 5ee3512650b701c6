import type { ClientConnection } from '../connection/client-connection.js';
import type { Shape } from '../schema/fields.js';
import type { Protocol } from '../schema/protocol.js';
import { type AuthoritativeSource, PredictedEntity, type PredictionOptions } from './predicted-entity.js';

/** Client-side prediction of the entities this client controls. */
export class Prediction {
  private readonly entities = new Map<number, PredictedEntity>();
  private on = true;

  constructor(
    private readonly protocol: Protocol,
    private readonly connection: ClientConnection,
    private readonly source: AuthoritativeSource,
    /** The client's clock, ms: steps are timed and drawn on it. */
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * Off: inputs are still sent, but not applied locally, and controlled entities are drawn like
   * any remote one (interpolated) — the input lag prediction hides becomes visible.
   */
  get enabled(): boolean {
    return this.on;
  }

  set enabled(value: boolean) {
    const resume = value && !this.on;
    this.on = value;
    // Back on: start again from the server's state at once, or the next input would build on a stale prediction.
    if (resume)
      for (const entity of this.entities.values()) {
        entity.settle();
        entity.reconcile(this.source);
      }
  }

  /** Predict local entity `eid` from now on; returns its handle, through which inputs are sent. */
  add<S extends Shape>(eid: number, options: PredictionOptions<S>): PredictedEntity<S> {
    const entity = new PredictedEntity<S>(
      eid,
      options,
      this.protocol,
      this.connection,
      () => this.on,
      () => this.remove(eid),
      this.now,
    );
    this.entities.set(eid, entity as unknown as PredictedEntity);
    entity.reconcile(this.source);
    return entity;
  }

  /** Stop predicting `eid` (it despawned, or control moved elsewhere). */
  remove(eid: number): void {
    this.entities.delete(eid);
  }

  /** Stop predicting everything (a new session: the entities belong to the old one). */
  clear(): void {
    this.entities.clear();
  }

  /** True when `eid` is predicted and prediction is on: interpolation leaves it alone. */
  claims(eid: number): boolean {
    return this.on && this.entities.has(eid);
  }

  /** The handle of a predicted entity. */
  get(eid: number): PredictedEntity | undefined {
    return this.entities.get(eid);
  }

  /** Every predicted entity. */
  all(): IterableIterator<PredictedEntity> {
    return this.entities.values();
  }

  /** Authoritative state arrived: rewind and replay every predicted entity (only forget acknowledged inputs while off). */
  reconcile(): void {
    // Every frame with state calls this; most clients predict nothing, or not yet.
    if (this.entities.size === 0) return;
    for (const entity of this.entities.values()) {
      if (this.on) entity.reconcile(this.source);
      else entity.acknowledge();
    }
  }

  /** Draw every predicted entity for time `now` (ms, the client's clock): between its last two steps, corrections faded. */
  present(now: number): void {
    if (!this.on || this.entities.size === 0) return;
    for (const entity of this.entities.values()) entity.present(now);
  }

  /** Largest correction any predicted entity has made, units. */
  get maxCorrection(): number {
    let max = 0;
    for (const entity of this.entities.values()) max = Math.max(max, entity.maxCorrection);
    return max;
  }
}
