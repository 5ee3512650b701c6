const EMPTY: readonly never[] = Object.freeze([]);

/**
 * Per-tick message buffers keyed by message type: filled by `receive`, read by game systems,
 * cleared at the next `receive` — each message is visible for exactly one tick.
 */
export class TickBuffers<K, V> {
  private readonly buffers = new Map<K, V[]>();
  /** The lists holding something: `clear` empties those rather than walk every type ever seen, every tick. */
  private readonly filled: V[][] = [];

  push(key: K, value: V): void {
    let list = this.buffers.get(key);
    if (!list) {
      list = [];
      this.buffers.set(key, list);
    }
    if (list.length === 0) this.filled.push(list);
    list.push(value);
  }

  get(key: K): readonly V[] {
    return this.buffers.get(key) ?? EMPTY;
  }

  clear(): void {
    const filled = this.filled;
    if (filled.length === 0) return;
    for (let i = 0; i < filled.length; i++) filled[i]!.length = 0;
    filled.length = 0;
  }
}
