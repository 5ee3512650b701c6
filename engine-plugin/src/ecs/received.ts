import type { Connection } from '../connection/connection';

/** One message as a server system reads it: who sent it, and the validated payload. */
export interface Received<T> {
  readonly source: Connection;
  readonly data: T;
}

const EMPTY: readonly never[] = Object.freeze([]);

/**
 * Per-tick message buffers keyed by message type: filled by `receive`, read by game systems,
 * cleared at the next `receive` — each message is visible for exactly one tick.
 */
export class TickBuffers<K, V> {
  private readonly buffers = new Map<K, V[]>();

  push(key: K, value: V): void {
    const list = this.buffers.get(key);
    if (list) list.push(value);
    else this.buffers.set(key, [value]);
  }

  get(key: K): readonly V[] {
    return this.buffers.get(key) ?? EMPTY;
  }

  clear(): void {
    for (const list of this.buffers.values()) list.length = 0;
  }
}
