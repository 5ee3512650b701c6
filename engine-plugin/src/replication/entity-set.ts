/**
 * A sparse set of entity ids: O(1) add, remove and membership, and a dense list to iterate.
 * The sparse index grows with the largest id seen, so a view of ten entities near id 0 stays
 * small even when the protocol's capacity is 65,536.
 */
export class EntitySet {
  /** Members in no particular order; valid up to {@link EntitySet.size}. */
  dense: Int32Array;
  /** Number of members. */
  size = 0;
  private sparse: Int32Array;

  constructor(initialCapacity = 64) {
    this.dense = new Int32Array(initialCapacity);
    this.sparse = new Int32Array(initialCapacity).fill(-1);
  }

  has(eid: number): boolean {
    return eid < this.sparse.length && this.sparse[eid]! >= 0;
  }

  add(eid: number): void {
    if (eid >= this.sparse.length) this.growSparse(eid + 1);
    if (this.sparse[eid]! >= 0) return;
    if (this.size === this.dense.length) {
      const next = new Int32Array(this.dense.length * 2);
      next.set(this.dense);
      this.dense = next;
    }
    this.sparse[eid] = this.size;
    this.dense[this.size++] = eid;
  }

  /** Swap-remove: the last member takes the removed one's slot, so iterate backwards when removing. */
  remove(eid: number): void {
    if (eid >= this.sparse.length) return;
    const at = this.sparse[eid]!;
    if (at < 0) return;
    const last = this.dense[--this.size]!;
    this.dense[at] = last;
    this.sparse[last] = at;
    this.sparse[eid] = -1;
  }

  clear(): void {
    for (let i = 0; i < this.size; i++) this.sparse[this.dense[i]!] = -1;
    this.size = 0;
  }

  private growSparse(needed: number): void {
    let capacity = this.sparse.length * 2;
    while (capacity < needed) capacity *= 2;
    const next = new Int32Array(capacity).fill(-1);
    next.set(this.sparse);
    this.sparse = next;
  }
}

/** Sort the first `count` ids of `ids` ascending, in place (typed-array sort is numeric). */
export function sortIds(ids: Int32Array, count: number): void {
  if (count > 1) ids.subarray(0, count).sort();
}

/** A reusable growable list of ids, so per-tick lists allocate nothing in the steady state. */
export class IdList {
  items = new Int32Array(64);
  length = 0;

  push(eid: number): void {
    if (this.length === this.items.length) {
      const next = new Int32Array(this.items.length * 2);
      next.set(this.items);
      this.items = next;
    }
    this.items[this.length++] = eid;
  }

  /** Make room for `count` ids in {@link items} (for loops that write it directly). */
  reserve(count: number): void {
    if (count <= this.items.length) return;
    const next = new Int32Array(Math.max(count, this.items.length * 2));
    next.set(this.items.subarray(0, this.length));
    this.items = next;
  }

  sort(): void {
    sortIds(this.items, this.length);
  }
}
