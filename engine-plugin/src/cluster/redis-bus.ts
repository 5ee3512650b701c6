import { randomBytes } from 'node:crypto';
import { decode, encode } from '@msgpack/msgpack';
import type { Logger } from '../connection/logger.js';
import { type BusDelivery, BusUnavailable, type CarriedMessage, type LocalPresence, type MessagingBus } from '../messaging/bus.js';
import type { PresenceMetadata } from '../messaging/presence.js';
import type { ClusterKeys } from './cluster-keys.js';
import type { ClusterStats } from './cluster-stats.js';
import { ClusterView } from './cluster-view.js';
import { FLUSH } from './delivery-scripts.js';
import { BatchFull, type BatchItem, BatchWriter, decodeBatch } from './node-batch.js';
import type { NodeLease } from './node-lease.js';
import type { RedisLink } from './redis-link.js';
import type { StreamEntry } from './stream-reader.js';

/** Limits of the Redis bus. */
export interface RedisBusLimits {
  /** Bytes queued for one target node before sends to it fail with 503 (until the next flush). */
  readonly maxBatchBytes: number;
  /** Approximate cap of each inbox stream (entries). */
  readonly maxInbox: number;
  /** Approximate cap of the event stream (entries). */
  readonly maxEvents: number;
  /** A Redis connection down this long makes cross-node sends fail at once instead of waiting. */
  readonly unavailableAfterMs: number;
  /** How long a flush that failed on a dropped connection is retried before its batches count as lost. */
  readonly retryForMs: number;
}

interface Attempt {
  readonly epoch: number;
  readonly args: Array<string | number | Uint8Array>;
  /** Items per target in this attempt, to count what is lost. */
  readonly items: ReadonlyMap<string, number>;
  readonly since: number;
}

interface Waiting {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * {@link MessagingBus} over Redis. Per tick it makes one script call that applies this node's
 * presence and interest changes and appends one batch to each target node's inbox stream; it
 * reads its own inbox and the cluster's event stream with one blocking XREAD. What it knows of
 * other nodes (identities, topic patterns) lives in a {@link ClusterView} kept from those events.
 */
export class RedisBus implements MessagingBus {
  readonly view = new ClusterView();
  private delivery: BusDelivery | undefined;
  /** One batch under construction per target node; `pending` names those with items. */
  private readonly writers = new Map<string, BatchWriter>();
  private readonly pending = new Set<string>();
  private presenceChanges = new Map<string, LocalPresence>();
  private interestChanges = new Map<string, number>();
  /** This node's whole state, re-asserted under each new epoch. */
  private readonly localPresence = new Map<string, PresenceMetadata | undefined>();
  private readonly localInterest = new Map<string, number>();
  /** This bus instance among all that ever sent: receivers number batches per (sender, run). */
  private readonly run = randomBytes(6).toString('hex');
  /** The last sequence number sent to each target. */
  private readonly seqs = new Map<string, number>();
  private attempt: Attempt | undefined;
  private readonly received = new Map<string, { run: string; seq: number }>();
  private readonly handlers = new Map<string, (data: unknown, from: string) => unknown | Promise<unknown>>();
  private readonly waiting = new Map<number, Waiting>();
  private nextRid = 1;
  private closed = false;

  constructor(
    readonly node: string,
    private readonly link: RedisLink,
    private readonly keys: ClusterKeys,
    private readonly lease: NodeLease,
    private readonly stats: ClusterStats,
    private readonly limits: RedisBusLimits,
    private readonly logger: Logger,
  ) {}

  /** The sink gets what is already known of other nodes' identities, then every change. */
  attach(delivery: BusDelivery): void {
    this.delivery = delivery;
    for (const node of this.view.knownNodes()) {
      for (const identity of this.view.identitiesOf(node)) {
        const metadata = this.view.metadataOf(node, identity);
        delivery.presence(node, metadata ? { identity, present: true, metadata } : { identity, present: true });
      }
    }
  }

  private sendable(): void {
    if (this.closed) throw new BusUnavailable('the cluster bus is closed');
    if (!this.lease.live) throw new BusUnavailable(`node ${this.node} holds no live lease (fenced until it re-registers)`);
    if (this.link.downLongerThan(this.limits.unavailableAfterMs)) throw new BusUnavailable('Redis is unreachable');
  }

  private queue(target: string, item: BatchItem): void {
    let writer = this.writers.get(target);
    if (!writer) {
      writer = new BatchWriter(this.limits.maxBatchBytes);
      this.writers.set(target, writer);
    }
    try {
      writer.add(item);
    } catch (error) {
      if (error instanceof BatchFull) throw new BusUnavailable(`the batch for node ${target} is full this tick`);
      throw error;
    }
    this.pending.add(target);
  }

  direct(identity: string, message: CarriedMessage): number | Promise<number> {
    this.sendable();
    const known = this.view.nodesOf(identity);
    if (known.size > 0) {
      for (const node of known) this.queue(node, { kind: 'direct', identity, message });
      this.stats.messagesSent += known.size;
      return known.size;
    }
    // Not in the mirror: ask Redis before answering "offline" (the mirror may be a tick behind).
    return this.link.command<string[]>(['HKEYS', this.keys.presence(identity)]).then(
      (nodes) => {
        let reached = 0;
        for (const node of nodes) {
          if (node === this.node) continue;
          this.queue(node, { kind: 'direct', identity, message });
          reached++;
        }
        this.stats.messagesSent += reached;
        return reached;
      },
      (error: unknown) => {
        throw new BusUnavailable(`Redis: ${String(error)}`);
      },
    );
  }

  publish(topic: string, message: CarriedMessage): number {
    this.sendable();
    let recipients = 0;
    for (const [node, count] of this.view.subscribersOf(topic)) {
      if (node === this.node) continue;
      this.queue(node, { kind: 'publish', topic, message });
      this.stats.messagesSent++;
      recipients += count;
    }
    return recipients;
  }

  interest(pattern: string, subscribers: number): void {
    if (subscribers > 0) this.localInterest.set(pattern, subscribers);
    else this.localInterest.delete(pattern);
    this.interestChanges.set(pattern, subscribers);
  }

  presence(change: LocalPresence): void {
    if (change.present) this.localPresence.set(change.identity, change.metadata);
    else this.localPresence.delete(change.identity);
    this.presenceChanges.set(change.identity, change);
  }

  request(node: string, method: string, data: unknown, timeoutMs: number): Promise<unknown> {
    if (node === this.node) {
      const handler = this.handlers.get(method);
      if (!handler) return Promise.reject(new BusUnavailable(`no handler for ${method}`));
      return Promise.resolve().then(() => handler(data, this.node));
    }
    try {
      this.sendable();
      const rid = this.nextRid++;
      this.queue(node, { kind: 'request', rid, method, data: encode(data) });
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          this.waiting.delete(rid);
          reject(new BusUnavailable(`node ${node} did not answer ${method} within ${timeoutMs} ms`));
        }, timeoutMs);
        this.waiting.set(rid, { resolve, reject, timer });
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  serve(method: string, handler: (data: unknown, from: string) => unknown | Promise<unknown>): void {
    if (this.handlers.has(method)) throw new TypeError(`a handler for ${method} is already registered`);
    this.handlers.set(method, handler);
  }

  /** A new epoch: everything this node holds is written again under it (batch numbering carries on). */
  reassert(): void {
    this.presenceChanges = new Map([...this.localPresence].map(([identity, metadata]) => [identity, withMetadata(identity, metadata)]));
    this.interestChanges = new Map(this.localInterest);
    this.flush();
  }

  flush(): void {
    if (this.closed || this.attempt || this.lease.epoch === 0) return;
    if (this.pending.size === 0 && this.presenceChanges.size === 0 && this.interestChanges.size === 0) return;
    const epoch = this.lease.epoch;
    const presence = this.presenceChanges.size
      ? JSON.stringify([...this.presenceChanges.values()].map((c) => [c.identity, c.present ? 1 : 0, c.present && c.metadata ? JSON.stringify(c.metadata) : '']))
      : '';
    const interest = this.interestChanges.size ? JSON.stringify([...this.interestChanges]) : '';
    this.presenceChanges = new Map();
    this.interestChanges = new Map();
    const args: Array<string | number | Uint8Array> = [this.keys.prefix, this.node, epoch, presence, interest, this.limits.maxInbox, this.limits.maxEvents];
    const items = new Map<string, number>();
    for (const target of this.pending) {
      const writer = this.writers.get(target)!;
      const seq = (this.seqs.get(target) ?? 0) + 1;
      this.seqs.set(target, seq);
      items.set(target, writer.items);
      const batch = writer.finish(this.run, seq);
      this.stats.batchBytes(batch.byteLength);
      args.push(target, batch);
    }
    this.pending.clear();
    this.attempt = { epoch, args, items, since: performance.now() };
    void this.send();
  }

  private async send(): Promise<void> {
    const attempt = this.attempt!;
    try {
      const reply = await this.link.script<Array<number | string>>(FLUSH, attempt.args);
      this.attempt = undefined;
      if (reply[0] === -1) {
        this.stats.fencedWrites++;
        this.lost(attempt, [...attempt.items.keys()], 'this node was fenced');
        this.lease.fenced();
      } else {
        const unreachable = reply.slice(1).map(String);
        // A node without a lease is gone (one that comes back starts a new batch anyway): its buffer
        // goes — unless more was queued for it behind this flush, which the next flush sends (and
        // counts lost if the node is still gone). Dropping a pending writer made that flush throw.
        for (const target of unreachable) if (!this.pending.has(target)) this.writers.delete(target);
        this.stats.batchesSent += attempt.items.size - unreachable.length;
        this.lost(attempt, unreachable, 'the target holds no live lease');
      }
    } catch (error) {
      if (this.closed) return;
      if (performance.now() - attempt.since < this.limits.retryForMs) {
        // The reply was lost with the connection: the same batches (same numbers) go again; a
        // receiver that got them the first time drops the copy.
        await new Promise((resolve) => setTimeout(resolve, 25));
        return this.send();
      }
      this.attempt = undefined;
      this.lost(attempt, [...attempt.items.keys()], `Redis did not take them in time (${String(error)})`);
    }
    // What queued meanwhile goes at once rather than at the next tick.
    this.flush();
  }

  /** Batches of `attempt` for `targets` never reached them: counted, and logged once per flush. */
  private lost(attempt: Attempt, targets: readonly string[], why: string): void {
    if (targets.length === 0) return;
    let messages = 0;
    for (const target of targets) messages += attempt.items.get(target) ?? 0;
    this.stats.batchesLost += targets.length;
    this.stats.messagesLost += messages;
    this.logger.error('cluster batches lost', { batches: targets.length, messages, targets: targets.join(','), why });
  }

  /** An inbox entry: one batch from another node. */
  receiveBatch(entry: StreamEntry): void {
    const from = entry.fields.get('f')?.toString();
    const bytes = entry.fields.get('b');
    if (!from || !bytes) return;
    this.stats.inboxLag(Date.now() - Number(entry.id.slice(0, entry.id.indexOf('-'))));
    const { run, seq, items } = decodeBatch(bytes);
    const last = this.received.get(from);
    // A sender's first batch says nothing of earlier ones: they went to an earlier run of this node.
    if (last && last.run === run) {
      if (seq <= last.seq) {
        this.stats.duplicateBatches++;
        return;
      }
      if (seq > last.seq + 1) {
        this.stats.missedBatches += seq - last.seq - 1;
        this.logger.error('cluster batches missed: numbered by the sender, never in this inbox', { from, batches: seq - last.seq - 1 });
      }
    }
    this.received.set(from, { run, seq });
    this.stats.batchesReceived++;
    for (const item of items) this.deliver(from, item);
  }

  private deliver(from: string, item: BatchItem): void {
    const delivery = this.delivery;
    switch (item.kind) {
      case 'direct':
        this.stats.messagesReceived++;
        delivery?.direct(item.identity, item.message);
        break;
      case 'publish':
        this.stats.messagesReceived++;
        delivery?.publish(item.topic, item.message);
        break;
      case 'request':
        void this.answer(from, item.rid, item.method, item.data);
        break;
      case 'reply': {
        const waiting = this.waiting.get(item.rid);
        if (!waiting) break;
        this.waiting.delete(item.rid);
        clearTimeout(waiting.timer);
        if (item.ok) waiting.resolve(decode(item.data));
        else waiting.reject(new BusUnavailable(item.error));
        break;
      }
    }
  }

  private async answer(from: string, rid: number, method: string, data: Uint8Array): Promise<void> {
    const handler = this.handlers.get(method);
    let reply: BatchItem;
    try {
      if (!handler) throw new Error(`no handler for ${method} on node ${this.node}`);
      reply = { kind: 'reply', rid, ok: true, data: encode(await handler(decode(data), from)) };
    } catch (error) {
      reply = { kind: 'reply', rid, ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    try {
      this.queue(from, reply);
      this.flush();
    } catch (error) {
      this.logger.warn('cluster reply could not be queued', { to: from, method, error: String(error) });
    }
  }

  /** An event-stream entry: another node's presence or interest changed, or a node came or went. */
  receiveEvent(entry: StreamEntry): void {
    const node = entry.fields.get('n')?.toString();
    const kind = entry.fields.get('k')?.toString();
    if (!node || node === this.node) return;
    if (kind === 'g') {
      for (const identity of this.view.forget(node)) this.delivery?.presence(node, { identity, present: false });
      return;
    }
    if (kind !== 's') return;
    const presence = entry.fields.get('p')?.toString();
    if (presence) this.applyPresence(node, JSON.parse(presence) as Array<[string, number, string, number]>);
    const interest = entry.fields.get('i')?.toString();
    if (interest) for (const [pattern, count] of JSON.parse(interest) as Array<[string, number]>) this.view.interest(node, pattern, count);
  }

  /** Presence changes of `node` (from its events or the join snapshot) into the view and messaging. */
  applyPresence(node: string, changes: ReadonlyArray<readonly [string, number, string, number?]>): void {
    for (const [identity, present, metadata] of changes) {
      const parsed = present === 1 && metadata ? (JSON.parse(metadata) as PresenceMetadata) : undefined;
      const changed = this.view.presence(node, identity, present === 1, parsed);
      // A metadata change of a known identity is news too; a repeated absence is not.
      if (!changed && present !== 1) continue;
      this.delivery?.presence(node, parsed ? { identity, present: present === 1, metadata: parsed } : { identity, present: present === 1 });
    }
  }

  /** Stop sending and answering; pending requests fail. */
  shut(): void {
    this.closed = true;
    for (const [rid, waiting] of this.waiting) {
      clearTimeout(waiting.timer);
      waiting.reject(new BusUnavailable('the cluster bus closed'));
      this.waiting.delete(rid);
    }
  }

  /** Whether a flush is still on its way to Redis. */
  get flushing(): boolean {
    return this.attempt !== undefined;
  }

  close(): Promise<void> {
    return this.onClose();
  }

  /** Set by the cluster node: leaving the cluster when the server closes its bus. */
  onClose: () => Promise<void> = async () => this.shut();
}

function withMetadata(identity: string, metadata: PresenceMetadata | undefined): LocalPresence {
  return metadata ? { identity, present: true, metadata } : { identity, present: true };
}
