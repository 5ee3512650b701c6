import type { PresenceMetadata } from '../messaging/presence.js';
import { TopicSubscriptions, topicMatches } from '../messaging/topics.js';

/**
 * What this node knows of the others, kept from the event stream: which nodes hold a session of
 * each identity (for direct messages) and which topic patterns each node's subscribers hold (so a
 * publication goes only to nodes with a match). Wildcards are matched here, in Node, with the
 * same index local subscriptions use — never by Redis pattern subscriptions.
 */
export class ClusterView {
  private readonly identityNodes = new Map<string, Set<string>>();
  private readonly metadata = new Map<string, PresenceMetadata>();
  private readonly nodeIdentities = new Map<string, Set<string>>();
  private readonly patterns = new TopicSubscriptions<string>(Number.POSITIVE_INFINITY);
  private readonly counts = new Map<string, Map<string, number>>();
  /**
   * {@link subscribersOf} per topic since the last interest change: a busy tick publishes on the
   * same few topics hundreds of times, and each answer walked the pattern index and every matching
   * node's patterns again (≈ 0.6 µs warm, ten times a cache hit). Emptied by any interest change
   * and when it reaches {@link MEMO_TOPICS} topics (per-user topics must not grow it unbounded).
   */
  private readonly memo = new Map<string, ReadonlyMap<string, number>>();

  /** Record that `node` holds (or no longer holds) a session of `identity`; true when that changed. */
  presence(node: string, identity: string, present: boolean, metadata?: PresenceMetadata): boolean {
    let nodes = this.identityNodes.get(identity);
    const slot = `${node}\n${identity}`;
    if (present && metadata) this.metadata.set(slot, metadata);
    else this.metadata.delete(slot);
    if (present) {
      if (!nodes) {
        nodes = new Set();
        this.identityNodes.set(identity, nodes);
      }
      if (nodes.has(node)) return false;
      nodes.add(node);
      let own = this.nodeIdentities.get(node);
      if (!own) {
        own = new Set();
        this.nodeIdentities.set(node, own);
      }
      own.add(identity);
      return true;
    }
    if (!nodes?.delete(node)) return false;
    if (nodes.size === 0) this.identityNodes.delete(identity);
    const own = this.nodeIdentities.get(node);
    own?.delete(identity);
    if (own?.size === 0) this.nodeIdentities.delete(node);
    return true;
  }

  /** Other nodes holding a session of `identity` as last heard (empty: none known). */
  nodesOf(identity: string): ReadonlySet<string> {
    return this.identityNodes.get(identity) ?? EMPTY;
  }

  /** The metadata `node` last announced for `identity`. */
  metadataOf(node: string, identity: string): PresenceMetadata | undefined {
    return this.metadata.get(`${node}\n${identity}`);
  }

  /** The identities `node` is known to hold. */
  identitiesOf(node: string): readonly string[] {
    return [...(this.nodeIdentities.get(node) ?? [])];
  }

  /** A node's subscriber count of a pattern (0: none any more). */
  interest(node: string, pattern: string, subscribers: number): void {
    this.memo.clear();
    let own = this.counts.get(node);
    if (subscribers > 0) {
      if (!own) {
        own = new Map();
        this.counts.set(node, own);
      }
      own.set(pattern, subscribers);
      this.patterns.subscribe(node, pattern);
    } else {
      own?.delete(pattern);
      if (own?.size === 0) this.counts.delete(node);
      this.patterns.unsubscribe(node, pattern);
    }
  }

  /** Nodes with a subscriber of `topic`, each with how many subscriptions match (known at send time). */
  subscribersOf(topic: string): ReadonlyMap<string, number> {
    const known = this.memo.get(topic);
    if (known) return known;
    if (this.memo.size >= MEMO_TOPICS) this.memo.clear();
    const out = new Map<string, number>();
    for (const node of this.patterns.subscribers(topic)) {
      let count = 0;
      for (const [pattern, subscribers] of this.counts.get(node) ?? []) if (topicMatches(pattern, topic)) count += subscribers;
      out.set(node, count);
    }
    this.memo.set(topic, out);
    return out;
  }

  /** Forget a node (it left or was reaped); returns the identities it was known to hold. */
  forget(node: string): string[] {
    const identities = [...this.identitiesOf(node)];
    for (const identity of identities) this.presence(node, identity, false);
    for (const pattern of [...(this.counts.get(node)?.keys() ?? [])]) this.interest(node, pattern, 0);
    return identities;
  }

  /** Every node known to hold an identity or interest. */
  knownNodes(): string[] {
    return [...new Set([...this.nodeIdentities.keys(), ...this.counts.keys()])];
  }
}

const EMPTY: ReadonlySet<string> = new Set();
/** Topics {@link ClusterView.subscribersOf} remembers at most between interest changes. */
const MEMO_TOPICS = 4096;
