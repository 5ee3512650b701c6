import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Connection } from '../connection/connection';
import type { ConnectionObserver } from '../connection/observer';
import { CloseCode, closeCodeName } from '../protocol/close-codes';
import { FrameKind } from '../protocol/frames';
import type { MessageType } from '../schema/message';
import type { NetworkServer } from '../ecs/server';

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** Register into this registry (to share one with the rest of the app). Default: a new one. */
  readonly registry?: Registry;
  /** Metric name prefix. Default `tickwire_`. */
  readonly prefix?: string;
  /** Also collect Node process metrics (CPU, memory, event loop lag). Default true. */
  readonly processMetrics?: boolean;
  /** Path {@link ServerMetrics.handle} answers. Default `/metrics`. */
  readonly path?: string;
}

/** Prometheus metrics of one server. */
export interface ServerMetrics {
  readonly registry: Registry;
  /** The text exposition of every metric. */
  text(): Promise<string>;
  /**
   * An HTTP handler for `GET /metrics`: answers and returns true for that path, returns false
   * (untouched) for any other, so it chains in front of the app's own handler.
   */
  handle(request: IncomingMessage, response: ServerResponse): boolean;
  /** Stop observing the server (the registry keeps its last values). */
  dispose(): void;
}

const FRAME_NAMES = new Map<number, string>(Object.entries(FrameKind).map(([name, kind]) => [kind, name.toLowerCase()]));
const KNOWN_CODES = new Set<number>([...Object.values(CloseCode), 1005, 1006]);

/** A frame kind as a label: a client picks the first byte, so unknown kinds share one label. */
function frameLabel(kind: number): string {
  return FRAME_NAMES.get(kind) ?? 'unknown';
}

/** A close code as a label: a peer may pick any code from 1000 to 4999, so unknown ones share one label. */
function codeLabel(code: number): string {
  return KNOWN_CODES.has(code) ? String(code) : 'other';
}

/**
 * Prometheus metrics (prom-client) for a {@link NetworkServer}, fed by its connection observer
 * hooks. Every label value comes from a bounded set — frame kinds, registered message names, known
 * close codes, HTTP statuses — never from a string a client chose, so a hostile client cannot
 * blow up the series count.
 *
 * ```ts
 * const metrics = createMetrics(net);
 * http.on('request', (req, res) => metrics.handle(req, res) || app(req, res));
 * ```
 */
export function createMetrics(net: NetworkServer, options: MetricsOptions = {}): ServerMetrics {
  const registry = options.registry ?? new Registry();
  const prefix = options.prefix ?? 'tickwire_';
  const path = options.path ?? '/metrics';
  const registers = [registry];
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix });
  const endpoint = net.endpoint;

  new Gauge({
    name: `${prefix}connections`,
    help: 'Sessions by state: active (socket open) or suspended (held for a resume).',
    labelNames: ['state'],
    registers,
    collect() {
      let active = 0;
      let suspended = 0;
      for (const c of endpoint.connections.values()) {
        if (c.state === 'active') active++;
        else if (c.state === 'suspended') suspended++;
      }
      this.set({ state: 'active' }, active);
      this.set({ state: 'suspended' }, suspended);
    },
  });
  new Gauge({
    name: `${prefix}queue_depth`,
    help: 'Messages queued, summed over connections: outbound channels and inbound queues.',
    labelNames: ['queue'],
    registers,
    collect() {
      let outbound = 0;
      let inbound = 0;
      for (const c of endpoint.connections.values()) {
        outbound += c.channel.depth;
        inbound += c.inbound.length;
      }
      this.set({ queue: 'outbound' }, outbound);
      this.set({ queue: 'inbound' }, inbound);
    },
  });
  new Gauge({
    name: `${prefix}queue_depth_max`,
    help: 'The deepest outbound channel of any connection, messages.',
    registers,
    collect() {
      let max = 0;
      for (const c of endpoint.connections.values()) max = Math.max(max, c.channel.depth);
      this.set(max);
    },
  });
  const connects = new Counter({ name: `${prefix}connects_total`, help: 'Completed handshakes.', labelNames: ['resumed'], registers });
  const disconnects = new Counter({
    name: `${prefix}disconnects_total`,
    help: 'Connections ended, by close code.',
    labelNames: ['code', 'name'],
    registers,
  });
  const refused = new Counter({ name: `${prefix}refused_total`, help: 'Upgrade requests refused before the upgrade, by HTTP status.', labelNames: ['status'], registers });
  const bytes = new Counter({ name: `${prefix}bytes_total`, help: 'WebSocket payload bytes by direction and frame kind.', labelNames: ['direction', 'frame'], registers });
  const frames = new Counter({ name: `${prefix}frames_total`, help: 'WebSocket messages by direction and frame kind.', labelNames: ['direction', 'frame'], registers });
  const messages = new Counter({ name: `${prefix}messages_total`, help: 'Messages by direction and message type.', labelNames: ['direction', 'type'], registers });
  const messageBytes = new Counter({
    name: `${prefix}message_bytes_total`,
    help: 'Message payload bytes by direction and message type.',
    labelNames: ['direction', 'type'],
    registers,
  });
  const limited = new Counter({ name: `${prefix}rate_limited_total`, help: 'Inbound messages dropped by the per-connection rate limit.', registers });
  const backpressure = new Counter({
    name: `${prefix}backpressure_events_total`,
    help: 'Frames held back because a socket was over its high-water mark (state coalesced).',
    registers,
  });
  const rtt = new Histogram({
    name: `${prefix}rtt_seconds`,
    help: 'Round-trip time samples from heartbeats.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2],
    registers,
  });
  const tickDuration = new Histogram({
    name: `${prefix}tick_duration_seconds`,
    help: 'Wall time of a whole server tick, receive to flush.',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers,
  });
  const entities = new Gauge({ name: `${prefix}replicated_entities`, help: 'Networked entities at the last tick.', registers });
  const tick = new Gauge({ name: `${prefix}tick`, help: 'The last server tick run.', registers });

  const observer: ConnectionObserver = {
    refused: (status) => refused.inc({ status: String(status) }),
    connected: (_c: Connection, resumed) => connects.inc({ resumed: String(resumed) }),
    disconnected: (_c, code) => disconnects.inc({ code: codeLabel(code), name: KNOWN_CODES.has(code) ? closeCodeName(code) : 'other' }),
    frameIn: (_c, kind, size) => {
      const frame = frameLabel(kind);
      bytes.inc({ direction: 'in', frame }, size);
      frames.inc({ direction: 'in', frame });
    },
    frameOut: (_c, kind, size) => {
      const frame = frameLabel(kind);
      bytes.inc({ direction: 'out', frame }, size);
      frames.inc({ direction: 'out', frame });
    },
    messageIn: (_c, type: MessageType, size) => {
      messages.inc({ direction: 'in', type: type.name });
      messageBytes.inc({ direction: 'in', type: type.name }, size);
    },
    messageOut: (_c, type, size) => {
      messages.inc({ direction: 'out', type: type.name });
      messageBytes.inc({ direction: 'out', type: type.name }, size);
    },
    limited: () => limited.inc(),
    backpressure: () => backpressure.inc(),
    rtt: (_c, ms) => rtt.observe(ms / 1000),
    tick: (ms, count) => {
      tickDuration.observe(ms / 1000);
      entities.set(count);
      tick.set(net.tick);
    },
  };
  const dispose = endpoint.observe(observer);

  return {
    registry,
    text: () => registry.metrics(),
    handle(request, response) {
      if ((request.url ?? '/').split('?')[0] !== path) return false;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return true;
      }
      registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
          response.end(request.method === 'HEAD' ? undefined : text);
        },
        (error: unknown) => {
          response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
          response.end(`metrics failed: ${String(error)}\n`);
        },
      );
      return true;
    },
    dispose,
  };
}
