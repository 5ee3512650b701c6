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
  metadata: PresenceMetadata | undefined;
}

/**
 * Which identities are online (hold at least one session) and who watches them. Changes are
 * announced once per tick, coalesced: connecting and dropping within one tick announces nothing,
 * and metadata set in the tick an identity connects rides on its `online` event.
 * Bounded: one entry per online identity, per watcher at most `maxWatched` identities.
 */
export class PresenceRegistry<C> {
  private readonly online = new Map<string, Online<C>>();
  /** What watchers were last told per identity: the metadata object of its last `online` event. */
  private readonly announced = new Map<string, PresenceMetadata | undefined>();
  private readonly dirty = new Set<string>();
  private readonly watchAll = new Set<C>();
  private readonly watchers = new Map<string, Set<C>>();
  private readonly watching = new Map<C, Set<string>>();

  constructor(private readonly maxWatched: number) {}

  /** A connection of `identity` became a session. */
  add(identity: string, connection: C): void {
    let entry = this.online.get(identity);
    if (!entry) {
      entry = { connections: new Set(), metadata: undefined };
      this.online.set(identity, entry);
    }
    entry.connections.add(connection);
    this.dirty.add(identity);
  }

  /** A session of `identity` ended for good. */
  remove(identity: string, connection: C): void {
    const entry = this.online.get(identity);
    if (!entry?.connections.delete(connection)) return;
    if (entry.connections.size === 0) this.online.delete(identity);
    this.dirty.add(identity);
  }

  /** Replace an online identity's metadata; false when it is offline. */
  setMetadata(identity: string, metadata: PresenceMetadata | undefined): boolean {
    const entry = this.online.get(identity);
    if (!entry) return false;
    // The same metadata again is no change: watchers are not told twice.
    if (sameMetadata(entry.metadata, metadata)) return true;
    entry.metadata = metadata && Object.freeze({ ...metadata });
    this.dirty.add(identity);
    return true;
  }

  /** The sessions of an identity (empty when offline). */
  connectionsOf(identity: string): ReadonlySet<C> {
    return this.online.get(identity)?.connections ?? new Set();
  }

  metadataOf(identity: string): PresenceMetadata | undefined {
    return this.online.get(identity)?.metadata;
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
      if (entry && (!wasOnline || this.announced.get(identity) !== entry.metadata)) {
        this.announced.set(identity, entry.metadata);
        change = event(identity, 'online', entry.metadata);
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
