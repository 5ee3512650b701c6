import type { Component, FieldArray } from '../schema/component.js';
import type { Interpolation as Blend } from '../schema/fields.js';
import type { Protocol } from '../schema/protocol.js';
import { type NumericField, numericFields } from './numeric-fields.js';
import { RenderTimeline, type RenderTimelineOptions } from './render-timeline.js';
import { type SampleMode, type SampleSettings, SnapshotBuffer } from './snapshot-buffer.js';
import type { TimeSync } from './time-sync.js';

/** Options of snapshot interpolation. */
export interface InterpolationOptions extends RenderTimelineOptions {
  /** Keep a remote entity moving at most this long past its newest sample when frames are late, ms. Default 100. */
  readonly maxExtrapolationMs?: number;
  /** A linear field moving more than this between two samples is a teleport and snaps. Default 100 (units of the field). */
  readonly snapDistance?: number;
  /** A frame this many ticks after the previous one starts every buffer afresh (after a long drop). Default 40. */
  readonly resetAfterTicks?: number;
}

/** Counters of what interpolation did, for HUDs and benchmarks. */
export interface InterpolationStats {
  /** Component samples blended between two server states. */
  interpolated: number;
  /** Component samples extrapolated past the newest state (frames were late). */
  extrapolated: number;
  /** Component samples that crossed a teleport and snapped. */
  snapped: number;
  /** Component samples held (still entity, or nothing to blend with). */
  held: number;
}

interface Tracked {
  readonly component: Component;
  readonly fields: readonly NumericField[];
  readonly blends: readonly Blend[];
}

/**
 * Snapshot interpolation of remote entities: every component with an `interpolate` field keeps a
 * short buffer of authoritative states per entity, and each frame {@link present} writes into the
 * bitECS store the values at the {@link RenderTimeline}'s tick — a little in the past, so there is
 * nearly always a real state on each side of it. Authoritative values stay in replication's shadow;
 * the store holds only what is drawn.
 */
export class Interpolation {
  /** Off: remote entities show their newest authoritative values (for a HUD comparison). */
  enabled = true;
  readonly timeline: RenderTimeline;
  readonly stats: InterpolationStats = { interpolated: 0, extrapolated: 0, snapped: 0, held: 0 };
  private readonly tracked: (Tracked | undefined)[];
  private readonly buffers = new Map<number, (SnapshotBuffer | undefined)[]>();
  private readonly maxExtrapolationMs: number;
  private readonly snapDistance: number;
  private readonly resetAfterTicks: number;
  private previousFrameTick = -1;
  private frameTick = -1;
  private readonly scratch: Float64Array;

  constructor(protocol: Protocol, options: InterpolationOptions = {}) {
    this.timeline = new RenderTimeline(options);
    this.maxExtrapolationMs = options.maxExtrapolationMs ?? 100;
    this.snapDistance = options.snapDistance ?? 100;
    this.resetAfterTicks = options.resetAfterTicks ?? 40;
    let widest = 1;
    this.tracked = protocol.components.map((component) => {
      const fields = numericFields(component);
      if (!fields.some((f) => f.blend !== 'none')) return undefined;
      widest = Math.max(widest, fields.length);
      return { component, fields, blends: fields.map((f) => f.blend) };
    });
    this.scratch = new Float64Array(widest);
  }

  /** True when component `componentId` is interpolated (has an `interpolate` field). */
  tracks(componentId: number): boolean {
    return this.tracked[componentId] !== undefined;
  }

  /** A frame for `tick` is about to be applied. */
  frame(tick: number): void {
    if (tick <= this.frameTick) return;
    if (this.frameTick >= 0 && tick - this.frameTick > this.resetAfterTicks) {
      // After a long silence the old states say nothing about how the entity got here.
      for (const list of this.buffers.values()) for (const buffer of list) buffer?.clear();
    }
    this.previousFrameTick = this.frameTick;
    this.frameTick = tick;
  }

  /**
   * Authoritative values of one component arrived: `source[field][serverId]` (replication's
   * shadow) at `tick`, for local entity `localId`.
   */
  record(localId: number, componentId: number, tick: number, source: readonly (FieldArray | string[])[], serverId: number): void {
    const tracked = this.tracked[componentId];
    if (!tracked) return;
    let list = this.buffers.get(localId);
    if (!list) {
      list = [];
      this.buffers.set(localId, list);
    }
    let buffer = list[componentId];
    if (!buffer) {
      buffer = new SnapshotBuffer(tracked.fields.length);
      list[componentId] = buffer;
    }
    const values = this.scratch;
    tracked.fields.forEach((f, i) => {
      values[i] = (source[f.index] as FieldArray)[serverId]!;
    });
    buffer.push(tick, values, this.previousFrameTick);
  }

  /** The entity is gone, or its local id was handed to a new one: drop its buffers. */
  forget(localId: number): void {
    this.buffers.delete(localId);
  }

  /** Forget everything (a new session). */
  reset(): void {
    this.buffers.clear();
    this.timeline.reset();
    this.previousFrameTick = -1;
    this.frameTick = -1;
  }

  /**
   * Write every interpolated entity's presentation values into the store for local time `now`,
   * skipping entities `skip` claims (the predicted ones).
   */
  present(now: number, sync: TimeSync, skip: (localId: number) => boolean): void {
    const renderTick = this.timeline.update(now, sync);
    // Nothing interpolated yet (a world of messages only, or still empty): no samples to write.
    if (this.buffers.size === 0) return;
    const settings: SampleSettings = {
      blends: [],
      maxExtrapolationTicks: this.maxExtrapolationMs / sync.tickIntervalMs,
      snapDistance: this.snapDistance,
    };
    const out = this.scratch;
    for (const [localId, list] of this.buffers) {
      if (skip(localId)) continue;
      for (let c = 0; c < list.length; c++) {
        const buffer = list[c];
        const tracked = this.tracked[c];
        if (!buffer || !tracked) continue;
        let mode: SampleMode;
        if (this.enabled) {
          settings.blends = tracked.blends;
          mode = buffer.sample(renderTick, this.frameTick, settings, out);
        } else {
          mode = buffer.sample(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, settings, out);
        }
        if (mode === 'empty') continue;
        this.count(mode);
        const fields = tracked.fields;
        for (let f = 0; f < fields.length; f++) fields[f]!.store[localId] = out[f]!;
      }
    }
  }

  private count(mode: SampleMode): void {
    if (mode === 'interpolated') this.stats.interpolated++;
    else if (mode === 'extrapolated') this.stats.extrapolated++;
    else if (mode === 'snapped') this.stats.snapped++;
    else this.stats.held++;
  }
}
