import type { ByteWriter } from '../protocol/bytes.js';
import { type BandwidthBudget, MIN_PRIORITY } from './bandwidth-budget.js';
import type { IdList } from './entity-set.js';
import { varintSize } from './raw-bytes.js';
import { DESPAWNS_FLAG, FULLS_FLAG, type FullEncoder, writeFulls, writeIdList } from './state-section.js';
import type { TickRecords } from './tick-records.js';
import type { View } from './view.js';

/** Worst case of a list's count varint (lists are bounded by the entity capacity, < 2^21). */
const COUNT_BYTES = 3;

/** What {@link writeBudgetedSection} works with; the lists are scratch, reused every call. */
export interface BudgetedSectionInput {
  readonly view: View;
  readonly records: TickRecords;
  readonly encode: FullEncoder;
  readonly budget: BandwidthBudget;
  /** How much `eid` matters to this client now (see {@link PriorityFunction}). */
  readonly priority: (eid: number) => number;
  /** The tick of this client's last section (-1 before any). */
  readonly lastWritten: number;
  /** At most this many ticks' allowance accumulates (a client that stalled does not get a burst). */
  readonly maxTicks: number;
  readonly despawns: IdList;
  readonly fulls: IdList;
  readonly updates: IdList;
  readonly candidates: IdList;
  /** Dedup marks for departures: `mark[eid] === stamp` means listed; the stamp must differ from every earlier one. */
  readonly mark: Uint32Array;
  readonly stamp: number;
}

/**
 * A state section for a client under a byte budget (layout as any section, docs/protocol.md
 * "State section"). Departures and entries always go out. Every other visible entity with
 * values the client lacks is a candidate: the ones in sync since the last frame can take the
 * shared update record (a delta), the ones that waited need a full record (absolute values,
 * since the deltas they missed are gone). Candidates are taken by accumulated priority, highest
 * first, while their bytes fit; the rest wait in the budget's pending set with their priority
 * still growing. `w` already holds the frame's header and messages: they count against the budget.
 */
export function writeBudgetedSection(w: ByteWriter, input: BudgetedSectionInput): void {
  const { view, records, encode, budget, despawns, fulls, updates, candidates, mark } = input;
  const tick = records.tick;
  const since = input.lastWritten;
  const allowance = budget.refill(tick, input.maxTicks);
  const elapsed = budget.elapsedTicks;
  const unindebted = allowance >= budget.bytesPerTick * elapsed;
  despawns.length = 0;
  fulls.length = 0;
  updates.length = 0;
  candidates.length = 0;
  const inSync = since === records.previousTick && view.previousObservedTick === records.previousTick;
  const pending = budget.pending;

  // Departures and entries bypass the budget: a client must never hold what it may no longer
  // see, and an entity it sees for the first time is useless without all of its state.
  const departed = input.stamp;
  const addDeparture = (e: number): void => {
    if (mark[e] === departed) return;
    mark[e] = departed;
    despawns.push(e);
    budget.settle(e);
  };
  if (inSync) for (let i = 0; i < view.leaves.length; i++) addDeparture(view.leaves.items[i]!);
  else view.departuresSince(since, addDeparture);
  let overhead = 1 + (despawns.length > 0 ? COUNT_BYTES : 0) + COUNT_BYTES;
  for (let i = 0; i < despawns.length; i++) overhead += varintSize(despawns.items[i]!);
  const entered = view.entered;
  const enter = (e: number): void => {
    fulls.push(e);
    budget.settle(e);
    overhead += varintSize(e) + records.fullLength(e, encode);
  };
  const { dense, size } = view.visible;
  const lastChanged = records.lastChanged;
  if (inSync) {
    for (let i = 0; i < view.enters.length; i++) enter(view.enters.items[i]!);
    // A changed component set needs a full record: it waits like a missed delta.
    const restructured = records.restructured;
    for (let i = 0; i < restructured.length; i++) {
      const e = restructured.items[i]!;
      if (view.seen(e) !== 0 && entered[e] !== tick) pending.add(e);
    }
  } else {
    for (let i = 0; i < size; i++) {
      const e = dense[i]!;
      if (entered[e]! > since) enter(e);
      else if (lastChanged[e]! > since) pending.add(e);
    }
  }

  // Candidates: everything waiting (full records), then this tick's deltas of entities in sync.
  const priority = input.priority;
  const acc = (e: number): void => {
    const p = priority(e);
    budget.accumulate(e, Math.max(p || 0, MIN_PRIORITY) * elapsed); // NaN counts as 0
    candidates.push(e);
  };
  for (let i = pending.size - 1; i >= 0; i--) {
    const e = pending.dense[i]!;
    if (view.seen(e) === 0) budget.settle(e);
    else acc(e);
  }
  if (inSync) {
    const changed = records.changed;
    for (let i = 0; i < changed.length; i++) {
      const e = changed.items[i]!;
      if (view.seen(e) !== 0 && entered[e] !== tick && !pending.has(e)) acc(e);
    }
  }
  const accumulated = budget.accumulated;
  candidates.items.subarray(0, candidates.length).sort((a, b) => accumulated[b]! - accumulated[a]! || a - b);

  let available = allowance - w.length - overhead;
  const { updateBody, updateEnd } = records;
  for (let i = 0; i < candidates.length; i++) {
    const e = candidates.items[i]!;
    const full = pending.has(e);
    const cost = varintSize(e) + (full ? records.fullLength(e, encode) : updateEnd[e]! - updateBody[e]!);
    // The top candidate of a frame without debt always goes: a record bigger than the whole
    // allowance would otherwise wait forever.
    if (cost <= available || (i === 0 && unindebted)) {
      available -= cost;
      if (full) fulls.push(e);
      else updates.push(e);
      budget.settle(e);
    } else if (!full) {
      pending.add(e);
    }
  }

  if (despawns.length > 0 || fulls.length > 0 || updates.length > 0) {
    w.u8((despawns.length > 0 ? DESPAWNS_FLAG : 0) | (fulls.length > 0 ? FULLS_FLAG : 0));
    writeIdList(w, despawns);
    writeFulls(w, fulls, records, encode);
    updates.sort();
    let previous = -1;
    for (let i = 0; i < updates.length; i++) {
      const e = updates.items[i]!;
      w.varint(e - previous - 1);
      records.copyUpdates(w, updateBody[e]!, updateEnd[e]!);
      previous = e;
    }
  }
  budget.tokens -= w.length;
}
