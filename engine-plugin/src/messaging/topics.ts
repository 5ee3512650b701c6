/**
 * Topic names and subscriptions (seed 003's Subscribe/Unsubscribe/Broadcast). A topic is a
 * dot-separated name of non-empty segments (`chat.general`). A pattern may use `*` for exactly one
 * segment (`chat.*` matches `chat.general`, not `chat` nor `chat.a.b`) and, as its last segment
 * only, `**` for one or more (`chat.**` matches both).
 */

/** Why a topic or pattern is malformed, or undefined when it is fine. */
export function topicProblem(text: string, pattern: boolean): string | undefined {
  if (text.length === 0) return 'a topic cannot be empty';
  const segments = text.split('.');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === '') return `topic ${text} has an empty segment`;
    if (!segment.includes('*')) continue;
    if (!pattern) return `topic ${text}: wildcards belong in subscriptions, not in a published topic`;
    if (segment === '*') continue;
    if (segment === '**' && i === segments.length - 1) continue;
    return `pattern ${text}: * must be a whole segment, and ** the last one`;
  }
  return undefined;
}

function matches(pattern: readonly string[], topic: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const segment = pattern[i]!;
    if (segment === '**') return topic.length > i;
    if (i >= topic.length) return false;
    if (segment !== '*' && segment !== topic[i]) return false;
  }
  return pattern.length === topic.length;
}

/** Whether a (well-formed) pattern matches a (well-formed) topic. */
export function topicMatches(pattern: string, topic: string): boolean {
  return matches(pattern.split('.'), topic.split('.'));
}

/** What happened to one subscribe. */
export type SubscribeOutcome = 'added' | 'present' | 'limit';

interface WildcardEntry<C> {
  readonly segments: readonly string[];
  readonly members: Set<C>;
}

/**
 * Who is subscribed to what. Exact names are found by one lookup; wildcard patterns are kept once
 * each, however many subscribers share them, and tested per publication. Each subscriber holds at
 * most `limit` patterns, so the whole index is bounded by connections × limit.
 */
export class TopicSubscriptions<C> {
  private readonly bySubscriber = new Map<C, Set<string>>();
  private readonly exact = new Map<string, Set<C>>();
  private readonly wildcard = new Map<string, WildcardEntry<C>>();

  constructor(private readonly limit: number) {}

  /** How many patterns a subscriber holds. */
  count(subscriber: C): number {
    return this.bySubscriber.get(subscriber)?.size ?? 0;
  }

  /** Subscribe to a well-formed pattern (check it with {@link topicProblem} first). */
  subscribe(subscriber: C, pattern: string): SubscribeOutcome {
    let own = this.bySubscriber.get(subscriber);
    if (own?.has(pattern)) return 'present';
    if ((own?.size ?? 0) >= this.limit) return 'limit';
    if (!own) {
      own = new Set();
      this.bySubscriber.set(subscriber, own);
    }
    own.add(pattern);
    if (pattern.includes('*')) {
      let entry = this.wildcard.get(pattern);
      if (!entry) {
        entry = { segments: pattern.split('.'), members: new Set() };
        this.wildcard.set(pattern, entry);
      }
      entry.members.add(subscriber);
    } else {
      let members = this.exact.get(pattern);
      if (!members) {
        members = new Set();
        this.exact.set(pattern, members);
      }
      members.add(subscriber);
    }
    return 'added';
  }

  /** Drop one subscription; false when it was not held. */
  unsubscribe(subscriber: C, pattern: string): boolean {
    const own = this.bySubscriber.get(subscriber);
    if (!own?.delete(pattern)) return false;
    if (own.size === 0) this.bySubscriber.delete(subscriber);
    if (pattern.includes('*')) {
      const entry = this.wildcard.get(pattern)!;
      entry.members.delete(subscriber);
      if (entry.members.size === 0) this.wildcard.delete(pattern);
    } else {
      const members = this.exact.get(pattern)!;
      members.delete(subscriber);
      if (members.size === 0) this.exact.delete(pattern);
    }
    return true;
  }

  /** Forget every subscription of a subscriber (it disconnected); returns the patterns it held. */
  removeAll(subscriber: C): readonly string[] {
    const own = this.bySubscriber.get(subscriber);
    if (!own) return [];
    const patterns = [...own];
    for (const pattern of patterns) this.unsubscribe(subscriber, pattern);
    return patterns;
  }

  /** How many subscribers hold exactly this pattern. */
  holders(pattern: string): number {
    return (pattern.includes('*') ? this.wildcard.get(pattern)?.members.size : this.exact.get(pattern)?.size) ?? 0;
  }

  /** Everyone subscribed to a topic through any pattern, each once. */
  subscribers(topic: string): Set<C> {
    const out = new Set<C>(this.exact.get(topic));
    if (this.wildcard.size === 0) return out;
    const segments = topic.split('.');
    for (const entry of this.wildcard.values()) {
      if (matches(entry.segments, segments)) for (const member of entry.members) out.add(member);
    }
    return out;
  }
}
