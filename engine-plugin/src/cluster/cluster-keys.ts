/**
 * The Redis keys of one cluster, all under one prefix (default `tw:`). The Lua scripts build the
 * same names from the prefix; docs/architecture.md lists every key, who writes it and how often.
 */
export class ClusterKeys {
  constructor(readonly prefix: string) {}

  /** Sorted set: node → lease deadline (Redis ms). */
  get leases(): string {
    return `${this.prefix}leases`;
  }
  /** Stream of state changes (presence, interest, nodes up/gone), read by every node. */
  get events(): string {
    return `${this.prefix}events`;
  }
  /** Hash: a live node's epoch and address, with the lease TTL. */
  node(node: string): string {
    return `${this.prefix}node:${node}`;
  }
  /** A node's inbox stream: one entry per sender per tick. */
  inbox(node: string): string {
    return `${this.prefix}inbox:${node}`;
  }
  /** Set: the identities a node holds a session of. */
  members(node: string): string {
    return `${this.prefix}members:${node}`;
  }
  /** Hash: a node's topic patterns → subscriber counts. */
  interest(node: string): string {
    return `${this.prefix}interest:${node}`;
  }
  /** Hash: node → presence metadata JSON, one field per node holding a session of the identity. */
  presence(identity: string): string {
    return `${this.prefix}presence:${identity}`;
  }
}
