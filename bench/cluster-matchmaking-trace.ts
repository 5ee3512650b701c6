/**
 * Profiling variant of the burst of bench/cluster-matchmaking.ts (writes nothing to the docs): one
 * burst of 1,000 `joinOrCreate` through two nodes that trace every room-directory call, then a
 * timeline per node — when calls reached the matchmaker, when creation locks were taken and
 * released, rooms placed and registered, seats answered — and the seat-time percentiles.
 *
 *   npx tsx bench/cluster-matchmaking-trace.ts [pooled|fresh]
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MatchmakingNode, joinOrCreateThrough, killMatchmakingNodes, postThrough, startMatchmakingNode } from '../test/support/matchmaking-nodes';
import { startRedis } from '../test/support/redis-server';
import { summary } from './stats';

const client = process.argv[2] === 'fresh' ? 'fresh' : 'pooled';
const BURST = Number(process.env.BURST ?? 1000);
const redis = await startRedis();
const files = ['a', 'b'].map((n) => join(tmpdir(), `mm-trace-${process.pid}-${n}.json`));
try {
  const nodes: MatchmakingNode[] = await Promise.all(
    ['a', 'b'].map((n, i) => startMatchmakingNode(redis.url, `node-${n}`, { TW_MAX_CLIENTS: String(BURST / 20), TW_TRACE: files[i]! })),
  );
  const agents = nodes.map(() => new Agent({ keepAlive: true, maxSockets: 32 }));
  const agent = (i: number) => (client === 'pooled' ? agents[i % 2]! : false);
  await Promise.all(Array.from({ length: BURST }, (_, i) => postThrough(agent(i), nodes[i % 2]!.http, '/x')));
  await Promise.all(nodes.map((n) => Promise.all([n.seatSpans(), n.loopDelay()])));
  const t0 = performance.timeOrigin + performance.now();
  const answers = await Promise.all(Array.from({ length: BURST }, (_, i) => joinOrCreateThrough(agent(i), nodes[i % 2]!.http, 'battle')));
  const rooms = new Set(answers.map((a) => a.roomId));
  console.log(`${client}: ${rooms.size} rooms, ${answers.filter((a) => a.status !== 200).length} failed, http p50/p99 ${summary(answers.map((a) => a.ms)).p50.toFixed(1)}/${summary(answers.map((a) => a.ms)).p99.toFixed(1)}`);
  for (const [i, node] of nodes.entries()) {
    const spans = await node.seatSpans();
    const loop = await node.loopDelay();
    await new Promise<void>((resolve) => {
      node.child.once('message', () => resolve());
      node.child.send({ type: 'trace' });
    });
    const trace = JSON.parse(readFileSync(files[i]!, 'utf8')) as Array<[string, number, number]>;
    const s = summary(spans.map(([a, b]) => b - a));
    const starts = spans.map(([a]) => a - t0);
    console.log(`\n${node.node}: seat p50 ${s.p50.toFixed(1)} p99 ${s.p99.toFixed(1)} max ${s.max.toFixed(1)}; arrivals ${Math.min(...starts).toFixed(0)}..${Math.max(...starts).toFixed(0)} ms; loop max ${loop.maxMs.toFixed(0)} p99 ${loop.p99Ms.toFixed(0)}`);
    const byMethod = new Map<string, number[]>();
    for (const [m, a, b] of trace) byMethod.set(m, [...(byMethod.get(m) ?? []), b - a]);
    for (const [m, d] of byMethod) {
      const x = summary(d);
      console.log(`  ${m.padEnd(16)} n=${String(d.length).padStart(4)} p50 ${x.p50.toFixed(2)} p99 ${x.p99.toFixed(2)} max ${x.max.toFixed(1)}`);
    }
    const events = trace.filter(([m]) => m !== 'reserve' && m !== 'get').sort((x, y) => x[1] - y[1]);
    for (const [m, a, b] of events.slice(0, 60)) console.log(`  ${(a - t0).toFixed(1).padStart(8)} → ${(b - t0).toFixed(1).padStart(8)}  ${m}`);
    // Seat ends in 20 ms buckets: when callers got their seats.
    const hist = new Map<number, number>();
    for (const [, b] of spans) {
      const k = Math.floor((b - t0) / 20) * 20;
      hist.set(k, (hist.get(k) ?? 0) + 1);
    }
    console.log(`  seats answered per 20 ms: ${[...hist].sort((x, y) => x[0] - y[0]).map(([k, n]) => `${k}:${n}`).join(' ')}`);
    const shist = new Map<number, number>();
    for (const [a] of spans) {
      const k = Math.floor((a - t0) / 20) * 20;
      shist.set(k, (shist.get(k) ?? 0) + 1);
    }
    console.log(`  calls reaching the matchmaker per 20 ms: ${[...shist].sort((x, y) => x[0] - y[0]).map(([k, n]) => `${k}:${n}`).join(' ')}`);
  }
  for (const a of agents) a.destroy();
} finally {
  await killMatchmakingNodes();
  await redis.stop();
}
