import type { Logger } from '../connection/logger.js';
import type { ClusterStats } from './cluster-stats.js';
import type { ClusterKeys } from './cluster-keys.js';
import { CLAIM, LEAVE, REAP_FINISH, REAP_MEMBERS, REGISTER, RENEW } from './lease-scripts.js';
import type { RedisLink } from './redis-link.js';
import { UNLIST_NODE_ROOMS } from './room-directory-scripts.js';

/** Timing of leases. */
export interface LeaseTiming {
  /** Lease TTL: a node silent this long is dead. Default 3000. */
  readonly leaseMs: number;
  /** How often the lease is renewed (and expired leases looked for). Default a sixth of the lease. */
  readonly renewMs: number;
  /** How long a reaper's claim holds before another node may take the reap over. Default 5000. */
  readonly claimMs: number;
  /** How long state events stay in the event stream. Default 5000. */
  readonly eventsKeepMs: number;
  /** Approximate cap of the event stream. */
  readonly maxEvents: number;
}

/** Thrown when a node cannot join: its name is held by a live lease. */
export class NodeNameTaken extends Error {
  constructor(node: string) {
    super(`cluster node name ${node} is held by a live lease`);
    this.name = 'NodeNameTaken';
  }
}

const REAP_CHUNK = 500;

/**
 * This node's lease and epoch, and the reaping of others'. Renewal is fenced: when Redis no longer
 * has this node's epoch (it stalled past its lease, or was reaped), the node is fenced — every
 * write it makes is refused — until it registers again under a new epoch and re-asserts its state
 * (`onEpoch`). Each renewal also claims the earliest expired lease of another node, if any, and
 * reaps it: exactly one node wins the claim (the script runs atomically).
 */
export class NodeLease {
  /** The epoch this node holds (0 while fenced). */
  epoch = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private renewing = false;
  private lastRenewed = 0;
  private stopped = false;
  /** The newest inbox id this node has read (its inbox is trimmed up to it). */
  inboxReadId = '';

  constructor(
    private readonly link: RedisLink,
    private readonly keys: ClusterKeys,
    readonly node: string,
    private readonly address: string,
    private readonly timing: LeaseTiming,
    private readonly stats: ClusterStats,
    private readonly logger: Logger,
    /** A new epoch was taken (at join and after each lost lease): re-assert everything under it. */
    private readonly onEpoch: (epoch: number, first: boolean) => Promise<void>,
    /** Another node was reaped by this one (its rooms may need more than the lease scripts do). */
    private readonly onReaped: (node: string) => Promise<void>,
  ) {}

  /**
   * Register (reaping this name's leftovers first when its old lease lapsed), then renew every
   * `renewMs`, and at once each time the command connection is back: whatever cut it (a killed
   * connection, a Redis pause or restart) also aged the lease, and the first command on the new
   * connection should be the one that extends it — before the inbox backlog is read and handled.
   */
  async start(): Promise<void> {
    await this.register(true);
    this.timer = setInterval(() => void this.renew(), this.timing.renewMs);
    this.timer.unref?.();
    this.link.commands.on('ready', this.reconnected);
  }

  private readonly reconnected = (): void => void this.renew();

  /** Whether this node may write: it holds an epoch renewed within the lease. */
  get live(): boolean {
    return this.epoch > 0 && performance.now() - this.lastRenewed < this.timing.leaseMs;
  }

  private async register(first: boolean): Promise<void> {
    const { leaseMs, maxEvents, claimMs } = this.timing;
    for (let attempt = 0; !this.stopped; attempt++) {
      const [epoch, why] = await this.link.script<[number, string]>(REGISTER, [this.keys.prefix, this.node, this.address, leaseMs, maxEvents]);
      if (epoch > 0) {
        this.epoch = epoch;
        this.lastRenewed = performance.now();
        await this.onEpoch(epoch, first);
        return;
      }
      if (why === 'held') throw new NodeNameTaken(this.node);
      if (why === 'lapsed' && (await this.link.script<number>(CLAIM, [this.keys.prefix, this.node, this.node, claimMs])) === 1) {
        await this.reap(this.node);
        continue;
      }
      // Another node is reaping this name: it takes a few round trips.
      await new Promise((resolve) => setTimeout(resolve, Math.min(50 * (attempt + 1), 250)));
    }
  }

  private async renew(): Promise<void> {
    if (this.renewing || this.stopped) return;
    this.renewing = true;
    let failed = false;
    try {
      if (this.epoch === 0) {
        await this.register(false);
        return;
      }
      const { leaseMs, claimMs, eventsKeepMs } = this.timing;
      const reply = await this.link.script<[number, string | null, number]>(RENEW, [this.keys.prefix, this.node, this.epoch, leaseMs, this.inboxReadId, claimMs, eventsKeepMs]);
      if (reply[0] === 0) {
        this.lost();
        await this.register(false);
        return;
      }
      this.lastRenewed = performance.now();
      if (reply[1]) {
        await this.reap(reply[1]);
        await this.onReaped(reply[1]);
      }
    } catch (error) {
      this.logger.warn('cluster lease renewal failed', { node: this.node, error: String(error) });
      failed = true;
    } finally {
      this.renewing = false;
    }
    // A renewal lost with a dropped connection is tried again at once, not a period later: waiting
    // would spend a third of the lease, and a Redis pause on top could then let it lapse.
    if (failed && !this.stopped) setTimeout(() => void this.renew(), 50).unref?.();
  }

  /** A write was refused as fenced: the lease is gone; renew at once rather than at the next second. */
  fenced(): void {
    if (this.epoch === 0) return;
    this.lost();
    void this.renew();
  }

  private lost(): void {
    this.logger.warn('cluster lease lost; taking a new epoch', { node: this.node, epoch: this.epoch });
    this.stats.leasesLost++;
    this.epoch = 0;
  }

  private async reap(dead: string): Promise<void> {
    const { maxEvents } = this.timing;
    let reaped: number;
    do reaped = await this.link.script<number>(REAP_MEMBERS, [this.keys.prefix, dead, this.node, REAP_CHUNK, maxEvents]);
    while (reaped > 0);
    if (reaped < 0) return;
    // Its rooms go before the claim is released: no listing of a dead node outlives the reap.
    if (!(await this.unlistRooms(dead, this.node))) return;
    if ((await this.link.script<number>(REAP_FINISH, [this.keys.prefix, dead, this.node, maxEvents])) === 1 && dead !== this.node) {
      this.stats.reaps++;
      this.logger.info('cluster node reaped', { node: dead, by: this.node });
    }
  }

  /** Unlist a node's rooms in chunks (claimer '' for this node's own); false when the reap claim is not the claimer's. */
  private async unlistRooms(node: string, claimer: string): Promise<boolean> {
    let removed: number;
    do removed = await this.link.script<number>(UNLIST_NODE_ROOMS, [this.keys.prefix, node, claimer, REAP_CHUNK]);
    while (removed > 0);
    return removed === 0;
  }

  /** Leave for good: this node's identities go offline, everything naming it is deleted. */
  async leave(): Promise<void> {
    this.stop();
    await this.unlistRooms(this.node, '');
    if (this.epoch > 0) await this.link.script(LEAVE, [this.keys.prefix, this.node, this.epoch, this.timing.maxEvents]);
    this.epoch = 0;
  }

  /** Stop renewing without leaving (the node is going away abruptly, as in a crash test). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.link.commands.off('ready', this.reconnected);
  }
}
