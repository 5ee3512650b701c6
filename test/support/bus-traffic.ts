/**
 * Bus traffic nodes (test/support/bus-traffic-node.ts) as child processes, for the cluster soak
 * and the cluster bench.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClusterStats } from '../../engine-plugin/src/cluster';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What a receiver saw from one sender. */
export interface FromSender {
  readonly next: number;
  readonly received: number;
  readonly lost: number;
  readonly duplicated: number;
  /** Runs of missing numbers (each is at least one lost batch). */
  readonly gaps: number;
}

/** A traffic node's report. */
export interface TrafficReport {
  readonly node: string;
  readonly epoch: number;
  /** Messages the bus accepted (sender). */
  readonly sent: number;
  /** Sends the bus refused with BusUnavailable (each retried next tick under the same number). */
  readonly refused: number;
  /** Sends answered "nobody there" (0 sessions / 0 subscribers known), each retried next tick. */
  readonly unreachable: number;
  /** Whether the sender has sent all it was asked to. */
  readonly done: boolean;
  readonly ticks: number;
  /** Time spent queuing messages, and in `flush`, summed over ticks (ms). */
  readonly enqueueMs: number;
  readonly flushMs: number;
  readonly senders: Readonly<Record<string, FromSender>>;
  /** Enqueue on the sender → delivery here, ms. */
  readonly latencies: readonly number[];
  readonly stats: ClusterStats;
}

export interface TrafficNode {
  readonly node: string;
  readonly child: ChildProcess;
  /** Its counters; `latencies: false` leaves the latencies out (empty), for polls while traffic runs. */
  report(options?: { readonly latencies?: boolean }): Promise<TrafficReport>;
  /** Sender: send `count` more messages at `rate` per second. */
  send(rate: number, count: number): void;
  /** Receiver: forget the latencies so far. */
  reset(): void;
  stop(): Promise<void>;
}

export function startTrafficNode(redis: string, node: string, role: 'sender' | 'receiver', tickMs = 50): Promise<TrafficNode> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/bus-traffic-node.ts'], {
    cwd: ROOT,
    env: { ...process.env, TW_REDIS: redis, TW_NODE: node, TW_ROLE: role, TW_TICK_MS: String(tickMs) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.on('error', () => {});
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`traffic node ${node} did not start in time`)), 15_000);
    void exited.then(() => reject(new Error(`traffic node ${node} exited before it was ready`)));
    child.once('message', () => {
      clearTimeout(timer);
      resolve({
        node,
        child,
        report: (options) =>
          new Promise((answer) => {
            const listen = (reply: TrafficReport & { type: string }) => {
              if (reply.type !== 'report') return;
              child.off('message', listen);
              answer(reply);
            };
            child.on('message', listen);
            child.send({ type: 'report', latencies: options?.latencies !== false });
          }),
        send: (rate, count) => child.send({ type: 'send', rate, count }),
        reset: () => child.send({ type: 'reset' }),
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGCONT');
            child.kill('SIGKILL');
          }
          await exited;
        },
      });
    });
  });
}
