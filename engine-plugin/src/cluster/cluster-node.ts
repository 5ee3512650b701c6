import { randomBytes } from 'node:crypto';
import { type Logger, consoleLogger } from '../connection/logger.js';
import { LOCAL_NODE, type MessagingBus } from '../messaging/bus.js';
import { ClusterKeys } from './cluster-keys.js';
import { ClusterStats } from './cluster-stats.js';
import { type LeaseTiming, NodeLease } from './node-lease.js';
import { RedisBus } from './redis-bus.js';
import { RedisLink } from './redis-link.js';
import { StreamReader } from './stream-reader.js';

/** Options of {@link joinCluster}. */
export interface ClusterOptions {
  /** Redis URL, e.g. `redis://127.0.0.1:6379`. */
  readonly redis: string;
  /** This node's public WebSocket address, as clients reach it (`ws://host:8081/ws`); matchmaking hands it out. */
  readonly address: string;
  /** This node's name among the others; unique while it lives, not `'local'`. Default: random (`n-` and 8 hex digits). Anonymous identities carry it (`#<connection id>@<node>`). */
  readonly node?: string;
  /** Prefix of every key the cluster writes. Default `tw:`. */
  readonly prefix?: string;
  /** Lease TTL in ms: a node silent this long is dead and reaped. Default 3000. */
  readonly leaseMs?: number;
  /**
   * Lease renewal period in ms. Default a sixth of the lease (500 ms): a Redis pause of two thirds
   * of the lease, with the renewal that was due in it lost to a dropped connection, must still end
   * with time left to renew — at a third (1 s) the lease had aged a full period before the pause
   * and lapsed by however long the reconnect took.
   */
  readonly renewMs?: number;
  /** Bytes queued per target node per tick before cross-node sends to it fail with 503. Default 1 MiB. */
  readonly maxBatchBytes?: number;
  /** Approximate cap of each inbox stream, in entries (batches). Default 10,000. */
  readonly maxInbox?: number;
  /** How long a dropped Redis connection may last before cross-node sends fail at once (503). Default 1000 ms. */
  readonly unavailableAfterMs?: number;
  /** Where cluster events are logged. Default: the console logger. */
  readonly logger?: Logger;
}

/** A live node of the cluster as Redis lists it. */
export interface ClusterMember {
  readonly node: string;
  readonly address: string;
  readonly epoch: number;
}

/**
 * This process as a node of a tickwire cluster: its lease and epoch in Redis, and the
 * {@link MessagingBus} that carries direct messages, publications, presence and requests to the
 * other nodes. Hand `bus` to the server (`messaging: { bus: cluster.bus }`); stopping the server
 * closes the bus, which leaves the cluster.
 */
export class ClusterNode {
  readonly stats = new ClusterStats();
  readonly keys: ClusterKeys;
  readonly node: string;
  private readonly redisBus: RedisBus;
  private readonly lease: NodeLease;
  private readonly reader: StreamReader;
  private readonly logger: Logger;
  private left = false;

  /** @internal Use {@link joinCluster}. */
  constructor(
    readonly link: RedisLink,
    readonly options: ClusterOptions,
  ) {
    this.logger = options.logger ?? consoleLogger();
    this.keys = new ClusterKeys(options.prefix ?? 'tw:');
    this.node = options.node ?? `n-${randomBytes(4).toString('hex')}`;
    const leaseMs = options.leaseMs ?? 3000;
    const timing: LeaseTiming = { leaseMs, renewMs: options.renewMs ?? leaseMs / 6, claimMs: 2 * leaseMs, eventsKeepMs: 2 * leaseMs, maxEvents: 100_000 };
    this.lease = new NodeLease(
      link,
      this.keys,
      this.node,
      options.address,
      timing,
      this.stats,
      this.logger,
      (epoch, first) => this.epochTaken(epoch, first),
      async () => {},
    );
    this.redisBus = new RedisBus(
      this.node,
      link,
      this.keys,
      this.lease,
      this.stats,
      {
        maxBatchBytes: options.maxBatchBytes ?? 1 << 20,
        maxInbox: options.maxInbox ?? 10_000,
        maxEvents: timing.maxEvents,
        unavailableAfterMs: options.unavailableAfterMs ?? 1000,
        retryForMs: 5000,
      },
      this.logger,
    );
    this.redisBus.onClose = () => this.leave();
    this.reader = new StreamReader(
      link,
      new Map([
        [this.keys.inbox(this.node), (entry) => {
          this.redisBus.receiveBatch(entry);
          this.lease.inboxReadId = entry.id;
        }],
        [this.keys.events, (entry) => this.redisBus.receiveEvent(entry)],
      ]),
      this.logger,
    );
  }

  /** The bus to hand the server: `createServer(world, protocol, { messaging: { bus: cluster.bus } })`. */
  get bus(): MessagingBus {
    return this.redisBus;
  }

  /** The epoch this node holds; 0 while it is fenced (its lease was lost and it has not re-registered yet). */
  get epoch(): number {
    return this.lease.epoch;
  }

  /** @internal A write was refused because this node's epoch is stale: renew (and re-register) now. */
  fenced(): void {
    this.lease.fenced();
  }

  /** @internal Register, learn the others' state, start reading. */
  async start(): Promise<void> {
    this.reader.position(this.keys.inbox(this.node), '0-0');
    await this.lease.start();
    this.reader.start();
  }

  private async epochTaken(epoch: number, first: boolean): Promise<void> {
    this.logger.info(first ? 'cluster node joined' : 'cluster node re-registered', { node: this.node, epoch });
    // The others' state is read again under every epoch: while this node was stalled the event
    // stream may have moved past what it read.
    try {
      await this.resync();
    } catch (error) {
      this.logger.warn('cluster resync failed', { error: String(error) });
    }
    this.redisBus.reassert();
  }

  /** Read every other node's identities and interest, and make the view say exactly that. */
  private async resync(): Promise<void> {
    const link = this.link;
    const last = await link.command<Array<[string, string[]]>>(['XREVRANGE', this.keys.events, '+', '-', 'COUNT', '1']);
    const nodes = (await link.command<string[]>(['ZRANGE', this.keys.leases, '0', '-1'])).filter((node) => node !== this.node);
    const live = new Set(nodes);
    for (const known of this.redisBus.view.knownNodes()) {
      if (live.has(known)) continue;
      this.redisBus.applyPresence(known, this.redisBus.view.identitiesOf(known).map((identity) => [identity, 0, ''] as const));
      this.redisBus.view.forget(known);
    }
    await Promise.all(
      nodes.map(async (node) => {
        const [identities, interest] = await Promise.all([
          link.command<string[]>(['SMEMBERS', this.keys.members(node)]),
          link.command<string[]>(['HGETALL', this.keys.interest(node)]),
        ]);
        const metadata = await Promise.all(identities.map((identity) => link.command<string | null>(['HGET', this.keys.presence(identity), node])));
        const present = new Set(identities);
        const gone = this.redisBus.view.identitiesOf(node).filter((identity) => !present.has(identity));
        this.redisBus.applyPresence(node, [
          ...gone.map((identity) => [identity, 0, ''] as const),
          ...identities.map((identity, i) => [identity, 1, metadata[i] ?? ''] as const),
        ]);
        for (let i = 0; i + 1 < interest.length; i += 2) this.redisBus.view.interest(node, interest[i]!, Number(interest[i + 1]));
      }),
    );
    this.reader.position(this.keys.events, last[0]?.[0] ?? '0-0');
  }

  /** The live nodes, from the lease set (one ZRANGE and one HMGET per node: not for a hot path). */
  async members(): Promise<ClusterMember[]> {
    const nodes = await this.link.command<string[]>(['ZRANGE', this.keys.leases, '0', '-1']);
    const out: ClusterMember[] = [];
    for (const node of nodes) {
      const [epoch, address] = await this.link.command<Array<string | null>>(['HMGET', this.keys.node(node), 'epoch', 'address']);
      if (epoch && address) out.push({ node, address, epoch: Number(epoch) });
    }
    return out;
  }

  /** Leave the cluster: identities offline, everything naming this node deleted, connections closed. */
  async leave(): Promise<void> {
    if (this.left) return;
    this.left = true;
    this.redisBus.shut();
    try {
      await this.lease.leave();
    } catch (error) {
      this.logger.warn('cluster leave failed; the lease will expire and be reaped', { error: String(error) });
    }
    await this.reader.stop().catch(() => {});
    await this.link.close();
  }
}

/**
 * Join (or start) a tickwire cluster over Redis: connect, take an epoch, read the other nodes'
 * identities and topic interest, and start the inbox. Resolves once this node can send.
 *
 * ```ts
 * const cluster = await joinCluster({ redis: 'redis://127.0.0.1:6379', address: 'ws://10.0.0.5:8081/ws' });
 * const server = createServer(world, protocol, { transport, messaging: { bus: cluster.bus } });
 * ```
 */
export async function joinCluster(options: ClusterOptions): Promise<ClusterNode> {
  // 'local' is the one-process bus's name: messaging would take this node for a lone process.
  if (options.node === LOCAL_NODE || options.node === '') throw new TypeError(`a cluster node cannot be named '${options.node}'`);
  const logger = options.logger ?? consoleLogger();
  let errors = 0;
  const link = new RedisLink(options.redis, (error) => {
    // node-redis reports every failed reconnect; one line per outage is enough.
    if (errors++ % 50 === 0) logger.warn('Redis connection error', { error: error.message });
  });
  await link.connect();
  const node = new ClusterNode(link, { ...options, logger });
  await node.start();
  return node;
}
