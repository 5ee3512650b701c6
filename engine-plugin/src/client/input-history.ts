/** One input the client sent and applied locally, waiting for the server to process it. */
export interface PendingInput<T> {
  /** The reliable-message sequence number it travels under: the server acknowledges it as `lastInput`. */
  readonly seq: number;
  /** The session it was sent in; a new session numbers from 1 again, so older entries are void. */
  readonly session: number;
  readonly data: T;
}

/**
 * The inputs sent but not yet processed by the server, oldest first, bounded: past `capacity`
 * the oldest is forgotten (the prediction then mispredicts slightly and is corrected), so a
 * server that stops acknowledging can never make the client's memory grow.
 */
export class InputHistory<T> {
  private items: PendingInput<T>[] = [];
  /** Inputs forgotten because the history was full. */
  overflowed = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.items.length;
  }

  push(input: PendingInput<T>): void {
    if (this.items.length >= this.capacity) {
      this.items.shift();
      this.overflowed++;
    }
    this.items.push(input);
  }

  /** The server processed everything up to `seq` in `session`: drop those, and anything from older sessions. */
  acknowledge(seq: number, session: number): void {
    let n = 0;
    while (n < this.items.length && (this.items[n]!.session !== session || this.items[n]!.seq <= seq)) n++;
    if (n > 0) this.items.splice(0, n);
  }

  /** Inputs still pending, oldest first. */
  pending(): readonly PendingInput<T>[] {
    return this.items;
  }

  clear(): void {
    this.items = [];
  }
}
