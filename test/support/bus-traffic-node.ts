/**
 * One cluster node as its own process that drives the Redis messaging bus directly (no sockets,
 * no world): the soak and the cluster bench measure the bus, so nothing else shares its CPU.
 *
 * A *sender* ticks every TW_TICK_MS and, per tick, queues what its rate makes due — alternately a
 * direct message to identity `sink` and a publication on `soak.<sender>` — then flushes, as a
 * server's tick does. Each payload is [sequence number, send time]: one sequence per sender across
 * both kinds, so order, loss and duplicates are read off one counter. A send the bus refuses
 * (BusUnavailable) is counted and tried again next tick with the same number: refused is
 * surfaced, never lost.
 * A *receiver* holds `sink` and a `soak.*` subscriber and checks every arrival against the next
 * number it expects from that sender.
 *
 * Environment: TW_REDIS, TW_NODE, TW_ROLE (sender | receiver), TW_TICK_MS (default 50).
 * IPC in: `{ type: 'send', rate, count }` (sender: start), `{ type: 'report', latencies? }` (`latencies:
 * false` leaves them out), `{ type: 'reset' }`
 * (receiver: forget latencies). IPC out: `{ type: 'ready' }`, `{ type: 'report', … }`.
 */
import { BusUnavailable, type CarriedMessage, consoleLogger } from '../../engine-plugin/src/index';
import { joinCluster } from '../../engine-plugin/src/cluster';

const redis = process.env.TW_REDIS;
if (!redis || !process.send) throw new Error('run by the cluster soak or bench (TW_REDIS and an IPC channel)');
const send = process.send.bind(process);
const node = process.env.TW_NODE ?? 'traffic';
const role = process.env.TW_ROLE ?? 'sender';
const tickMs = Number(process.env.TW_TICK_MS ?? 50);

/** Wall time in ms with sub-millisecond precision, comparable between processes of one machine. */
const now = () => performance.timeOrigin + performance.now();

const cluster = await joinCluster({ redis, address: `ws://127.0.0.1:1/${node}`, node, logger: consoleLogger(process.env.TW_LOG_LEVEL === 'warn' ? 'warn' : 'error') });
const bus = cluster.bus;

/** What a receiver saw from one sender. */
interface FromSender {
  next: number;
  received: number;
  lost: number;
  duplicated: number;
  /** Runs of missing numbers (each is at least one lost batch). */
  gaps: number;
}
const senders = new Map<string, FromSender>();
let latencies: number[] = [];

function arrived(message: CarriedMessage): number {
  const view = new DataView(message.data.buffer, message.data.byteOffset, message.data.byteLength);
  const seq = view.getUint32(0);
  const sentAt = view.getFloat64(4);
  if (latencies.length < 200_000) latencies.push(now() - sentAt);
  const from = message.from ?? '?';
  let s = senders.get(from);
  if (!s) {
    s = { next: 0, received: 0, lost: 0, duplicated: 0, gaps: 0 };
    senders.set(from, s);
  }
  s.received++;
  if (seq === s.next) s.next++;
  else if (seq > s.next) {
    s.lost += seq - s.next;
    s.gaps++;
    s.next = seq + 1;
  } else s.duplicated++; // a number already passed: a copy, or out of order
  return 1;
}

bus.attach({ direct: (_identity, message) => arrived(message), publish: (_topic, message) => arrived(message), presence: () => {} });

let sent = 0;
let refused = 0;
/** Sends answered "nobody there" (DM 0 sessions, publication 0 subscribers): surfaced, tried again. */
let unreachable = 0;
/** A DM to an identity not in the view waits for Redis's answer; nothing else is sent meanwhile (order). */
let asking = false;
let target = 0;
let started = 0;
let rate = 0;
let enqueueMs = 0;
let flushMs = 0;
let ticks = 0;

function payload(seq: number): Uint8Array {
  const bytes = new Uint8Array(12);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, seq);
  view.setFloat64(4, now());
  return bytes;
}

function tick(): void {
  if (role === 'sender' && rate > 0) {
    const due = Math.min(target, Math.floor(((now() - started) / 1000) * rate));
    const t0 = performance.now();
    while (sent < due && !asking) {
      const message: CarriedMessage = { from: node, type: 'soak', data: payload(sent) };
      try {
        if (sent % 2 === 0) {
          const reached = bus.direct('sink', message);
          if (typeof reached !== 'number') {
            asking = true;
            reached.then(
              (n) => {
                asking = false;
                if (n > 0) sent++;
                else unreachable++;
              },
              (error: unknown) => {
                asking = false;
                if (!(error instanceof BusUnavailable)) throw error;
                refused++;
              },
            );
            break;
          }
          if (reached === 0) {
            unreachable++;
            break;
          }
        } else if (bus.publish(`soak.${node}`, message) === 0) {
          unreachable++;
          break;
        }
        sent++;
      } catch (error) {
        if (!(error instanceof BusUnavailable)) throw error;
        refused++;
        break;
      }
    }
    const t1 = performance.now();
    bus.flush();
    enqueueMs += t1 - t0;
    flushMs += performance.now() - t1;
    ticks++;
  } else bus.flush();
}
setInterval(tick, tickMs);

if (role === 'receiver') {
  bus.presence({ identity: 'sink', present: true });
  bus.interest('soak.*', 1);
  bus.flush();
}

process.on('message', (message: { type: string; rate?: number; count?: number; latencies?: boolean }) => {
  if (message.type === 'send') {
    rate = message.rate ?? 1000;
    target = sent + (message.count ?? 1000);
    started = now() - (sent / rate) * 1000;
  }
  if (message.type === 'reset') latencies = [];
  if (message.type === 'report') {
    send({
      type: 'report',
      node,
      epoch: cluster.epoch,
      sent,
      refused,
      unreachable,
      done: sent >= target,
      ticks,
      enqueueMs,
      flushMs,
      senders: Object.fromEntries(senders),
      // A poll leaves them out: serialising 100,000 numbers blocks this loop for milliseconds,
      // and every batch that arrives meanwhile waits (the bench measured its own polling once).
      latencies: message.latencies === false ? [] : latencies,
      stats: { ...cluster.stats },
    });
  }
});
process.on('disconnect', () => process.exit(0));

// Ready once the receiver's identity and interest are what senders see.
send({ type: 'ready', node, epoch: cluster.epoch });
