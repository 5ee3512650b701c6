/**
 * Matchmaking cluster nodes as child processes (test/support/matchmaking-node-process.ts) and
 * HTTP matchmaking against them, for the cluster matchmaking suite and bench.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { type Agent, request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface MatchmakingNode {
  readonly node: string;
  /** Its WebSocket address (what seats in its rooms point at). */
  readonly url: string;
  /** Its HTTP base, `http://127.0.0.1:<port>`. */
  readonly http: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  /** The rooms it runs, asked over IPC. */
  rooms(): Promise<Array<{ id: string; connections: number }>>;
  /** How long (ms) each `joinOrCreate` asked of this node took to get its seat, since the last ask. */
  seatTimes(): Promise<number[]>;
  /** The same calls as [start, end] wall-clock ms (performance.timeOrigin based), since the last ask. */
  seatSpans(): Promise<Array<[number, number]>>;
  /** The node's longest event-loop delay and its p99 (ms) since the last ask. */
  loopDelay(): Promise<{ maxMs: number; p99Ms: number }>;
}

const running = new Set<ChildProcess>();

/** Start one node on `redis`; resolves when it has joined the cluster and listens. */
export function startMatchmakingNode(redis: string, node: string, env: Record<string, string> = {}): Promise<MatchmakingNode> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/matchmaking-node-process.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, TW_REDIS: redis, TW_NODE: node },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  running.add(child);
  child.on('error', () => {});
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${node} did not start in time`)), 20_000);
    void exited.then((code) => reject(new Error(`node ${node} exited with ${code} before it was ready`)));
    child.once('message', (ready: { url: string; http: string }) => {
      clearTimeout(timer);
      resolve({
        node,
        url: ready.url,
        http: ready.http,
        child,
        exited,
        rooms: () => ask<{ rooms: Array<{ id: string; connections: number }> }>(child, 'rooms').then((reply) => reply.rooms),
        seatTimes: () => ask<{ ms: number[] }>(child, 'seats').then((reply) => reply.ms),
        seatSpans: () => ask<{ spans: Array<[number, number]> }>(child, 'seats').then((reply) => reply.spans),
        loopDelay: () => ask<{ maxMs: number; p99Ms: number }>(child, 'loop'),
      });
    });
  });
}

function ask<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((answer) => {
    const listen = (reply: { type: string } & T) => {
      if (reply.type !== type) return;
      child.off('message', listen);
      answer(reply);
    };
    child.on('message', listen);
    child.send({ type });
  });
}

/** Kill every node still running. */
export async function killMatchmakingNodes(): Promise<void> {
  await Promise.all(
    [...running].map((child) => {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      return gone;
    }),
  );
}

/** What a joinOrCreate over HTTP answered, and how long it took (ms). */
export interface TimedSeat {
  readonly status: number;
  readonly ms: number;
  readonly address: string;
  readonly seat: string;
  readonly roomId: string;
  readonly owner: string;
}

/** `POST <http>/matchmake/joinOrCreate/<type>`, timed. */
export async function joinOrCreateOver(http: string, type: string): Promise<TimedSeat> {
  const started = performance.now();
  const response = await fetch(`${http}/matchmake/joinOrCreate/${type}`, { method: 'POST', body: '' });
  const body = (await response.json()) as { address?: string; seat?: string; room?: { roomId: string; node: string } };
  return {
    status: response.status,
    ms: performance.now() - started,
    address: body.address ?? '',
    seat: body.seat ?? '',
    roomId: body.room?.roomId ?? '',
    owner: body.room?.node ?? '',
  };
}

/** `POST <http>/not-matchmaking`, answered 404 at once: what HTTP alone costs the caller, timed (ms). */
export async function httpRoundTrip(http: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${http}/not-matchmaking`, { method: 'POST', body: '' });
  await response.arrayBuffer();
  return performance.now() - started;
}

/**
 * `POST <http><path>` through `agent` (node:http: a keep-alive pool, as a load balancer's upstream
 * connections would be; `false`: a fresh connection of its own, closed after), timed from the call
 * (so the time waiting for a free pooled connection counts) to the whole answer read. `sent` is
 * when the call was made, wall-clock ms.
 */
export function postThrough(agent: Agent | false, http: string, path: string): Promise<{ status: number; ms: number; sent: number; body: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const call = httpRequest(`${http}${path}`, { method: 'POST', agent, headers: { 'content-length': 0 } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, ms: performance.now() - started, sent: performance.timeOrigin + started, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    call.on('error', reject);
    call.end();
  });
}

/** `POST <http>/matchmake/joinOrCreate/<type>` through `agent` (see {@link postThrough}), timed like {@link joinOrCreateOver}. */
export async function joinOrCreateThrough(agent: Agent | false, http: string, type: string): Promise<TimedSeat> {
  const answer = await postThrough(agent, http, `/matchmake/joinOrCreate/${type}`);
  let body: { address?: string; seat?: string; room?: { roomId: string; node: string } } = {};
  try {
    body = JSON.parse(answer.body) as typeof body;
  } catch {
    // Not JSON: the status tells.
  }
  return { status: answer.status, ms: answer.ms, address: body.address ?? '', seat: body.seat ?? '', roomId: body.room?.roomId ?? '', owner: body.room?.node ?? '' };
}
