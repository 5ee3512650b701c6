import type { LocalPresence } from './bus.js';

/** Free-form strings about an online identity (device, status text…), set by the server. */
export type PresenceMetadata = Readonly<Record<string, string>>;

/** An identity came online (or its metadata changed), or went offline. */
export interface PresenceEvent {
  readonly identity: string;
  readonly status: 'online' | 'offline';
  readonly metadata?: PresenceMetadata;
}

interface Online<C> {
  readonly connections: Set<C>;
  /** What this process set for it (its own sessions' metadata). */
  metadata: PresenceMetadata | undefined;
  /**
   * Other nodes that hold a session of it, each with the metadata that node set; made when the
   * first one reports (a single-process server never does: an empty `Map` per online identity
   * was ~0.14 KB of every idle connection).
   */
  remote: Map<string, PresenceMetadata | undefined> | undefined;
}

/**
 * Which identities are online (hold at least one session, here or on another node the messaging
 * bus reported) and who watches them. Changes are announced once per tick, coalesced: connecting
 * and dropping within one tick announces nothing, and metadata set in the tick an identity
 * connects rides on its `online` event. An identity held by several nodes is online while any
 * holds it; its metadata is this process's when set, else the last a remote node reported.
 * Bounded: one entry per online identity, per watcher at most `maxWatched` identities.
 */
export class PresenceRegistry<C> {
  private readonly online = new Map<string, Online<C>>();
  /** What watchers were last told per identity: the metadata object of its last `online` event. */
  private readonly announced = new Map<string, PresenceMetadata | undefined>();
  private readonly dirty = new Set<string>();
  /** What the bus was last told per identity held here: the metadata of its last local edge. */
  private readonly announcedLocally = new Map<string, PresenceMetadata | undefined>();
  private readonly dirtyLocally = new Set<string>();
  private readonly watchAll = new Set<C>();
  private readonly watchers = new Map<string, Set<C>>();
  private readonly watching = new Map<C, Set<string>>();

  constructor(private readonly maxWatched: number) {}

  /** A connection of `identity` became a session. */
  add(identity: string, connection: C): void {
    this.entry(identity).connections.add(connection);
    this.dirty.add(identity);
    this.dirtyLocally.add(identity);
  }

  /** A session of `identity` ended for good. */
  remove(identity: string, connection: C): void {
    const entry = this.online.get(identity);
    if (!entry?.connections.delete(connection)) return;
    if (entry.connections.size === 0) {
      entry.metadata = undefined;
      this.dropIfGone(identity, entry);
    }
    this.dirty.add(identity);
    this.dirtyLocally.add(identity);
  }

  /** Another node reported that it holds a session of `identity` (or changed its metadata), or holds none any more. */
  setRemote(node: string, identity: string, present: boolean, metadata: PresenceMetadata | undefined): void {
    if (present) {
      const entry = this.entry(identity);
      entry.remote ??= new Map();
      const before = entry.remote.get(node);
      if (entry.remote.has(node) && sameMetadata(before, metadata)) return;
      entry.remote.set(node, metadata && Object.freeze({ ...metadata }));
    } else {
      const entry = this.online.get(identity);
      if (!entry?.remote?.delete(node)) return;
      this.dropIfGone(identity, entry);
    }
    this.dirty.add(identity);
  }

  private entry(identity: string): Online<C> {
    let entry = this.online.get(identity);
    if (!entry) {
      entry = { connections: new Set(), metadata: undefined, remote: undefined };
      this.online.set(identity, entry);
    }
    return entry;
  }

  private dropIfGone(identity: string, entry: Online<C>): void {
    if (entry.connections.size === 0 && (entry.remote?.size ?? 0) === 0) this.online.delete(identity);
  }

  /** Replace the metadata of an identity with a session here; false when it has none here. */
  setMetadata(identity: string, metadata: PresenceMetadata | undefined): boolean {
    const entry = this.online.get(identity);
    if (!entry || entry.connections.size === 0) return false;
    // The same metadata again is no change: watchers are not told twice.
    if (sameMetadata(entry.metadata, metadata)) return true;
    entry.metadata = metadata && Object.freeze({ ...metadata });
    this.dirty.add(identity);
    this.dirtyLocally.add(identity);
    return true;
  }

  /** The sessions of an identity on this process (empty when it has none here). */
  connectionsOf(identity: string): ReadonlySet<C> {
    return this.online.get(identity)?.connections ?? new Set();
  }

  /** The metadata watchers see: this process's when set, else the latest another node reported. */
  metadataOf(identity: string): PresenceMetadata | undefined {
    const entry = this.online.get(identity);
    return entry && effectiveMetadata(entry);
  }

  /**
   * Start (or replace) a watch: of the listed identities, or everyone when undefined. Returns
   * the announced-online identities it covers (the snapshot), or 'limit' when the list is longer
   * than `maxWatched`.
   */
  watch(watcher: C, identities: readonly string[] | undefined): PresenceEvent[] | 'limit' {
    if (identities && new Set(identities).size > this.maxWatched) return 'limit';
    this.unwatch(watcher);
    const snapshot: PresenceEvent[] = [];
    if (!identities) {
      this.watchAll.add(watcher);
      for (const [identity, metadata] of this.announced) snapshot.push(event(identity, 'online', metadata));
      return snapshot;
    }
    const own = new Set(identities);
    this.watching.set(watcher, own);
    for (const identity of own) {
      let set = this.watchers.get(identity);
      if (!set) {
        set = new Set();
        this.watchers.set(identity, set);
      }
      set.add(watcher);
      if (this.announced.has(identity)) snapshot.push(event(identity, 'online', this.announced.get(identity)));
    }
    return snapshot;
  }

  /** Stop a watch (also on disconnect). */
  unwatch(watcher: C): void {
    this.watchAll.delete(watcher);
    const own = this.watching.get(watcher);
    if (!own) return;
    this.watching.delete(watcher);
    for (const identity of own) {
      const set = this.watchers.get(identity)!;
      set.delete(watcher);
      if (set.size === 0) this.watchers.delete(identity);
    }
  }

  /** Every change since the last call, each with the watchers to tell (possibly none). */
  takeChanges(): Array<{ readonly event: PresenceEvent; readonly watchers: readonly C[] }> {
    if (this.dirty.size === 0) return [];
    const out: Array<{ event: PresenceEvent; watchers: C[] }> = [];
    for (const identity of this.dirty) {
      const entry = this.online.get(identity);
      const wasOnline = this.announced.has(identity);
      let change: PresenceEvent | undefined;
      const metadata = entry && effectiveMetadata(entry);
      if (entry && (!wasOnline || this.announced.get(identity) !== metadata)) {
        this.announced.set(identity, metadata);
        change = event(identity, 'online', metadata);
      } else if (!entry && wasOnline) {
        this.announced.delete(identity);
        change = event(identity, 'offline', undefined);
      }
      if (!change) continue;
      const watchers = [...this.watchAll];
      for (const watcher of this.watchers.get(identity) ?? []) if (!this.watchAll.has(watcher)) watchers.push(watcher);
      out.push({ event: change, watchers });
    }
    this.dirty.clear();
    return out;
  }

  /**
   * Every change of the presence held by this process alone since the last call (remote nodes'
   * reports never appear): first session here, metadata set here, last session here gone.
   */
  takeLocalChanges(): LocalPresence[] {
    if (this.dirtyLocally.size === 0) return [];
    const out: LocalPresence[] = [];
    for (const identity of this.dirtyLocally) {
      const entry = this.online.get(identity);
      const here = entry !== undefined && entry.connections.size > 0;
      const wasHere = this.announcedLocally.has(identity);
      if (here && (!wasHere || this.announcedLocally.get(identity) !== entry.metadata)) {
        this.announcedLocally.set(identity, entry.metadata);
        out.push(entry.metadata ? { identity, present: true, metadata: entry.metadata } : { identity, present: true });
      } else if (!here && wasHere) {
        this.announcedLocally.delete(identity);
        out.push({ identity, present: false });
      }
    }
    this.dirtyLocally.clear();
    return out;
  }
}

function effectiveMetadata<C>(entry: Online<C>): PresenceMetadata | undefined {
  if (entry.metadata) return entry.metadata;
  let latest: PresenceMetadata | undefined;
  if (entry.remote) for (const metadata of entry.remote.values()) if (metadata) latest = metadata;
  return latest;
}

function event(identity: string, status: 'online' | 'offline', metadata: PresenceMetadata | undefined): PresenceEvent {
  return metadata ? { identity, status, metadata } : { identity, status };
}

function sameMetadata(a: PresenceMetadata | undefined, b: PresenceMetadata | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}
