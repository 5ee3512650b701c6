/**
 * Cluster nodes as child processes (test/support/cluster-node-process.ts), and clients that pump
 * themselves, for the cluster suites. `kill('SIGKILL')` / `kill('SIGSTOP')` are the real signals.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createWorld } from 'bitecs';
import { type ClientOptions, type NetworkClient, createClient, silentLogger } from '../../engine-plugin/src/index';
import { nodeWebSocketClient } from '../../engine-plugin/src/node';
import type { ClusterStats } from '../../engine-plugin/src/cluster';
import { Chat, protocol } from './messaging-protocol';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface NodeProcess {
  readonly node: string;
  readonly url: string;
  readonly epoch: number;
  /** The node's `/metrics` URL when it was started with `{ metrics: true }`. */
  readonly metricsUrl: string | undefined;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  /** The node's counters, epoch and session count, asked over IPC. */
  stats(): Promise<{ epoch: number; stats: ClusterStats; sessions: number }>;
  kill(signal: NodeJS.Signals): void;
  /** Stop the node's ticks (its bus still reads and relays); resolves with its last tick. */
  pauseTicks(): Promise<number>;
}

const running = new Set<ChildProcess>();

/** Start one node process on `redis`; resolves when it has joined and listens. */
export function startNodeProcess(redis: string, node: string, options: { metrics?: boolean } = {}): Promise<NodeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/cluster-node-process.ts'], {
    cwd: ROOT,
    env: { ...process.env, TW_REDIS: redis, TW_NODE: node, TW_METRICS: options.metrics ? '1' : '0' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  running.add(child);
  child.on('error', () => {});
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    running.delete(child);
    resolve(code);
  }));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${node} did not start in time`)), 15_000);
    void exited.then((code) => reject(new Error(`node ${node} exited with ${code} before it was ready`)));
    child.once('message', (message: { type: string; url: string; epoch: number; metricsUrl?: string }) => {
      clearTimeout(timer);
      resolve({
        node,
        url: message.url,
        epoch: message.epoch,
        metricsUrl: message.metricsUrl,
        child,
        exited,
        stats: () =>
          new Promise((answer) => {
            const listen = (reply: { type: string; epoch: number; stats: ClusterStats; sessions: number }) => {
              if (reply.type !== 'stats') return;
              child.off('message', listen);
              answer(reply);
            };
            child.on('message', listen);
            if (child.connected) child.send({ type: 'stats' });
          }),
        kill: (signal) => child.kill(signal),
        pauseTicks: () =>
          new Promise((answer) => {
            const listen = (reply: { type: string; tick: number }) => {
              if (reply.type !== 'paused') return;
              child.off('message', listen);
              answer(reply.tick);
            };
            child.on('message', listen);
            child.send({ type: 'pause-ticks' });
          }),
      });
    });
  });
}

/** Kill every node process still running (afterAll / afterEach). */
export async function killAllNodes(): Promise<void> {
  const waits = [...running].map((child) => {
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    return gone;
  });
  await Promise.all(waits);
}

/** What a pumped client received, kept (a client shows each message for one frame only). */
export interface Received {
  /** Direct chat messages as `from:text`. */
  readonly directs: string[];
  /** Topic chat publications as `topic:from:text`. */
  readonly publications: string[];
  /** Presence events as `identity:status`. */
  readonly presence: string[];
}

/** Clients on node urls, pumped every 5 ms until closed, recording what they receive. */
export class PumpedClients {
  readonly all: NetworkClient[] = [];
  readonly received = new Map<NetworkClient, Received>();
  /** Close codes of the disconnections seen, with how many. */
  readonly closeCodes = new Map<number, number>();
  /** Each client's identity, and its disconnections (code and reason) in order. */
  private readonly identities = new Map<NetworkClient, string>();
  private readonly disconnects = new Map<NetworkClient, Array<{ code: number; reason: string }>>();
  private readonly timer = setInterval(() => {
    for (const client of this.all) {
      client.receive();
      const got = this.received.get(client)!;
      for (const m of client.directMessages(Chat)) got.directs.push(`${m.from}:${m.data.text}`);
      for (const m of client.publications(Chat)) got.publications.push(`${m.topic}:${m.from}:${m.data.text}`);
      for (const e of client.presence()) got.presence.push(`${e.identity}:${e.status}`);
      for (const e of client.events()) {
        if (e.type !== 'disconnected') continue;
        this.closeCodes.set(e.code, (this.closeCodes.get(e.code) ?? 0) + 1);
        this.disconnects.get(client)!.push({ code: e.code, reason: e.reason });
      }
      client.flush();
    }
  }, 5);

  /** A client of `url` authenticated as `identity`, connecting now. */
  connect(url: string, identity: string, options: Partial<ClientOptions> = {}): NetworkClient {
    const client = createClient(createWorld(), protocol, {
      transport: nodeWebSocketClient(`${url}?token=${encodeURIComponent(identity)}`),
      logger: silentLogger,
      reconnect: false,
      ...options,
    });
    client.connect();
    this.all.push(client);
    this.received.set(client, { directs: [], publications: [], presence: [] });
    this.identities.set(client, identity);
    this.disconnects.set(client, []);
    return client;
  }

  /**
   * What happened to the clients of `identity`: each one's state and the closes it saw, e.g.
   * `connected` or `disconnected after 4006 "heartbeat timeout"`. Says whether an identity went
   * offline because its client was dropped, or while its client still thought itself connected.
   */
  story(identity: string): string[] {
    const stories: string[] = [];
    for (const [client, id] of this.identities) {
      if (id !== identity) continue;
      const closes = this.disconnects.get(client)!;
      stories.push(closes.length === 0 ? client.state : `${client.state} after ${closes.map(({ code, reason }) => `${code} ${JSON.stringify(reason)}`).join(', ')}`);
    }
    return stories;
  }

  /** What `client` received so far. */
  of(client: NetworkClient): Received {
    return this.received.get(client)!;
  }

  /** Wait until every client is connected, and a few node ticks more (their sessions reached the cluster). */
  async connected(): Promise<void> {
    await eventually(() => this.all.every((c) => c.state === 'connected'), 10_000, 'every client connected').catch((error: unknown) => {
      const states = new Map<string, number>();
      for (const c of this.all) states.set(c.state, (states.get(c.state) ?? 0) + 1);
      throw new Error(`${String(error)}: ${JSON.stringify(Object.fromEntries(states))}, closed with ${JSON.stringify(Object.fromEntries(this.closeCodes))}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
  }

  close(): void {
    clearInterval(this.timer);
    for (const client of this.all) client.disconnect();
    this.all.length = 0;
    this.identities.clear();
    this.disconnects.clear();
  }
}

/** Wait for a condition, polling every 10 ms. */
export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
