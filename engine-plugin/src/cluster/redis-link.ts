import { createHash } from 'node:crypto';
import { RESP_TYPES, createClient } from 'redis';

/** A node-redis client as `createClient` makes it. */
export type RedisClient = ReturnType<typeof createClient>;

/** One argument of a command: text, a number, or raw bytes (batches). */
export type RedisArgument = string | number | Uint8Array;

/** Replies read with bulk strings as Buffers (stream batches are binary). */
const BINARY = { [RESP_TYPES.BLOB_STRING]: Buffer } as const;

/**
 * The node's connections to Redis: one for commands and scripts (node-redis pipelines what is
 * sent while another command is in flight) and one that only blocks on XREAD, so a blocked read
 * never delays a write. Both reconnect on their own; the link reports when it has been down
 * longer than a grace period, which is when cross-node sends start failing instead of waiting.
 */
export class RedisLink {
  readonly commands: RedisClient;
  readonly reader: RedisClient;
  private readonly shas = new Map<string, string>();
  private downSince: number | undefined;
  /** Round trips of script calls, in ms, since the last {@link takeRoundTrips}. */
  private roundTrips: number[] = [];
  private closed = false;

  constructor(
    url: string,
    private readonly onError: (error: Error) => void,
  ) {
    const socket = { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 5), 1000), connectTimeout: 2000 };
    // RESP2: flat replies (HGETALL as a list, XREAD as nested arrays) whatever the client's default.
    this.commands = createClient({ url, socket, pingInterval: 1000, RESP: 2 });
    this.reader = createClient({ url, socket, RESP: 2 });
    for (const client of [this.commands, this.reader]) {
      client.on('error', (error: Error) => this.onError(error));
      client.on('ready', () => {
        if (client === this.commands) this.downSince = undefined;
      });
      client.on('end', () => {
        if (client === this.commands && !this.closed) this.downSince ??= performance.now();
      });
      client.on('reconnecting', () => {
        if (client === this.commands) this.downSince ??= performance.now();
      });
    }
  }

  async connect(): Promise<void> {
    await Promise.all([this.commands.connect(), this.reader.connect()]);
  }

  /** Whether the command connection has been down for longer than `graceMs`. */
  downLongerThan(graceMs: number): boolean {
    return this.downSince !== undefined && performance.now() - this.downSince > graceMs;
  }

  /** Run a command on the command connection. */
  command<T>(args: readonly RedisArgument[]): Promise<T> {
    return this.commands.sendCommand<T>(args.map(argument));
  }

  /** Run a blocking command (XREAD BLOCK) on the reader connection, bulk strings as Buffers. */
  blocking<T>(args: readonly RedisArgument[]): Promise<T> {
    return this.reader.sendCommand<T>(args.map(argument), { typeMapping: BINARY });
  }

  /**
   * Run a Lua script by its SHA; after a Redis restart (NOSCRIPT) it is loaded again and re-run.
   * The round trip is recorded for the RTT metric.
   */
  async script<T>(source: string, args: readonly RedisArgument[]): Promise<T> {
    let sha = this.shas.get(source);
    if (!sha) {
      sha = createHash('sha1').update(source).digest('hex');
      this.shas.set(source, sha);
    }
    const started = performance.now();
    const call = ['EVALSHA', sha, '0', ...args.map(argument)];
    let reply: T;
    try {
      reply = await this.commands.sendCommand<T>(call);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      await this.commands.sendCommand(['SCRIPT', 'LOAD', source]);
      reply = await this.commands.sendCommand<T>(call);
    }
    if (this.roundTrips.length < 4096) this.roundTrips.push(performance.now() - started);
    return reply;
  }

  /** The script round trips (ms) since the last call. */
  takeRoundTrips(): number[] {
    const taken = this.roundTrips;
    this.roundTrips = [];
    return taken;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([this.commands.close(), this.reader.destroy()]);
  }
}

function argument(value: RedisArgument): string | Buffer {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Buffer.isBuffer(value)) return value;
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}
