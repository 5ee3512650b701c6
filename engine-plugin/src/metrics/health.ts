import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NetworkServer } from '../ecs/server.js';
import { type PlayoutSummary, playoutSummary } from './playout-summary.js';

/** Options of {@link createHealth}. */
export interface HealthOptions {
  /** Not ready when no tick has completed for this long, ms. Default 2000 (ten ticks at 5 Hz). */
  readonly staleAfterMs?: number;
  /** Extra fields for the JSON body (player counts…). */
  readonly details?: () => Record<string, unknown>;
  /** Path prefix. Default `/health`: `/health` and `/health/ready` are readiness, `/health/live` liveness. */
  readonly path?: string;
}

/** What {@link ServerHealth.check} reports. */
export interface HealthReport {
  /** The process answers: always true while it can say so. */
  readonly live: boolean;
  /** Accepting connections, and the tick loop ran recently. */
  readonly ready: boolean;
  readonly accepting: boolean;
  readonly tick: number;
  /** Ms since the last completed tick (-1 before the first). */
  readonly lastTickAgeMs: number;
  readonly connections: number;
  /**
   * The input playout buffers (when the server plays inputs at `inputRate`): depths now, and
   * counters since start — extra inputs applied to catch up, inputs dropped far behind, late
   * inputs, and ticks a moving player had nothing to apply (observers saw it freeze).
   */
  readonly inputPlayout: PlayoutSummary & { readonly caughtUp: number; readonly dropped: number; readonly late: number; readonly starvedTicks: number };
}

/** Liveness and readiness of one server. */
export interface ServerHealth {
  check(): HealthReport;
  /** Answers `/health`, `/health/ready` (200 ready / 503 not) and `/health/live` (200); false for other paths. */
  handle(request: IncomingMessage, response: ServerResponse): boolean;
  dispose(): void;
}

/**
 * Liveness and readiness for orchestrators. Liveness only says the process answers HTTP; readiness
 * also needs the endpoint to accept connections and the tick loop to be running — a server whose
 * loop stalled or is shutting down must stop receiving players, but need not be restarted.
 */
export function createHealth(net: NetworkServer, options: HealthOptions = {}): ServerHealth {
  const staleAfterMs = options.staleAfterMs ?? 2000;
  const base = options.path ?? '/health';
  let lastTickAt = -1;
  const dispose = net.endpoint.observe({
    tick: () => {
      lastTickAt = performance.now();
    },
  });

  const check = (): HealthReport => {
    const age = lastTickAt < 0 ? -1 : performance.now() - lastTickAt;
    const accepting = net.endpoint.acceptingConnections;
    const totals = net.endpoint.inputPlayout;
    return {
      live: true,
      ready: accepting && age >= 0 && age <= staleAfterMs,
      accepting,
      tick: net.tick,
      lastTickAgeMs: Math.round(age),
      connections: net.endpoint.connections.size,
      inputPlayout: {
        ...playoutSummary(net.endpoint.connections.values()),
        caughtUp: totals.caughtUp,
        dropped: totals.dropped,
        late: totals.late,
        starvedTicks: totals.starved,
      },
    };
  };

  return {
    check,
    handle(request, response) {
      const path = (request.url ?? '/').split('?')[0];
      if (path !== base && path !== `${base}/ready` && path !== `${base}/live`) return false;
      const report = check();
      const ok = path === `${base}/live` ? report.live : report.ready;
      response.writeHead(ok ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      response.end(JSON.stringify({ status: ok ? 'ok' : 'unavailable', ...report, ...options.details?.() }));
      return true;
    },
    dispose,
  };
}
