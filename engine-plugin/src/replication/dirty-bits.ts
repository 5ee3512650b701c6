import type { IdList } from './entity-set.js';

/**
 * A set of entity ids as a bitset with a summary level: one bit per id in 32-bit words, and one
 * summary bit per word (so one summary word covers 1,024 ids). Setting a bit is two ORs; draining
 * visits only summary words that are non-zero and, inside them, only words with bits set, so the
 * cost is O(marked ids + capacity / 1,024) and ids come out ascending without a sort.
 */
export class DirtyBits {
  /** Bit `eid & 31` of word `eid >>> 5`. */
  readonly words: Int32Array;
  /** Bit `w & 31` of summary word `w >>> 5` is set when word `w` may be non-zero. */
  readonly summary: Int32Array;
  /** Ids accepted: 0 ..< capacity. */
  readonly capacity: number;
  /** Calls to {@link set} since the last drain or clear (repeats counted): a cheap upper bound of the size. */
  pending = 0;
  /**
   * One past the highest summary word that may be non-zero: {@link any} and {@link drain} stop
   * there, so a tick with a few low ids set costs a few words, not capacity / 1,024 of them.
   * Whoever sets summary bits directly raises it too (see {@link raise}).
   */
  top = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.words = new Int32Array((capacity + 31) >>> 5);
    this.summary = new Int32Array((this.words.length + 31) >>> 5);
  }

  /** Add `eid` (which the caller has range-checked). */
  set(eid: number): void {
    this.pending++;
    const w = eid >>> 5;
    this.words[w] = this.words[w]! | (1 << (eid & 31));
    const s = w >>> 5;
    this.summary[s] = this.summary[s]! | (1 << (w & 31));
    if (s >= this.top) this.top = s + 1;
  }

  /** Note that summary word `s` was set by a caller writing {@link words} and {@link summary} itself. */
  raise(s: number): void {
    if (s >= this.top) this.top = s + 1;
  }

  /** Whether any id is set (a look at the summary words only). */
  any(): boolean {
    const summary = this.summary;
    for (let s = 0, top = this.top; s < top; s++) if (summary[s] !== 0) return true;
    return false;
  }

  has(eid: number): boolean {
    return (this.words[eid >>> 5]! & (1 << (eid & 31))) !== 0;
  }

  /** Append every set id to `into` in ascending order and clear the set. */
  drain(into: IdList): void {
    this.pending = 0;
    const { words, summary, top } = this;
    this.top = 0;
    for (let s = 0; s < top; s++) {
      let sbits = summary[s]!;
      if (sbits === 0) continue;
      summary[s] = 0;
      while (sbits !== 0) {
        const slow = sbits & -sbits;
        sbits ^= slow;
        const w = (s << 5) | (31 - Math.clz32(slow));
        let bits = words[w]!;
        words[w] = 0;
        const base = w << 5;
        while (bits !== 0) {
          const low = bits & -bits;
          bits ^= low;
          into.push(base | (31 - Math.clz32(low)));
        }
      }
    }
  }

  /** Forget every id at once (a plain fill: used when the set is about as large as the range). */
  clear(): void {
    this.words.fill(0);
    this.summary.fill(0);
    this.pending = 0;
    this.top = 0;
  }
}
