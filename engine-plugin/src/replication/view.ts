import { ByteWriter } from '../protocol/bytes.js';
import { EntitySet, IdList } from './entity-set.js';

/** What a view needs to know about each client that uses it. */
export interface ViewMember {
  /** The tick of the last state section written for this client (-1 before any). */
  lastWritten: number;
  /** The view that section was written from. */
  writtenView: View | undefined;
  /** True when the next section must be a full snapshot. */
  needsSnapshot: boolean;
}

/** The interest settings a view is defined by; equal settings share one view. */
export interface ViewSpec {
  /** Sorted room names. */
  readonly rooms: readonly string[];
  /** Focus entity for spatial interest, if any. */
  readonly focus: number | undefined;
  readonly radius: number;
  /** The one client this view belongs to, when a custom filter makes interest per-client. */
  readonly owner: number | undefined;
}

/** The canonical key of a view spec: clients whose keys are equal see exactly the same entities. */
export function viewKey(spec: ViewSpec): string {
  return `${spec.rooms.join('\u0000')}\u0001${spec.focus ?? ''}:${spec.focus === undefined ? '' : spec.radius}\u0001${spec.owner ?? ''}`;
}

/**
 * One distinct interest: the entities it sees, since when, and what left it. Clients with the
 * same rooms, focus and (absent a filter) nothing else share a view, so visibility is computed
 * once per view and an in-sync client's state section is a copy of the view's.
 *
 * The departure log remembers which entities left (and which incarnation) at which tick, so a
 * client that skipped ticks can be told exactly what to despawn. It is trimmed to the oldest
 * tick a member still needs and capped; a client older than the cap gets a full snapshot.
 */
export class View {
  readonly key: string;
  readonly spec: ViewSpec;
  readonly members = new Set<ViewMember>();
  /** Visible entities. */
  readonly visible = new EntitySet();
  /** Per entity: the incarnation this view sees (0 = not visible). Grown on demand. */
  incarnation = new Uint32Array(64);
  /** Per entity: the tick its current incarnation entered this view. */
  entered = new Float64Array(64);
  /** The tick visibility was last computed, and the one before it. */
  observedTick = -1;
  previousObservedTick = -1;
  /** The server's structure version at the last computation (lets static views skip it). */
  structureSeen = -1;
  /** Entities that entered and left at {@link observedTick}. */
  readonly enters = new IdList();
  readonly leaves = new IdList();
  /** The state section every in-sync member receives at {@link sectionTick}. */
  readonly section = new ByteWriter(256);
  sectionTick = -1;
  /** Clients last written before this tick cannot be caught up from the log: they get snapshots. */
  logFloor = -1;
  private logEid: number[] = [];
  private logTick: number[] = [];
  private logIncarnation: number[] = [];
  private logHead = 0;
  private readonly maxLog: number;

  constructor(spec: ViewSpec, maxLog: number) {
    this.spec = spec;
    this.key = viewKey(spec);
    this.maxLog = maxLog;
  }

  private ensure(eid: number): void {
    if (eid < this.incarnation.length) return;
    let capacity = this.incarnation.length * 2;
    while (capacity <= eid) capacity *= 2;
    const inc = new Uint32Array(capacity);
    inc.set(this.incarnation);
    this.incarnation = inc;
    const entered = new Float64Array(capacity);
    entered.set(this.entered);
    this.entered = entered;
  }

  /** The incarnation this view sees for `eid` (0 = none). */
  seen(eid: number): number {
    return eid < this.incarnation.length ? this.incarnation[eid]! : 0;
  }

  /**
   * Replace the visible set with `candidates` (distinct ids, each marked `mark[eid] === stamp`),
   * recording enters and leaves for this tick. An id whose incarnation changed (bitECS recycled
   * it) both leaves and enters.
   */
  update(tick: number, candidates: IdList, mark: Uint32Array, stamp: number, incarnationOf: Uint32Array): void {
    this.enters.length = 0;
    this.leaves.length = 0;
    const items = candidates.items;
    for (let i = 0; i < candidates.length; i++) {
      const e = items[i]!;
      this.ensure(e);
      const now = incarnationOf[e]!;
      const was = this.incarnation[e]!;
      if (was === now) continue;
      if (was !== 0) this.depart(e, was, tick);
      this.incarnation[e] = now;
      this.entered[e] = tick;
      this.visible.add(e);
      this.enters.push(e);
    }
    const dense = this.visible.dense;
    for (let i = this.visible.size - 1; i >= 0; i--) {
      const e = dense[i]!;
      if (mark[e] === stamp) continue;
      this.depart(e, this.incarnation[e]!, tick);
      this.incarnation[e] = 0;
      this.visible.remove(e);
    }
    this.markObserved(tick);
  }

  /**
   * Re-decide only `ids` (may repeat; each is marked `mark[eid] = stamp` once handled), the
   * entities this tick's structural operations touched — valid when the view was up to date
   * before them. Records enters and leaves like {@link update}.
   */
  updateSome(tick: number, ids: IdList, mark: Uint32Array, stamp: number, incarnationOf: Uint32Array, sees: (eid: number) => boolean): void {
    this.enters.length = 0;
    this.leaves.length = 0;
    const items = ids.items;
    for (let i = 0; i < ids.length; i++) {
      const e = items[i]!;
      if (mark[e] === stamp) continue;
      mark[e] = stamp;
      this.ensure(e);
      const now = sees(e) ? incarnationOf[e]! : 0;
      const was = this.incarnation[e]!;
      if (was === now) continue;
      if (was !== 0) {
        this.depart(e, was, tick);
        this.visible.remove(e);
      }
      this.incarnation[e] = now;
      if (now === 0) continue;
      this.entered[e] = tick;
      this.visible.add(e);
      this.enters.push(e);
    }
    this.markObserved(tick);
  }

  /** Visibility did not change this tick (a static view and no structural change). */
  markObserved(tick: number): void {
    if (this.observedTick !== tick) {
      this.previousObservedTick = this.observedTick;
      this.observedTick = tick;
    }
    this.trimLog();
  }

  private depart(eid: number, incarnation: number, tick: number): void {
    this.leaves.push(eid);
    this.logEid.push(eid);
    this.logTick.push(tick);
    this.logIncarnation.push(incarnation);
  }

  private trimLog(): void {
    if (this.logHead === this.logTick.length) {
      // Nothing remembered: O(1), no walk over the members.
      if (this.logHead > 0) {
        this.logEid.length = 0;
        this.logTick.length = 0;
        this.logIncarnation.length = 0;
        this.logHead = 0;
      }
      return;
    }
    let oldestNeeded = Number.POSITIVE_INFINITY;
    for (const m of this.members) {
      if (!m.needsSnapshot && m.writtenView === this && m.lastWritten < oldestNeeded) oldestNeeded = m.lastWritten;
    }
    const ticks = this.logTick;
    while (this.logHead < ticks.length && ticks[this.logHead]! <= oldestNeeded) this.logHead++;
    while (ticks.length - this.logHead > this.maxLog) {
      this.logFloor = ticks[this.logHead]!;
      this.logHead++;
    }
    if (this.logHead > 256 && this.logHead * 2 > ticks.length) {
      this.logEid = this.logEid.slice(this.logHead);
      this.logTick = ticks.slice(this.logHead);
      this.logIncarnation = this.logIncarnation.slice(this.logHead);
      this.logHead = 0;
    }
  }

  /**
   * Visit every departure after tick `since` that a client last written at `since` must apply:
   * skipped when the same incarnation is visible again (the client refreshes it instead).
   */
  departuresSince(since: number, visit: (eid: number) => void): void {
    const ticks = this.logTick;
    for (let i = this.logHead; i < ticks.length; i++) {
      if (ticks[i]! <= since) continue;
      const e = this.logEid[i]!;
      if (this.seen(e) !== this.logIncarnation[i]) visit(e);
    }
  }
}
