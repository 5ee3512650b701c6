import type { ByteWriter } from '../protocol/bytes.js';
import { type Component, componentInfo } from '../schema/component.js';
import type { Protocol } from '../schema/protocol.js';
import { type ChangeSink, ComponentShadow, type NaNValue, type UnmarkedChange } from './change-detection.js';
import { compileChangedFields, compileUpdateRecord } from './compiled-encoding.js';
import { DirtyBits } from './dirty-bits.js';
import { type ComponentLayout, entityCapacity, FieldCode, layoutComponents } from './component-layout.js';
import { COMPACT_MASK_FIELDS, putUpdate, UPDATE_HEADER_BOUND, writeFullBody } from './entity-encoding.js';
import { EntitySet, IdList } from './entity-set.js';
import { Interest, type InterestFilter, type SpatialSource } from './interest.js';
import { Rooms } from './rooms.js';
import { SpatialGrid } from './spatial-grid.js';
import { buildViewSection, type FullEncoder, writeCatchUp, writeSnapshot } from './state-section.js';
import { TickRecords } from './tick-records.js';
import type { View } from './view.js';
import { SectionSplitter } from './section-split.js';
import type { FusedOutcome, SlowRecord } from './fused-updates.js';
import { type ClientState, ClientViews } from './client-views.js';
import { BandwidthBudget, type BandwidthOptions, checkBytesPerSecond, type PriorityFunction } from './bandwidth-budget.js';
import { writeBudgetedSection } from './budgeted-section.js';

/** Spatial interest: which component holds positions, and the grid's cell size (about a typical focus radius). */
export interface SpatialOptions {
  readonly component: Component;
  readonly xField: string;
  readonly yField: string;
  readonly cellSize: number;
}

/** Options of {@link ServerReplication}. */
export interface ServerReplicationOptions {
  /** Enables `setFocus`: radius interest around a focus entity's position. */
  readonly spatial?: SpatialOptions;
  /** Entity ids stay below this (default: the largest component capacity). */
  readonly capacity?: number;
  /**
   * Departures each view remembers for clients that skipped ticks (default 65,536). A client
   * further behind than the log reaches gets a full snapshot instead: memory stays bounded.
   */
  readonly maxDepartureLog?: number;
  /**
   * Components whose every write game code announces with {@link ServerReplication.markChanged}
   * (`'marked'` tracking): replicate compares only the marked entities, so an untouched entity
   * costs nothing. Every other component is scanned in full each tick (`'scan'`), which needs
   * nothing from game code.
   */
  readonly marked?: readonly Component[];
  /**
   * Check the marks every N ticks by also scanning marked components in full (0: never). Each
   * unmarked change is reported to {@link onUnmarkedChange} and still sent. Default: 1 (every
   * tick) unless `NODE_ENV` is `production`, then 64 — a forgotten mark is then sent within 64
   * ticks and reported once, for a full scan's cost spread over 64 ticks.
   */
  readonly verifyMarks?: number;
  /**
   * Called for each change the verifier finds without a mark. Default: a `console.warn` naming
   * the entity, component and fields, once per component and field set. Tests can throw here.
   */
  readonly onUnmarkedChange?: (change: UnmarkedChange) => void;
  /**
   * Called, at the end of `replicate`, for each NaN found in a quantised field (a NaN has no
   * quantised value). Whatever it does, the NaN is not sent: clients keep the last value sent
   * for that field (0, or the representable value nearest 0, in a spawn or refresh record).
   * Default: throw a `TypeError` naming the entity, component and field — unless `NODE_ENV` is
   * `production`, then a `console.warn` once per component and field.
   */
  readonly onNaN?: (value: NaNValue) => void;
  /**
   * Generate a specialised change compare and update writer per component layout (default
   * true). Where code generation is refused (a Content-Security-Policy without 'unsafe-eval') the
   * generic ones are used anyway; false forces them. Both find the same changes and write the
   * same bytes.
   */
  readonly compileEncoders?: boolean;
  /**
   * A byte budget per client with priority accumulation: each client's frames stay within
   * `bytesPerSecond`, nearer or more important entities go out more often, every waiting
   * entity's priority grows until its turn comes, and nothing is lost (what waited goes out
   * later as its latest values). Per client: {@link ServerReplication.setBandwidth}.
   */
  readonly bandwidth?: BandwidthOptions;
  /** Ticks per second `replicate` runs at, to turn `bytesPerSecond` into bytes per tick (default 20; the server passes its own). */
  readonly tickRate?: number;
}

function defaultVerifyMarks(): number {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.NODE_ENV === 'production' ? 64 : 1;
}

function defaultOnNaN(): (value: NaNValue) => void {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const explain = (v: NaNValue): string =>
    `tickwire: ${v.component}.${v.field} of entity ${v.eid} is NaN, which a quantised field cannot carry; clients keep the last value sent (0 in a new record)`;
  if (env?.NODE_ENV !== 'production')
    return (v) => {
      throw new TypeError(`${explain(v)}. Fix the code that wrote it (in production this is a warning, once per field).`);
    };
  const seen = new Set<string>();
  return (v) => {
    const key = `${v.component}.${v.field}`;
    if (seen.has(key)) return;
    seen.add(key);
    console.warn(explain(v));
  };
}

function warnOnce(): (change: UnmarkedChange) => void {
  const seen = new Set<string>();
  return (change) => {
    const key = `${change.component}.${change.fields.join(',')}`;
    if (seen.has(key)) return;
    seen.add(key);
    console.warn(
      `tickwire: entity ${change.eid} changed ${change.component}.{${change.fields.join(', ')}} without markChanged; ` +
        `the mark verifier found and sent it (every tick in development, every 64th in production); without it the change would wait for the entity's next mark`,
    );
  };
}

const Op = { Spawn: 0, Despawn: 1, Add: 2, Remove: 3, EnterRoom: 4, LeaveRoom: 5, Forget: 6 } as const;

/**
 * The server half of replication. Entity lifecycle calls queue up and take effect, in call
 * order, at {@link ServerReplication.replicate}; that finds what changed (shadow compare) and
 * encodes each changed entity once. {@link ServerReplication.writeState} then gives each client
 * its section: a copy of its view's shared bytes when it is in sync, a catch-up when it skipped
 * ticks, a snapshot when it is new, resumed or changed interest.
 */
export class ServerReplication {
  private readonly layouts: readonly ComponentLayout[];
  private readonly shadows: readonly ComponentShadow[];
  private readonly capacity: number;
  private readonly records: TickRecords;
  private readonly alive: EntitySet = new EntitySet(1024);
  private readonly incarnation: Uint32Array;
  private incarnations = 0;
  private readonly componentMask: Uint32Array;
  private readonly fieldTotal: Uint16Array;
  private readonly dirty: Uint32Array;
  private readonly rooms: Rooms;
  private readonly interest: Interest;
  private readonly spatial: (SpatialSource & { readonly componentBit: number }) | undefined;
  private readonly clientViews: ClientViews;
  /** Bumped by anything that can change a static view's visibility: spawn, despawn, entity room moves. */
  private structureVersion = 0;
  /** {@link structureVersion} before this tick's operations. */
  private structureBefore = 0;
  /** Entities whose spawn, despawn or rooms changed this tick (may repeat): what static views re-check. */
  private readonly touched = new IdList();
  private readonly sink: ChangeSink;
  private readonly opKind: number[] = [];
  private readonly opEid: number[] = [];
  private readonly opArg: (number | string)[] = [];
  private readonly mark: Uint32Array;
  private stamp = 0;
  private readonly candidates = new IdList();
  private readonly listA = new IdList();
  private readonly listB = new IdList();
  private readonly encodeFull: FullEncoder;
  private readonly shadowOf: ReadonlyMap<Component, ComponentShadow>;
  private readonly verifyMarks: number;
  private readonly onUnmarkedChange: (change: UnmarkedChange) => void;
  private readonly onNaN: (value: NaNValue) => void;
  private readonly nanFound: NaNValue[] = [];
  private replicated = 0;
  private lastMarkedShadow: ComponentShadow | undefined;
  private splitter: SectionSplitter | undefined;
  private readonly tickRate: number;
  private readonly bytesPerSecond: number | undefined;
  private readonly priority: PriorityFunction | undefined;
  private readonly listC = new IdList();
  private readonly listD = new IdList();
  /** Per component: how the fused loop writes an entity it does not handle itself (see {@link slowRecord}). */
  private readonly slowRecords: readonly SlowRecord[];
  private readonly fusedOutcome: FusedOutcome = { count: 0 };

  constructor(protocol: Protocol, options: ServerReplicationOptions = {}) {
    this.layouts = layoutComponents(protocol);
    const marked = new Set(options.marked ?? []);
    for (const component of marked)
      if (protocol.componentId(component) < 0) throw new TypeError(`marked component ${component[componentInfo].name} is not registered in the protocol`);
    this.shadows = this.layouts.map((layout) => new ComponentShadow(layout, marked.has(layout.component) ? 'marked' : 'scan'));
    this.capacity = options.capacity ?? entityCapacity(this.layouts);
    const capacity = this.capacity;
    this.records = new TickRecords(capacity);
    this.componentMask = new Uint32Array(capacity);
    this.fieldTotal = new Uint16Array(capacity);
    this.dirty = new Uint32Array(capacity);
    this.sink = { dirty: this.dirty, changed: new DirtyBits(capacity) };
    const recordTargets = { present: this.componentMask, updateBody: this.records.updateBody, updateEnd: this.records.updateEnd, lastChanged: this.records.lastChanged };
    if (options.compileEncoders !== false)
      this.shadows.forEach((shadow, c) => {
        shadow.writeChanged = compileChangedFields(shadow);
        shadow.writeRecord = compileUpdateRecord(shadow);
        shadow.compile(recordTargets, 2 ** c);
      });
    this.slowRecords = this.shadows.map((shadow, c) => this.slowRecord(shadow, 2 ** c));
    this.shadowOf = new Map(this.shadows.map((shadow) => [shadow.layout.component, shadow]));
    this.verifyMarks = options.verifyMarks ?? defaultVerifyMarks();
    this.onUnmarkedChange = options.onUnmarkedChange ?? warnOnce();
    this.onNaN = options.onNaN ?? defaultOnNaN();
    this.incarnation = new Uint32Array(capacity);
    this.mark = new Uint32Array(capacity);
    this.rooms = new Rooms(capacity);
    if (options.spatial) {
      const { component, xField, yField, cellSize } = options.spatial;
      const id = protocol.componentId(component);
      if (id < 0) throw new TypeError(`spatial component ${component[componentInfo].name} is not registered in the protocol`);
      const fields = this.layouts[id]!.fields;
      const x = fields.find((f) => f.name === xField);
      const y = fields.find((f) => f.name === yField);
      if (!x || !y || typeof x.store[0] !== 'number' || typeof y.store[0] !== 'number')
        throw new TypeError(`spatial fields ${xField}/${yField} must be numeric fields of ${component[componentInfo].name}`);
      this.spatial = {
        grid: new SpatialGrid(capacity, cellSize, Math.max(x.code === FieldCode.Quantized ? x.step : 0, y.code === FieldCode.Quantized ? y.step : 0)),
        xs: x.store as ArrayLike<number>,
        ys: y.store as ArrayLike<number>,
        unplaced: new EntitySet(),
        componentBit: 2 ** id,
      };
    }
    this.interest = new Interest(this.alive, this.rooms, this.spatial, new IdList());
    this.clientViews = new ClientViews(this.rooms, this.interest, this.spatial !== undefined, options.maxDepartureLog ?? 65_536);
    this.tickRate = options.tickRate ?? 20;
    if (!(this.tickRate > 0) || !Number.isFinite(this.tickRate)) throw new RangeError(`tickRate must be a positive number (got ${this.tickRate})`);
    const bandwidth = options.bandwidth ?? {};
    if (bandwidth.bytesPerSecond !== undefined) checkBytesPerSecond(bandwidth.bytesPerSecond);
    this.bytesPerSecond = bandwidth.bytesPerSecond;
    this.priority = bandwidth.priority;
    const shadows = this.shadows;
    const masks = this.componentMask;
    this.encodeFull = (into, eid) => writeFullBody(into, eid, masks[eid]!, shadows);
  }

  // ---- entity lifecycle (deferred to replicate, in call order) ----

  private checkEid(eid: number): void {
    if (!Number.isInteger(eid) || eid < 0 || eid >= this.capacity) throw new RangeError(`entity id ${eid} is outside 0..${this.capacity - 1}`);
  }

  private queue(kind: number, eid: number, arg: number | string): void {
    this.checkEid(eid);
    this.opKind.push(kind);
    this.opEid.push(eid);
    this.opArg.push(arg);
  }

  /** The entity became networked. */
  spawn(eid: number): void {
    this.queue(Op.Spawn, eid, 0);
  }

  /**
   * The entity stopped being networked (or was removed): clients drop it and its components are
   * forgotten. Its rooms stay: scoping belongs to the entity, so making it networked again never
   * shows it to clients outside its rooms. {@link forget} ends them when the entity is gone.
   */
  despawn(eid: number): void {
    this.queue(Op.Despawn, eid, 0);
  }

  /** The entity left the world: forget its rooms too, so an entity that later reuses the id starts global. */
  forget(eid: number): void {
    this.queue(Op.Forget, eid, 0);
  }

  /** The entity gained a registered component. */
  addComponent(eid: number, componentId: number): void {
    this.checkComponent(eid, componentId);
    this.queue(Op.Add, eid, componentId);
  }

  /** The entity lost a registered component. */
  removeComponent(eid: number, componentId: number): void {
    this.checkComponent(eid, componentId);
    this.queue(Op.Remove, eid, componentId);
  }

  private checkComponent(eid: number, componentId: number): void {
    const layout = this.layouts[componentId];
    if (!layout) throw new RangeError(`component id ${componentId} is not registered`);
    if (eid >= layout.capacity) throw new RangeError(`entity id ${eid} is beyond ${layout.name}'s capacity ${layout.capacity}`);
  }

  /** Put an entity in a room: it is then seen only by clients in one of its rooms. */
  addToRoom(eid: number, room: string): void {
    this.queue(Op.EnterRoom, eid, room);
  }

  removeFromRoom(eid: number, room: string): void {
    this.queue(Op.LeaveRoom, eid, room);
  }

  /**
   * Announce that game code wrote `Component`'s fields of `eid` this tick. For a component listed
   * in {@link ServerReplicationOptions.marked} this is what makes replicate compare the entity at
   * all; for a scanned component the scan would find the numeric writes anyway, and the mark
   * makes a string write go out this tick rather than when the string sweep reaches it (see
   * `STRING_SWEEP` in change-detection.ts). Marking more than was written
   * is harmless (the compare filters no-op writes); marking less loses nothing a later mark of the
   * same entity does not send, and the verifier reports it.
   */
  markChanged(eid: number, component: Component): void {
    // Game loops mark one component many times in a row: remember the last lookup.
    let shadow = this.lastMarkedShadow;
    if (shadow === undefined || shadow.layout.component !== component) {
      shadow = this.shadowOf.get(component);
      if (shadow === undefined) throw new TypeError(`component ${component[componentInfo].name} is not registered in the protocol`);
      this.lastMarkedShadow = shadow;
    }
    if (eid >>> 0 !== eid || eid >= shadow.layout.capacity) throw new RangeError(`entity id ${eid} is outside 0..${shadow.layout.capacity - 1}`);
    shadow.candidates.set(eid);
  }

  /** The same as {@link markChanged} by protocol component id, for callers that resolved it once. */
  markChangedById(eid: number, componentId: number): void {
    const shadow = this.shadows[componentId];
    if (shadow === undefined) throw new RangeError(`component id ${componentId} is not registered`);
    if (eid >>> 0 !== eid || eid >= shadow.layout.capacity) throw new RangeError(`entity id ${eid} is outside 0..${shadow.layout.capacity - 1}`);
    shadow.markChanged(eid);
  }

  // ---- clients and interest (immediate; see ClientViews) ----

  /** A new client: its next section is a full snapshot of what it sees. */
  addClient(clientId: number): void {
    this.clientViews.add(clientId);
    if (this.bytesPerSecond !== undefined) this.setBandwidth(clientId, this.bytesPerSecond);
  }

  /**
   * Give one client its own byte budget (bytes per second of frames: header, messages and state),
   * or none with `undefined` (what already waited still goes out in the next frame). Takes effect
   * at its next frame. Departures, entries and snapshots ignore the budget and leave a debt the
   * following frames repay; every other change waits its turn by accumulated priority.
   */
  setBandwidth(clientId: number, bytesPerSecond: number | undefined): void {
    const client = this.clientViews.get(clientId);
    if (bytesPerSecond === undefined) {
      if (client.budget) client.budget.bytesPerTick = Number.POSITIVE_INFINITY;
      return;
    }
    checkBytesPerSecond(bytesPerSecond);
    const perTick = bytesPerSecond / this.tickRate;
    if (client.budget) client.budget.bytesPerTick = perTick;
    else client.budget = new BandwidthBudget(perTick, this.priorityFor(client));
  }

  /** Entities whose latest values wait for a client's budget (0 without one): a measure of how far behind it runs. */
  pendingCount(clientId: number): number {
    return this.clientViews.get(clientId).budget?.pending.size ?? 0;
  }

  private priorityFor(client: ClientState): (eid: number) => number {
    const custom = this.priority;
    if (custom) return (eid) => custom(client.id, eid);
    const spatial = this.spatial;
    if (!spatial) return () => 1;
    const { xs, ys, grid } = spatial;
    return (eid) => {
      const focus = client.focus;
      if (focus === undefined || !grid.has(focus) || !grid.has(eid) || client.radius <= 0) return 1;
      const distance = Math.hypot(xs[eid]! - xs[focus]!, ys[eid]! - ys[focus]!);
      return 1 / (1 + (4 * distance) / client.radius);
    };
  }

  /** A resumed client keeps its world: the next section is a snapshot that also drops what it should no longer have. */
  resync(clientId: number): void {
    this.clientViews.get(clientId).needsSnapshot = true;
  }

  removeClient(clientId: number): void {
    this.clientViews.remove(clientId);
  }

  joinRoom(clientId: number, room: string): void {
    this.clientViews.joinRoom(clientId, room);
  }

  leaveRoom(clientId: number, room: string): void {
    this.clientViews.leaveRoom(clientId, room);
  }

  /** Client ids in a room (live; do not mutate). */
  roomMembers(room: string): ReadonlySet<number> {
    return this.rooms.clientsOf(room);
  }

  /** Narrow a client's view to entities within `radius` of `eid` (undefined: no spatial narrowing). */
  setFocus(clientId: number, eid: number | undefined, radius: number): void {
    this.clientViews.setFocus(clientId, eid, radius);
  }

  /** The final say on visibility (see {@link ClientViews.setFilter}). */
  setFilter(filter: InterestFilter | undefined): void {
    this.clientViews.setFilter(filter);
  }

  // ---- per tick ----

  /** Apply queued lifecycle calls, detect changes, and encode every changed entity once. */
  replicate(tick: number): void {
    const records = this.records;
    records.begin(tick);
    this.structureBefore = this.structureVersion;
    this.touched.length = 0;
    this.applyOps();
    const { componentMask: masks, shadows, fieldTotal, incarnation } = this;
    // Restructured entities go out as full records: their shadows simply adopt the store.
    for (let i = 0; i < records.restructured.length; i++) {
      const e = records.restructured.items[i]!;
      records.lastChanged[e] = tick;
      if (incarnation[e] === 0) continue;
      let total = 0;
      let bits = masks[e]! | 0;
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        const shadow = shadows[31 - Math.clz32(low)]!;
        shadow.adopt(e);
        total += shadow.layout.fields.length;
      }
      fieldTotal[e] = total;
      this.place(e);
    }
    // Detection lists each changed entity once; from here on the work is O(changes).
    const verify = this.verifyMarks > 0 && this.replicated++ % this.verifyMarks === 0;
    let withCandidates = 0;
    let only = 0;
    for (let c = 0; c < shadows.length; c++)
      if (shadows[c]!.collect(verify, this.onUnmarkedChange)) {
        withCandidates++;
        only = c;
      }
    const changed = records.changed;
    const w = records.updates;
    const positionBit = this.spatial?.componentBit ?? 0;
    const fusedShadow = withCandidates === 1 ? shadows[only]! : undefined;
    if (fusedShadow?.fused !== undefined) {
      // One component changed (the common tick): compare and write in one pass, no per-entity masks or drain.
      const n = this.encodeOnly(fusedShadow, only, tick);
      if ((2 ** only & positionBit) !== 0) for (let i = 0; i < n; i++) this.place(changed.items[i]!);
      this.reportNaNs();
      return;
    }
    for (let c = 0; c < shadows.length; c++) shadows[c]!.detect(this.sink, 2 ** c);
    this.sink.changed.drain(changed);
    const dirty = this.dirty;
    // One reservation for the whole tick: every record is then written straight into the buffer.
    let bound = changed.length * UPDATE_HEADER_BOUND;
    for (let c = 0; c < shadows.length; c++) bound += shadows[c]!.reported * shadows[c]!.updateBound;
    const buf = w.ensure(bound);
    let pos = w.length;
    const items = changed.items;
    const { updateBody, updateEnd, lastChanged } = records;
    let previous = -1;
    for (let i = 0; i < changed.length; i++) {
      const e = items[i]!;
      const d = dirty[e]!;
      dirty[e] = 0;
      lastChanged[e] = tick;
      const present = masks[e]!;
      const total = fieldTotal[e]!;
      // An entity with one component (the common case) goes through that layout's generated writer.
      const single = (present & (present - 1)) === 0 && total <= COMPACT_MASK_FIELDS ? shadows[31 - Math.clz32(present)]!.writeRecord : undefined;
      pos =
        single !== undefined
          ? single.run(single.context, buf, pos, e - previous - 1, e, updateBody)
          : putUpdate(buf, pos, e - previous - 1, e, present, d, total, shadows, updateBody);
      updateEnd[e] = pos;
      previous = e;
      if ((d & positionBit) !== 0) this.place(e);
    }
    w.length = pos;
    this.reportNaNs();
  }

  /** The fused path of {@link replicate}: returns how many update records it wrote. */
  private encodeOnly(shadow: ComponentShadow, c: number, tick: number): number {
    const records = this.records;
    const changed = records.changed;
    const w = records.updates;
    // Candidates bound the records; each record is at most a header and this component's update.
    const most = shadow.drainCandidates();
    changed.reserve(most);
    const buf = w.ensure(most * (UPDATE_HEADER_BOUND + shadow.updateBound));
    w.length = shadow.encodeFused(buf, w.length, changed.items, tick, this.fusedOutcome, this.slowRecords[c]!);
    changed.length = this.fusedOutcome.count;
    return changed.length;
  }

  /**
   * For the fused loop: the record of an entity it does not write itself (a non-member's shadow
   * is only refreshed; an entity with other components gets the two-pass compare and writer,
   * which combine its masks). Only this component has candidates on such a tick, so the
   * entity's dirty bits are this component's alone.
   */
  private slowRecord(shadow: ComponentShadow, componentBit: number): SlowRecord {
    const { sink, dirty, componentMask, fieldTotal, shadows } = this;
    const updateBody = this.records.updateBody;
    return (e, buf, pos, gap) => {
      if (shadow.compareOne(e, sink, componentBit) === 0) return -1;
      const d = dirty[e]!;
      dirty[e] = 0;
      // compareOne listed it for the two-pass drain; this tick has none.
      sink.changed.words[e >>> 5] = sink.changed.words[e >>> 5]! & ~(1 << (e & 31));
      return putUpdate(buf, pos, gap, e, componentMask[e]!, d, fieldTotal[e]!, shadows, updateBody);
    };
  }

  /** Last in `replicate`, so a handler that throws leaves this tick's records complete. */
  private reportNaNs(): void {
    const found = this.nanFound;
    for (const shadow of this.shadows) shadow.drainNaNs(found);
    if (found.length === 0) return;
    for (const value of found.splice(0)) this.onNaN(value);
  }

  private applyOps(): void {
    const { opKind, opEid, opArg, records, componentMask, incarnation } = this;
    // Most ticks queue nothing; and setting an array's length is a runtime call even at 0.
    if (opKind.length === 0) return;
    for (let i = 0; i < opKind.length; i++) {
      const e = opEid[i]!;
      switch (opKind[i]) {
        case Op.Spawn: {
          if (incarnation[e] !== 0) break;
          this.incarnations = (this.incarnations + 1) >>> 0 || 1;
          incarnation[e] = this.incarnations;
          this.alive.add(e);
          let bits = componentMask[e]! | 0;
          while (bits !== 0) {
            const low = bits & -bits;
            bits ^= low;
            this.shadows[31 - Math.clz32(low)]!.addMember(e);
          }
          records.markRestructured(e);
          this.structureVersion++;
          this.touched.push(e);
          break;
        }
        case Op.Despawn: {
          let bits = componentMask[e]! | 0;
          while (bits !== 0) {
            const low = bits & -bits;
            bits ^= low;
            this.shadows[31 - Math.clz32(low)]!.removeMember(e);
          }
          componentMask[e] = 0;
          if (incarnation[e] === 0) break;
          incarnation[e] = 0;
          this.alive.remove(e);
          this.unplace(e);
          this.structureVersion++;
          this.touched.push(e);
          break;
        }
        case Op.Add:
        case Op.Remove: {
          const c = opArg[i] as number;
          const bit = 2 ** c;
          const has = (componentMask[e]! & bit) !== 0;
          const adding = opKind[i] === Op.Add;
          if (has === adding) break;
          componentMask[e] = adding ? componentMask[e]! | bit : componentMask[e]! & ~bit;
          if (incarnation[e] === 0) break;
          if (adding) this.shadows[c]!.addMember(e);
          else this.shadows[c]!.removeMember(e);
          records.markRestructured(e);
          break;
        }
        case Op.EnterRoom:
          if (this.rooms.addEntity(e, opArg[i] as string)) this.restructureRooms(e);
          break;
        case Op.LeaveRoom:
          if (this.rooms.removeEntity(e, opArg[i] as string)) this.restructureRooms(e);
          break;
        case Op.Forget:
          if (this.rooms.removeEntityEverywhere(e)) this.restructureRooms(e);
          break;
      }
    }
    opKind.length = 0;
    opEid.length = 0;
    opArg.length = 0;
  }

  private restructureRooms(eid: number): void {
    this.structureVersion++;
    this.touched.push(eid);
  }

  /** Keep the spatial grid and the unplaced set in step with an entity's position. */
  private place(eid: number): void {
    const spatial = this.spatial;
    if (!spatial) return;
    if (this.incarnation[eid] !== 0 && (this.componentMask[eid]! & spatial.componentBit) !== 0) {
      spatial.unplaced.remove(eid);
      spatial.grid.place(eid, spatial.xs[eid]!, spatial.ys[eid]!);
    } else {
      this.unplace(eid);
      if (this.incarnation[eid] !== 0) spatial.unplaced.add(eid);
    }
  }

  private unplace(eid: number): void {
    if (!this.spatial) return;
    this.spatial.grid.remove(eid);
    this.spatial.unplaced.remove(eid);
  }

  private nextStamp(): number {
    this.stamp = (this.stamp + 1) >>> 0;
    if (this.stamp === 0) {
      this.mark.fill(0);
      this.stamp = 1;
    }
    return this.stamp;
  }

  /** Bring a view's visible set up to this tick (once per tick, on the first member written). */
  private observe(view: View): void {
    const tick = this.records.tick;
    if (view.observedTick === tick) return;
    if (!this.interest.isDynamic(view) && view.structureSeen === this.structureVersion) {
      view.enters.length = 0;
      view.leaves.length = 0;
      view.markObserved(tick);
      return;
    }
    const stamp = this.nextStamp();
    if (!this.interest.isDynamic(view) && view.structureSeen === this.structureBefore) {
      // Up to date until this tick's operations: re-check only the entities they touched.
      view.updateSome(tick, this.touched, this.mark, stamp, this.incarnation, (e) => this.interest.sees(view, e));
    } else {
      this.interest.collect(view, this.candidates, this.mark, stamp);
      view.update(tick, this.candidates, this.mark, stamp, this.incarnation);
    }
    view.structureSeen = this.structureVersion;
  }

  /**
   * Append this client's state section for the current tick. Call it only for frames that will
   * be sent: a client not written on some ticks is caught up on the next one it is.
   */
  writeState(clientId: number, w: ByteWriter): void {
    const records = this.records;
    const client = this.clientViews.get(clientId);
    if (records.tick < 0 || client.lastWritten === records.tick) return;
    const view = client.view;
    this.observe(view);
    const start = w.length;
    const budget = client.budget;
    if (budget !== undefined && !(client.needsSnapshot || client.writtenView !== view || client.lastWritten < view.logFloor)) {
      writeBudgetedSection(w, {
        view,
        records,
        encode: this.encodeFull,
        budget,
        priority: budget.priority,
        lastWritten: client.lastWritten,
        maxTicks: Math.ceil(this.tickRate),
        despawns: this.listA,
        fulls: this.listB,
        updates: this.listC,
        candidates: this.listD,
        mark: this.mark,
        stamp: this.nextStamp(),
      });
      // A retired budget (setBandwidth undefined) goes once nothing waits for it any more.
      if (budget.bytesPerTick === Number.POSITIVE_INFINITY && budget.pending.size === 0) client.budget = undefined;
    } else if (client.needsSnapshot || client.writtenView !== view || client.lastWritten < view.logFloor) {
      writeSnapshot(w, view, records, this.encodeFull, this.listA);
      if (budget !== undefined) {
        budget.afterSnapshot(records.tick, w.length);
        if (budget.bytesPerTick === Number.POSITIVE_INFINITY) client.budget = undefined;
      }
    } else if (client.lastWritten === records.previousTick && view.previousObservedTick === records.previousTick) {
      if (view.sectionTick !== records.tick) buildViewSection(view, records, this.encodeFull, this.listA, view.visible.size === this.alive.size);
      w.append(view.section);
    } else {
      writeCatchUp(w, view, client.lastWritten, records, this.encodeFull, this.listA, this.listB, this.mark, this.nextStamp());
    }
    // A section holding nothing (flags 0, no records) is sent as no section at all: an idle
    // connection's frame then carries no state and the connection layer can skip it.
    if (w.length === start + 1 && w.at(start) === 0) w.length = start;
    client.lastWritten = records.tick;
    client.writtenView = view;
    client.needsSnapshot = false;
  }

  /**
   * Cut a state section this replication wrote this tick into sections of at most `budget` bytes
   * that, applied in order as one tick, do what it did: for a frame too big for the client.
   */
  splitState(section: Uint8Array, budget: number): readonly Uint8Array[] {
    this.splitter ??= new SectionSplitter(this.layouts, this.componentMask);
    return this.splitter.split(section, budget);
  }

  /** Number of distinct views (interest groups) currently held; for diagnostics and tests. */
  get viewCount(): number {
    return this.clientViews.viewCount;
  }
}
