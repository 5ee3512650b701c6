/**
 * Nodes of test/support/routing-node-process.ts as child processes, and clients that find their
 * room through HTTP matchmaking (`matchmake` tries each node's endpoint in turn, as a game with a
 * list of servers would) and record what reaches them: numbered notes, connects, close codes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createWorld } from 'bitecs';
import { type ClientEvent, type MatchedSeat, type MatchmakeAttempt, type NetworkClient, createClient, silentLogger } from '../../engine-plugin/src/index';
import { nodeWebSocketClient } from '../../engine-plugin/src/node';
import { Note, protocol } from './messaging-protocol';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** One node process. */
export interface RoutingNode {
  readonly node: string;
  readonly url: string;
  readonly http: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  /** IPC messages of `type` it sent so far. */
  said(type: string): Array<Record<string, unknown>>;
  /** Destroy every TCP socket it holds (a network drop, no close frame). */
  drop(): Promise<void>;
}

const running = new Set<ChildProcess>();

/** Start one node on `redis`; resolves once it has joined and listens. */
export function startRoutingNode(redis: string, node: string, env: Record<string, string> = {}): Promise<RoutingNode> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/routing-node-process.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, TW_REDIS: redis, TW_NODE: node },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  running.add(child);
  child.on('error', () => {});
  const messages: Array<Record<string, unknown>> = [];
  child.on('message', (message: Record<string, unknown>) => messages.push(message));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${node} did not start in time`)), 60_000);
    void exited.then((code) => reject(new Error(`node ${node} exited with ${code} before it was ready`)));
    child.once('message', (ready: { url: string; http: string }) => {
      clearTimeout(timer);
      resolve({
        node,
        url: ready.url,
        http: ready.http,
        child,
        exited,
        said: (type) => messages.filter((m) => m.type === type),
        drop: () =>
          new Promise<void>((done) => {
            const listen = (m: { type: string }) => {
              if (m.type !== 'dropped') return;
              child.off('message', listen);
              done();
            };
            child.on('message', listen);
            child.send({ type: 'drop' });
          }),
      });
    });
  });
}

/** Kill every node still running. */
export async function killRoutingNodes(): Promise<void> {
  await Promise.all(
    [...running].map((child) => {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      return gone;
    }),
  );
}

/** A seat as the HTTP endpoint answers it. */
export interface HttpSeat extends MatchedSeat {
  readonly room: { readonly roomId: string; readonly node: string };
}

/**
 * `POST <http>/matchmake/joinOrCreate/battle` on the first endpoint that answers 200, with
 * `?unreachable=` as `matchmakeOverHttp` sends it when the client's last dial went unanswered.
 */
export async function joinOrCreateOn(endpoints: readonly string[], unreachable?: string): Promise<HttpSeat> {
  const failures: string[] = [];
  const query = unreachable === undefined ? '' : `?unreachable=${encodeURIComponent(unreachable)}`;
  for (const http of endpoints) {
    try {
      const response = await fetch(`${http}/matchmake/joinOrCreate/battle${query}`, { method: 'POST', body: '' });
      if (response.ok) return (await response.json()) as HttpSeat;
      failures.push(`${http}: ${response.status}`);
    } catch (error) {
      failures.push(`${http}: ${String(error)}`);
    }
  }
  throw new Error(`no matchmaking endpoint answered: ${failures.join('; ')}`);
}

/** What one client saw, with `performance.now()` times. */
export interface Timeline {
  readonly notes: Array<{ readonly n: number; readonly at: number }>;
  readonly events: Array<{ readonly event: ClientEvent; readonly at: number }>;
  /** Seats `matchmake` returned, with why it was asked. */
  readonly seats: Array<{ readonly seat: HttpSeat; readonly reason: MatchmakeAttempt['reason']; readonly at: number }>;
}

/** Clients pumped every 5 ms, each finding its room through `endpoints()`. */
export class RoutedClients {
  readonly all: NetworkClient[] = [];
  private readonly timelines = new Map<NetworkClient, Timeline>();
  private readonly timer = setInterval(() => {
    for (const client of this.all) {
      client.receive();
      const timeline = this.timelines.get(client)!;
      const at = performance.now();
      for (const event of client.events()) if (event.type !== 'state') timeline.events.push({ event, at });
      for (const note of client.messages(Note)) timeline.notes.push({ n: Number(note.text), at });
      client.flush();
    }
  }, 5);

  /** A client of the cluster; `initialMs` is its reconnection backoff's first delay. */
  connect(endpoints: () => readonly string[], initialMs = 250): NetworkClient {
    const timeline: Timeline = { notes: [], events: [], seats: [] };
    const client = createClient(createWorld(), protocol, {
      // Every attempt dials a seat's address (or the home a redirect named): this URL is never used.
      transport: nodeWebSocketClient('ws://127.0.0.1:1/unused'),
      logger: silentLogger,
      reconnect: { initialMs, maxMs: 2000 },
      matchmake: async ({ reason, unreachable }) => {
        const seat = await joinOrCreateOn(endpoints(), unreachable);
        timeline.seats.push({ seat, reason, at: performance.now() });
        return seat;
      },
    });
    this.timelines.set(client, timeline);
    this.all.push(client);
    client.connect();
    return client;
  }

  of(client: NetworkClient): Timeline {
    return this.timelines.get(client)!;
  }

  close(): void {
    clearInterval(this.timer);
    for (const client of this.all) client.disconnect();
    this.all.length = 0;
  }
}

/** Wait for a condition, polling every 5 ms. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
