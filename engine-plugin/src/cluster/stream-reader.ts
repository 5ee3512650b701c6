import type { Logger } from '../connection/logger.js';
import type { RedisLink } from './redis-link.js';

/** One stream entry: its id and its fields (values as raw bytes). */
export interface StreamEntry {
  readonly id: string;
  readonly fields: ReadonlyMap<string, Buffer>;
}

type Entries = Array<[Buffer, Buffer[]]>;
/** RESP2 answers XREAD with an array of [stream, entries]; RESP3 with a map of stream → entries. */
type XReadReply = Array<[Buffer, Entries]> | Map<Buffer | string, Entries> | Record<string, Entries> | null;

function streamsOf(reply: Exclude<XReadReply, null>): Array<[Buffer | string, Entries]> {
  if (Array.isArray(reply)) return reply;
  if (reply instanceof Map) return [...reply];
  return Object.entries(reply);
}

/**
 * Reads streams with one blocking XREAD on the reader connection, forever, resuming from the last
 * id it handed on — so a dropped Redis connection loses nothing that is still in the stream (pub/sub
 * would). Entries go to the handler of their stream in order.
 */
export class StreamReader {
  private readonly positions = new Map<string, string>();
  private running = false;
  private stopped: Promise<void> = Promise.resolve();

  constructor(
    private readonly link: RedisLink,
    private readonly handlers: ReadonlyMap<string, (entry: StreamEntry) => void>,
    private readonly logger: Logger,
    private readonly blockMs = 1000,
  ) {}

  /** Where to read a stream from next (an entry id; `0-0` from the start). */
  position(stream: string, id: string): void {
    this.positions.set(stream, id);
  }

  /** The id of the last entry handed on from a stream. */
  last(stream: string): string | undefined {
    return this.positions.get(stream);
  }

  start(): void {
    this.running = true;
    this.stopped = this.loop();
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (this.running) {
      const streams = [...this.handlers.keys()];
      let reply: XReadReply;
      try {
        reply = await this.link.blocking<XReadReply>(['XREAD', 'COUNT', 512, 'BLOCK', this.blockMs, 'STREAMS', ...streams, ...streams.map((s) => this.positions.get(s) ?? '0-0')]);
        failures = 0;
      } catch (error) {
        if (!this.running) return;
        if (failures++ === 0) this.logger.warn('cluster stream read failed; resuming from the last id', { error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, Math.min(20 * failures, 500)));
        continue;
      }
      if (!reply) continue;
      for (const [key, entries] of streamsOf(reply)) {
        const stream = key.toString();
        const handle = this.handlers.get(stream);
        for (const [rawId, flat] of entries) {
          const id = rawId.toString();
          this.positions.set(stream, id);
          const fields = new Map<string, Buffer>();
          for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i]!.toString(), flat[i + 1]!);
          try {
            handle?.({ id, fields });
          } catch (error) {
            this.logger.error('cluster stream entry could not be handled', { stream, id, error: String(error) });
          }
        }
      }
    }
  }

  /** Stop reading (the blocked XREAD is cut by closing the reader connection). */
  stop(): Promise<void> {
    this.running = false;
    return this.stopped;
  }
}
