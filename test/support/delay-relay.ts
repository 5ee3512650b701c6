import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';

/** How a {@link startDelayRelay} delays each chunk, per direction. */
export interface RelayLink {
  readonly delayMs: number;
  /** Uniform ± this much on top of `delayMs`. */
  readonly jitterMs: number;
  /** Chance a chunk is held `stallMs` longer (TCP then holds up the ones behind it). */
  readonly stallChance: number;
  readonly stallMs: number;
}

/** One relayed chunk. */
export interface RelayedChunk {
  /** When it was passed on, epoch ms (`performance.timeOrigin + performance.now()`, comparable with a page's). */
  readonly deliveredAt: number;
  /** The delay it got, ms. */
  readonly delayMs: number;
}

/** A running relay and the delay every chunk really got, per direction (ms). */
export interface DelayRelay {
  readonly port: number;
  /** Every chunk from the server to the clients: when it was delivered (epoch ms) and the delay it got, ms. */
  readonly down: RelayedChunk[];
  /** Every chunk from the clients to the server. */
  readonly up: RelayedChunk[];
  close(): Promise<void>;
}

/**
 * A TCP relay in front of `targetPort` whose every chunk, each direction, waits `delayMs ±
 * jitterMs` (some of them `stallMs` more), in order — a WAN on 127.0.0.1 for real browsers. It
 * records what each chunk got, the true values the client's estimates are compared with.
 */
export async function startDelayRelay(targetPort: number, link: RelayLink): Promise<DelayRelay> {
  const sockets = new Set<Socket>();
  const down: RelayedChunk[] = [];
  const up: RelayedChunk[] = [];
  const pipe = (from: Socket, to: Socket, record: RelayedChunk[]): void => {
    // One queue and one timer per direction: separate timers per chunk could fire out of order.
    const queue: { at: number; chunk: Buffer }[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = 0;
    const pump = (): void => {
      timer = undefined;
      const now = performance.now();
      while (queue.length > 0 && queue[0]!.at <= now + 0.5) {
        const { chunk } = queue.shift()!;
        if (!to.destroyed) to.write(chunk);
      }
      if (queue.length > 0) timer = setTimeout(pump, Math.max(0, queue[0]!.at - now));
    };
    from.on('data', (chunk: Buffer) => {
      const now = performance.now();
      let at = now + link.delayMs + (Math.random() * 2 - 1) * link.jitterMs;
      if (Math.random() < link.stallChance) at += link.stallMs;
      at = Math.max(at, last); // TCP keeps order: a stalled chunk holds up the ones behind it
      last = at;
      record.push({ deliveredAt: performance.timeOrigin + at, delayMs: at - now });
      queue.push({ at, chunk });
      if (timer === undefined) timer = setTimeout(pump, Math.max(0, queue[0]!.at - performance.now()));
    });
    from.on('close', () => setTimeout(() => to.destroy(), link.delayMs + link.jitterMs + link.stallMs));
    from.on('error', () => from.destroy());
  };
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    pipe(client, upstream, up);
    pipe(upstream, client, down);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    down,
    up,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
