/**
 * What joining a cluster costs a node's tick: two demo servers (`server/src/main.ts`, bots on,
 * 20 Hz) with N lean clients each (bench/load's), once as two lone processes and once as two
 * nodes of a cluster over one redis-server (`--redis`), in alternating rounds after an uncounted
 * warm-up so that the shared machine's drift and the first start's cold caches fall on both sides alike. Each node's tick p99 comes from its own `/health`
 * (the last 400 ticks, all after the ramp). Used by bench/cluster.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { LeanClient, type LoadCounters } from './load/lean-client';
import { freePort, startRedis } from '../test/support/redis-server';

const ROOT = new URL('../', import.meta.url).pathname;
const IN_FLIGHT = 200;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One round: both nodes' tick p99 (ms) with the cluster on or off. */
export interface TickRound {
  readonly cluster: boolean;
  readonly p99: readonly number[];
  readonly p50: readonly number[];
  readonly clients: number;
}

interface Health {
  readonly ticks: { readonly count: number; readonly p50Ms: number; readonly p99Ms: number };
}

interface DemoNode {
  readonly url: string;
  readonly health: () => Promise<Health>;
  readonly child: ChildProcess;
}

async function startDemo(index: number, clients: number, redis: string | undefined): Promise<DemoNode> {
  const port = await freePort();
  const url = `ws://127.0.0.1:${port}/ws`;
  const cluster = redis ? ['--redis', redis, '--node', `tick-${index}`, '--public-url', url] : [];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/src/main.ts', '--port', String(port), '--host', '127.0.0.1', '--tick-rate', '20', '--max-players', String(clients), '--view-groups', String(Math.ceil(clients / 50)), '--log-level', 'error', ...cluster],
    // As bench/load runs it: production mode, per-address limits off, an ephemeral metrics port.
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_ENV: 'production', TICKWIRE_ADDRESS_LIMITS: 'off', TICKWIRE_METRICS_PORT: '0' } },
  );
  const health = async (): Promise<Health> => (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as Health;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`demo node ${index} exited with ${child.exitCode}`);
    if (await health().then(() => true, () => false)) return { url, health, child };
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`demo node ${index} did not answer /health within 30 s`);
}

async function connectAll(url: string, count: number, counters: LoadCounters): Promise<LeanClient[]> {
  const clients: LeanClient[] = [];
  const pending = new Set<Promise<boolean>>();
  for (let i = 0; i < count; i++) {
    const client = new LeanClient(url, i, counters, false);
    clients.push(client);
    const opening = client.open(10_000);
    pending.add(opening);
    void opening.finally(() => pending.delete(opening));
    if (pending.size >= IN_FLIGHT) await Promise.race(pending);
  }
  await Promise.all(pending);
  return clients;
}

async function round(cluster: boolean, clientsPerNode: number, holdS: number): Promise<TickRound> {
  const redis = cluster ? await startRedis() : undefined;
  const nodes = await Promise.all([0, 1].map((i) => startDemo(i, clientsPerNode, redis?.url)));
  const counters: LoadCounters = { welcomed: 0, failed: 0, closed: 0, frames: 0, bytes: 0, arrivals: [], sampleLimit: 0, closeCodes: new Map() };
  try {
    await Promise.all(nodes.map((node) => connectAll(node.url, clientsPerNode, counters)));
    // The window of /health is the last 400 ticks (20 s at 20 Hz): all of it after the ramp.
    await sleep(holdS * 1000);
    const health = await Promise.all(nodes.map((node) => node.health()));
    return { cluster, p99: health.map((h) => h.ticks.p99Ms), p50: health.map((h) => h.ticks.p50Ms), clients: counters.welcomed - counters.closed };
  } finally {
    // Not SIGTERM: a cluster node would drain its rooms first; Redis goes with the round anyway.
    for (const node of nodes) node.child.kill('SIGKILL');
    await Promise.all(nodes.map((node) => (node.child.exitCode === null ? new Promise((resolve) => node.child.once('exit', resolve)) : undefined)));
    await redis?.stop();
  }
}

/** Seconds a warm-up round holds its clients: long enough to load, compile and JIT every path once. */
export const WARM_UP_HOLD_S = 5;

/**
 * `rounds` of each side, after one warm-up round (cluster on: every file either side loads, plus
 * redis-server) that is not counted. Within a round the side that goes first alternates (off/on,
 * on/off, …): the first process start after a pause pays cold caches, and when it was always "off"
 * that made the cluster look cheaper than nothing (on/off 0.65).
 */
export async function clusterTickCost(clientsPerNode: number, holdS: number, rounds: number): Promise<TickRound[]> {
  const out: TickRound[] = [];
  if (rounds > 0) await round(true, clientsPerNode, WARM_UP_HOLD_S);
  for (let i = 0; i < rounds; i++) {
    const first = i % 2 === 1;
    out.push(await round(first, clientsPerNode, holdS));
    out.push(await round(!first, clientsPerNode, holdS));
  }
  return out;
}
