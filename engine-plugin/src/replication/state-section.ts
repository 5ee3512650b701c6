import type { ByteWriter } from '../protocol/bytes.js';
import type { IdList } from './entity-set.js';
import type { TickRecords } from './tick-records.js';
import type { View } from './view.js';

/**
 * Writing one state section (layout in docs/protocol.md, "State section"):
 *
 * ```
 * u8 flags (bit 0: snapshot — anything not listed is gone; bit 1: despawn list; bit 2: full list)
 * [varint despawnCount, then each id as a gap from the previous id]      if bit 1
 * [varint fullCount,    then each id gap + full record body]              if bit 2
 * update records to the end of the section: id gap + update body
 * ```
 * An id gap is `id - previous - 1` with previous = -1 at the start of each list, so ascending
 * lists of nearby ids cost one byte per id; absent lists cost nothing, so a tick of pure
 * movement carries one byte of framing.
 */

/** Flags bit 0: the section is a full snapshot. */
export const SNAPSHOT_FLAG = 1;
/** Flags bit 1: a despawn list follows. */
export const DESPAWNS_FLAG = 2;
/** Flags bit 2: a full-record list follows. */
export const FULLS_FLAG = 4;

function flagsFor(snapshot: boolean, despawns: IdList, fulls: IdList): number {
  return (snapshot ? SNAPSHOT_FLAG : 0) | (despawns.length > 0 ? DESPAWNS_FLAG : 0) | (fulls.length > 0 ? FULLS_FLAG : 0);
}

/** Writes full record bodies (the server's entity encoder). */
export type FullEncoder = (into: ByteWriter, eid: number) => void;

/** An ascending id list: its count, then each id as a gap (nothing at all when empty). */
export function writeIdList(w: ByteWriter, list: IdList): void {
  if (list.length === 0) return;
  list.sort();
  w.varint(list.length);
  let previous = -1;
  for (let i = 0; i < list.length; i++) {
    const e = list.items[i]!;
    w.varint(e - previous - 1);
    previous = e;
  }
}

/** An ascending full-record list: its count, then each id gap and full body (nothing when empty). */
export function writeFulls(w: ByteWriter, list: IdList, records: TickRecords, encode: FullEncoder): void {
  if (list.length === 0) return;
  list.sort();
  w.varint(list.length);
  let previous = -1;
  for (let i = 0; i < list.length; i++) {
    const e = list.items[i]!;
    w.varint(e - previous - 1);
    previous = e;
    records.copyFull(w, e, encode);
  }
}

/** Everything visible as full records, flagged as a snapshot: the client drops whatever is not listed. */
export function writeSnapshot(w: ByteWriter, view: View, records: TickRecords, encode: FullEncoder, fulls: IdList): void {
  fulls.length = 0;
  for (let i = 0; i < view.visible.size; i++) fulls.push(view.visible.dense[i]!);
  w.u8(SNAPSHOT_FLAG | (fulls.length > 0 ? FULLS_FLAG : 0));
  writeFulls(w, fulls, records, encode);
}

/**
 * A client that missed ticks since `since`: despawn what left since then, and send the absolute
 * latest values (full records) of everything that entered or changed since then. Quantisation
 * baselines reset with the full records, so the next shared delta applies cleanly.
 */
export function writeCatchUp(
  w: ByteWriter,
  view: View,
  since: number,
  records: TickRecords,
  encode: FullEncoder,
  despawns: IdList,
  fulls: IdList,
  mark: Uint32Array,
  stamp: number,
): void {
  despawns.length = 0;
  fulls.length = 0;
  view.departuresSince(since, (e) => {
    if (mark[e] === stamp) return;
    mark[e] = stamp;
    despawns.push(e);
  });
  const lastChanged = records.lastChanged;
  for (let i = 0; i < view.visible.size; i++) {
    const e = view.visible.dense[i]!;
    if (view.entered[e]! > since || lastChanged[e]! > since) fulls.push(e);
  }
  if (despawns.length === 0 && fulls.length === 0) return;
  w.u8(flagsFor(false, despawns, fulls));
  writeIdList(w, despawns);
  writeFulls(w, fulls, records, encode);
}

/**
 * The section shared by every member that received the previous tick: this tick's leaves,
 * entries and structural changes, then the shared update records of visible entities, copied in
 * runs. Empty (zero bytes) when nothing the view sees changed.
 *
 * `seesEveryEntity`: the view's visible set is every alive entity (the caller compared sizes;
 * visible ⊆ alive). With no entries this tick every changed entity is then in the section with
 * its stored header, so the records go out as the tick's update buffer in one copy, with no
 * per-entity look at the view.
 */
export function buildViewSection(view: View, records: TickRecords, encode: FullEncoder, fulls: IdList, seesEveryEntity = false): void {
  const w = view.section;
  w.reset();
  view.sectionTick = records.tick;
  const tick = records.tick;
  fulls.length = 0;
  for (let i = 0; i < view.enters.length; i++) fulls.push(view.enters.items[i]!);
  const restructured = records.restructured;
  for (let i = 0; i < restructured.length; i++) {
    const e = restructured.items[i]!;
    // Known before this tick and still the same incarnation: a refresh.
    if (view.seen(e) !== 0 && view.entered[e] !== tick) fulls.push(e);
  }
  w.u8(flagsFor(false, view.leaves, fulls));
  writeIdList(w, view.leaves);
  writeFulls(w, fulls, records, encode);
  const headerOnly = view.leaves.length === 0 && fulls.length === 0;

  const changed = records.changed.items;
  const n = records.changed.length;
  if (seesEveryEntity && view.enters.length === 0) {
    // The first record's stored gap is already from -1, as the section's must be.
    if (n > 0) records.copyUpdates(w, 0, records.updates.length);
    else if (headerOnly) w.reset();
    return;
  }
  const { updateBody, updateEnd } = records;
  let previous = -1;
  let runFrom = -1;
  let runTo = -1;
  let lastIncluded = -2;
  let any = false;
  for (let i = 0; i < n; i++) {
    const e = changed[i]!;
    if (view.seen(e) === 0 || view.entered[e] === tick) continue;
    any = true;
    if (lastIncluded === i - 1) {
      // The stored header is already the gap from changed[i - 1]: extend the run.
      runTo = updateEnd[e]!;
    } else {
      if (runFrom >= 0) records.copyUpdates(w, runFrom, runTo);
      w.varint(e - previous - 1);
      runFrom = updateBody[e]!;
      runTo = updateEnd[e]!;
    }
    previous = e;
    lastIncluded = i;
  }
  if (runFrom >= 0) records.copyUpdates(w, runFrom, runTo);
  if (headerOnly && !any) w.reset();
}
