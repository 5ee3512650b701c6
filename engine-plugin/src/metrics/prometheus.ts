import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Connection } from '../connection/connection.js';
import type { ConnectionObserver } from '../connection/observer.js';
import { CloseCode, closeCodeName } from '../protocol/close-codes.js';
import { FrameKind } from '../protocol/frames.js';
import type { MessageType } from '../schema/message.js';
import type { NetworkServer } from '../ecs/server.js';
import { playoutSummary } from './playout-summary.js';

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
  /**
   * Render the exposition at most once per this many ms; scrapes meanwhile get the last one
   * (and concurrent scrapes share one render), so a scrape flood cannot spend the tick's CPU. Default 1000.
   */
  readonly minIntervalMs?: number;
  /** When set, {@link ServerMetrics.handle} answers 401 unless the request has `Authorization: Bearer <this>`. */
  readonly bearerToken?: string;
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

type Direction = 'in' | 'out';
const IN = 0;
const OUT = 1;
const DIRECTIONS: readonly Direction[] = ['in', 'out'];

/** Frame and message counts and bytes since the last scrape, by direction, frame kind and message type. */
class TrafficTally {
  private readonly frames = [new Float64Array(256), new Float64Array(256)];
  private readonly frameBytes = [new Float64Array(256), new Float64Array(256)];
  private readonly messages = [new Map<MessageType, number>(), new Map<MessageType, number>()];
  private readonly messageBytes = [new Map<MessageType, number>(), new Map<MessageType, number>()];

  frame(direction: number, kind: number, bytes: number): void {
    const slot = kind & 0xff;
    this.frames[direction]![slot]! += 1;
    this.frameBytes[direction]![slot]! += bytes;
  }

  message(direction: number, type: MessageType, bytes: number): void {
    const counts = this.messages[direction]!;
    const sizes = this.messageBytes[direction]!;
    counts.set(type, (counts.get(type) ?? 0) + 1);
    sizes.set(type, (sizes.get(type) ?? 0) + bytes);
  }

  /** Hand over (and zero) the frame counts or bytes not yet reported. */
  drainFrames(what: 'count' | 'bytes', add: (direction: Direction, kind: number, n: number) => void): void {
    const tallies = what === 'count' ? this.frames : this.frameBytes;
    for (let d = 0; d < 2; d++) {
      const tally = tallies[d]!;
      for (let kind = 0; kind < tally.length; kind++) {
        const n = tally[kind]!;
        if (n === 0) continue;
        tally[kind] = 0;
        add(DIRECTIONS[d]!, kind, n);
      }
    }
  }

  /** Hand over (and zero) the message counts or bytes not yet reported. */
  drainMessages(what: 'count' | 'bytes', add: (direction: Direction, type: MessageType, n: number) => void): void {
    const tallies = what === 'count' ? this.messages : this.messageBytes;
    for (let d = 0; d < 2; d++) {
      const tally = tallies[d]!;
      for (const [type, n] of tally) if (n > 0) add(DIRECTIONS[d]!, type, n);
      tally.clear();
    }
  }
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
  // Input playout buffer: totals live on the endpoint (closed connections keep counting), handed over when scraped.
  const playout = endpoint.inputPlayout;
  const playoutCounter = (name: string, help: string, read: () => number) => {
    let reported = 0;
    new Counter({
      name: `${prefix}${name}`,
      help,
      registers,
      collect() {
        const total = read();
        if (total > reported) this.inc(total - reported);
        reported = total;
      },
    });
  };
  playoutCounter('input_playout_caught_up_total', 'Inputs applied beyond the nominal input rate to drain a backlog (input playout buffer).', () => playout.caughtUp);
  playoutCounter('input_playout_dropped_total', 'Inputs dropped unapplied because a connection was far behind (input playout buffer).', () => playout.dropped);
  playoutCounter('input_playout_late_total', 'Late inputs: a tick with nothing to apply followed by a catch-up (input playout buffer).', () => playout.late);
  playoutCounter('input_playout_starved_ticks_total', 'Ticks a moving connection had no input to apply: observers saw it stand still.', () => playout.starved);
  new Gauge({
    name: `${prefix}input_playout_depth`,
    help: 'Input playout buffer over connections with one: target depth (inputs kept as slack) and queued inputs, max and sum.',
    labelNames: ['measure'],
    registers,
    collect() {
      const summary = playoutSummary(endpoint.connections.values());
      this.set({ measure: 'target_max' }, summary.targetMax);
      this.set({ measure: 'queued_max' }, summary.queuedMax);
      this.set({ measure: 'queued_sum' }, summary.queuedSum);
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
  // Frames and messages are tallied in plain numbers and handed to their counters when scraped: a
  // labelled `inc` hashes and validates its labels, which per frame per connection is a measurable
  // share of a tick at thousands of connections.
  const traffic = new TrafficTally();
  new Counter({
    name: `${prefix}bytes_total`,
    help: 'WebSocket payload bytes by direction and frame kind.',
    labelNames: ['direction', 'frame'],
    registers,
    collect() {
      traffic.drainFrames('bytes', (direction, kind, n) => this.inc({ direction, frame: frameLabel(kind) }, n));
    },
  });
  new Counter({
    name: `${prefix}frames_total`,
    help: 'WebSocket messages by direction and frame kind.',
    labelNames: ['direction', 'frame'],
    registers,
    collect() {
      traffic.drainFrames('count', (direction, kind, n) => this.inc({ direction, frame: frameLabel(kind) }, n));
    },
  });
  new Counter({
    name: `${prefix}messages_total`,
    help: 'Messages by direction and message type.',
    labelNames: ['direction', 'type'],
    registers,
    collect() {
      traffic.drainMessages('count', (direction, type, n) => this.inc({ direction, type: type.name }, n));
    },
  });
  new Counter({
    name: `${prefix}message_bytes_total`,
    help: 'Message payload bytes by direction and message type.',
    labelNames: ['direction', 'type'],
    registers,
    collect() {
      traffic.drainMessages('bytes', (direction, type, n) => this.inc({ direction, type: type.name }, n));
    },
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
    frameIn: (_c, kind, size) => traffic.frame(IN, kind, size),
    frameOut: (_c, kind, size) => traffic.frame(OUT, kind, size),
    messageIn: (_c, type: MessageType, size) => traffic.message(IN, type, size),
    messageOut: (_c, type, size) => traffic.message(OUT, type, size),
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

  const minIntervalMs = options.minIntervalMs ?? 1000;
  let rendered: Promise<string> | undefined;
  let renderedAt = Number.NEGATIVE_INFINITY;
  const text = (): Promise<string> => {
    const now = performance.now();
    if (!rendered || now - renderedAt >= minIntervalMs) {
      renderedAt = now;
      rendered = registry.metrics();
      // A failed render is not cached: the next scrape tries again.
      rendered.catch(() => {
        renderedAt = Number.NEGATIVE_INFINITY;
      });
    }
    return rendered;
  };
  const expected = options.bearerToken === undefined ? undefined : `Bearer ${options.bearerToken}`;

  return {
    registry,
    text,
    handle(request, response) {
      if ((request.url ?? '/').split('?')[0] !== path) return false;
      if (expected !== undefined && !sameText(request.headers.authorization ?? '', expected)) {
        response.writeHead(401, { 'WWW-Authenticate': 'Bearer' }).end();
        return true;
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return true;
      }
      text().then(
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

/** Constant-time string comparison (a bearer token must not leak through timing). */
function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
