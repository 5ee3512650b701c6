import type { DirtyBits } from './dirty-bits.js';
import type { BlockDiff } from './wasm-block-diff.js';

/**
 * Column-wise change finding: one field's store compared with its shadow as raw 32-bit words,
 * a whole column per call, four words per step (XOR, OR: no NaN cases, no float compares, no
 * per-entity bookkeeping). Only a step whose words differ looks closer, and then only to set the
 * candidate bit of each entity a differing word covers; the exact per-entity compare (with
 * quantisation and no-op filtering) runs afterwards on those candidates alone. The loops touch
 * each byte of the store and the shadow once, so an untouched entity costs a quarter of a step
 * per 4-byte field (a sixteenth per u8).
 */

/** Set the candidate bits `lanes << (first & 31)` (all inside one word of `into`). */
function flag(into: DirtyBits, first: number, lanes: number): void {
  const w = first >>> 5;
  into.words[w] = into.words[w]! | (lanes << (first & 31));
  const s = w >>> 5;
  into.summary[s] = into.summary[s]! | (1 << (w & 31));
  if (s >= into.top) into.top = s + 1;
}

/**
 * Compare words `[0, end)` of `store` and `shadow`, where an entity spans `wordsPerEntity` words
 * (1 for 4-byte fields, 2 for 8-byte ones) or `entitiesPerWord` entities share one word (4 for
 * 1-byte fields, 2 for 2-byte ones); flag every entity whose bits differ. Returns how many
 * entities it flagged when the elements are 4 bytes (else 0).
 */
export function diffWords(store: Int32Array, shadow: Int32Array, end: number, elementSize: number, into: DirtyBits): number {
  const stop = end & ~3;
  let w = 0;
  let flagged = 0;
  for (; w < stop; w += 4) {
    if (((store[w]! ^ shadow[w]!) | (store[w + 1]! ^ shadow[w + 1]!) | (store[w + 2]! ^ shadow[w + 2]!) | (store[w + 3]! ^ shadow[w + 3]!)) === 0) continue;
    for (let k = w; k < w + 4; k++) if (store[k] !== shadow[k]) flagged += flagWord(k, elementSize, into);
  }
  for (; w < end; w++) if (store[w] !== shadow[w]) flagged += flagWord(w, elementSize, into);
  return flagged;
}

/**
 * Compare a quantised float column eight bytes at a time: `store` and `shadow` as Float64Array
 * views of the same bytes as `storeWords`/`shadowWords`, doubles `[0, end)`. A double compare is
 * exact for bit patterns except two cases, and neither matters for a quantised field: a NaN
 * pattern never equals itself (a pair of f32s whose upper one is Inf/NaN is flagged every
 * tick, and the row compare then finds its bits equal to the cache: one wasted compare), and
 * +0 equals -0 (a ±0 flip of one f32 goes unflagged, but both quantise to the same q, so
 * there is nothing to send). Exact fields keep {@link diffWords}. A differing double is
 * resolved by its two words, so only the entities whose bits differ are flagged. `words` counts
 * 32-bit words, as for {@link diffWords}; an odd last word is compared on its own. Returns how
 * many entities it flagged when the elements are 4 bytes (else 0).
 */
export function diffDoubles(
  store: Float64Array,
  shadow: Float64Array,
  words: number,
  storeWords: Int32Array,
  shadowWords: Int32Array,
  elementSize: number,
  into: DirtyBits,
): number {
  const end = Math.min(words >>> 1, store.length, shadow.length);
  const stop = end & ~3;
  let d = 0;
  let flagged = 0;
  for (; d < stop; d += 4) {
    if (store[d] === shadow[d] && store[d + 1] === shadow[d + 1] && store[d + 2] === shadow[d + 2] && store[d + 3] === shadow[d + 3]) continue;
    for (let k = d; k < d + 4; k++) if (store[k] !== shadow[k]) flagged += flagDouble(k, storeWords, shadowWords, elementSize, into);
  }
  for (; d < end; d++) if (store[d] !== shadow[d]) flagged += flagDouble(d, storeWords, shadowWords, elementSize, into);
  for (let w = 2 * end; w < words; w++) if (storeWords[w] !== shadowWords[w]) flagged += flagWord(w, elementSize, into);
  return flagged;
}

/** Flag the entities double `d` covers whose bits differ (both words of an f64, or each f32); returns how many f32s it flagged (0 for an f64). */
function flagDouble(d: number, storeWords: Int32Array, shadowWords: Int32Array, elementSize: number, into: DirtyBits): number {
  const w = 2 * d;
  if (elementSize === 8) {
    if (storeWords[w] !== shadowWords[w] || storeWords[w + 1] !== shadowWords[w + 1]) flag(into, d, 1);
    return 0;
  }
  let flagged = 0;
  if (storeWords[w] !== shadowWords[w]) {
    flag(into, w, 1);
    flagged++;
  }
  if (storeWords[w + 1] !== shadowWords[w + 1]) {
    flag(into, w + 1, 1);
    flagged++;
  }
  return flagged;
}

/**
 * Compare words `[0, words)` of a column with its shadow in place, through the SIMD kernel (see
 * wasm-block-diff.ts): `base` is the column's byte offset in the memory the kernel is bound to,
 * its shadow sits `twinOffset` bytes further, and the kernel lists differing 16-byte blocks in
 * `blocks` (at byte `scratch` of the memory). Each listed block is resolved word by word against
 * `store`/`shadow` (Int32 views of the same bytes), so only entities whose bits differ are flagged;
 * the last words short of a 64-byte step are compared here. Returns how many entities it
 * flagged when the elements are 4 bytes (else 0): each word is then one entity, flagged once.
 */
export function diffInPlace(
  kernel: BlockDiff,
  base: number,
  twinOffset: number,
  scratch: number,
  blocks: Int32Array,
  store: Int32Array,
  shadow: Int32Array,
  words: number,
  elementSize: number,
  into: DirtyBits,
): number {
  const fast = (words << 2) & ~63;
  const most = blocks.length;
  let from = 0;
  let flagged = 0;
  while (from < fast) {
    const found = kernel(base, base + twinOffset, from, fast, scratch, most);
    for (let k = 0; k < found; k++) {
      const b = blocks[k]!;
      // A restarted scan may look past `fast`: those words are the tail's below.
      if (b >= fast) break;
      for (let w = b >>> 2, stop = w + 4; w < stop; w++) if (store[w] !== shadow[w]) flagged += flagWord(w, elementSize, into);
    }
    if (found < most) break;
    from = blocks[found - 1]! + 16;
  }
  for (let w = fast >>> 2; w < words; w++) if (store[w] !== shadow[w]) flagged += flagWord(w, elementSize, into);
  return flagged;
}

/**
 * Flag the entities word `w` of a column with `elementSize`-byte elements covers. Returns 1 for
 * a 4-byte element (the one entity the word is), else 0: only 4-byte columns are counted (see
 * {@link diffInPlace}'s result), where a word and an entity are the same thing.
 */
function flagWord(w: number, elementSize: number, into: DirtyBits): number {
  if (elementSize === 4) {
    flag(into, w, 1);
    return 1;
  }
  if (elementSize === 8) flag(into, w >>> 1, 1);
  else if (elementSize === 1) flag(into, w << 2, 0xf);
  else flag(into, w << 1, 0x3);
  return 0;
}

/** Element by element, for a column whose bytes cannot be viewed as words (an odd capacity of a 1- or 2-byte field). */
export function diffElements(store: ArrayLike<number>, shadow: ArrayLike<number>, from: number, to: number, into: DirtyBits): number {
  let flagged = 0;
  for (let e = from; e < to; e++)
    if (store[e] !== shadow[e]) {
      flag(into, e, 1);
      flagged++;
    }
  return flagged;
}

/** String columns: element by element over `[from, to)` (a string compare cannot be batched). */
export function diffStrings(store: readonly string[], shadow: readonly string[], from: number, to: number, into: DirtyBits): void {
  for (let e = from; e < to; e++) if (store[e] !== shadow[e]) flag(into, e, 1);
}

/** A Float64Array over an Int32Array's whole pairs of words (`undefined` when its start is not 8-byte aligned). */
export function doubleView(a: Int32Array): Float64Array | undefined {
  if (a.byteOffset % 8 !== 0) return undefined;
  return new Float64Array(a.buffer, a.byteOffset, a.length >>> 1);
}

/** An Int32Array over a typed array's whole 32-bit words (`undefined` when its start is not word-aligned). */
export function wordView(a: ArrayBufferView): Int32Array | undefined {
  if (a.byteOffset % 4 !== 0) return undefined;
  return new Int32Array(a.buffer, a.byteOffset, a.byteLength >>> 2);
}
