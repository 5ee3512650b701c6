import type { ServerConnection } from '../connection/server-connection.js';

/** The input playout buffers of a server's connections at one moment. */
export interface PlayoutSummary {
  /** Connections that have a playout buffer (sent at least one input while the server plays at `inputRate`). */
  readonly connections: number;
  /** The largest target depth, inputs. */
  readonly targetMax: number;
  /** The most inputs any one connection has waiting. */
  readonly queuedMax: number;
  /** Inputs waiting, summed over connections. */
  readonly queuedSum: number;
}

/** Summarise the playout buffers of `connections` (what `/metrics` and `/health` report). */
export function playoutSummary(connections: Iterable<ServerConnection>): PlayoutSummary {
  let count = 0;
  let targetMax = 0;
  let queuedMax = 0;
  let queuedSum = 0;
  for (const c of connections) {
    const p = c.playout;
    if (!p) continue;
    count++;
    if (p.depth > targetMax) targetMax = p.depth;
    if (p.backlog > queuedMax) queuedMax = p.backlog;
    queuedSum += p.backlog;
  }
  return { connections: count, targetMax, queuedMax, queuedSum };
}
