/**
 * What the tick continuation costs: a joiner of a world whose first snapshot is bigger than a
 * frame, with the default 1 MiB frame limit (the snapshot goes out as TickPart frames + Tick) side
 * by side with an 8 MiB limit (the same snapshot in one frame), over real ws on 127.0.0.1.
 *
 *   npm run bench:frame-split                                   full run (20,000 entities × 8 f64), writes its section
 *   BENCH_SMOKE=1 BENCH_NO_WRITE=1 npx tsx bench/frame-split.ts  seconds, for CI
 *
 * Server flush is the time spent in `flush()` until the joiner holds the whole world (writing,
 * splitting and sending the snapshot); join is connect → whole world at the client. Runs
 * alternate between the two limits so a noisy neighbour hurts both alike; medians are quoted.
 */
import { addComponent, addEntity, createWorld } from 'bitecs';
import { Networked, cloneProtocol, createClient, createServer, defineComponent, defineProtocol, silentLogger, t } from '../engine-plugin/src/index';
import { nodeWebSocketClient, webSocketServer } from '../engine-plugin/src/node';
import { environmentLine, table, writeSection } from './report';
import { fixed, grouped, percentile } from './stats';

const smoke = process.env.BENCH_SMOKE === '1';
const ENTITIES = smoke ? 2_000 : 20_000;
const RUNS = smoke ? 1 : 7;

interface Run {
  frames: number;
  bytes: number;
  flushMs: number;
  joinMs: number;
}

async function join(maxFrameBytes: number): Promise<Run> {
  const Body = defineComponent(
    'body',
    { a: t.f64(), b: t.f64(), c: t.f64(), d: t.f64(), e: t.f64(), f: t.f64(), g: t.f64(), h: t.f64() },
    { capacity: 32_768 },
  );
  const protocol = defineProtocol({ components: [Body] });
  const settings = { maxFrameBytes, maxMessageBytes: Math.min(64 * 1024, maxFrameBytes / 2), bytesPerSecond: 0 };
  const transport = webSocketServer({ host: '127.0.0.1', port: 0, maxPayload: maxFrameBytes });
  const server = createServer(createWorld(), protocol, { transport, logger: silentLogger, settings });
  await server.start();
  const world = server.world;
  for (let i = 0; i < ENTITIES; i++) {
    const eid = addEntity(world);
    addComponent(world, eid, Body);
    Body.a[eid] = i / 3;
    Body.h[eid] = -i / 7;
    addComponent(world, eid, Networked);
  }
  server.receive();
  server.replicate();
  server.flush();
  const client = createClient(createWorld(), cloneProtocol(protocol).protocol, {
    transport: nodeWebSocketClient(`ws://127.0.0.1:${transport.port}/ws`),
    logger: silentLogger,
    reconnect: false,
    settings,
  });
  let flushMs = 0;
  const started = performance.now();
  client.connect();
  try {
    while (client.replication.serverIds().length < ENTITIES) {
      if (performance.now() - started > 30_000) throw new Error('the joiner did not get the world in 30 s');
      await new Promise((resolve) => setTimeout(resolve, 2));
      server.receive();
      server.replicate();
      const before = performance.now();
      server.flush();
      flushMs += performance.now() - before;
      client.receive();
      client.flush();
    }
    const joinMs = performance.now() - started;
    const stats = server.connection(client.id)!.stats;
    return { frames: stats.framesOut, bytes: stats.bytesOut, flushMs, joinMs };
  } finally {
    client.disconnect();
    await server.stop();
  }
}

// Smoke worlds are small: a 32 KiB limit still makes them split.
const limits = [smoke ? 32 << 10 : 1 << 20, 8 << 20] as const;
const runs = new Map<number, Run[]>(limits.map((limit) => [limit, []]));
// One unmeasured join each first, so neither row pays for the JIT alone.
for (const limit of limits) await join(limit);
for (let i = 0; i < RUNS; i++) for (const limit of limits) runs.get(limit)!.push(await join(limit));
const label = (limit: number): string => (limit >= 1 << 20 ? `${limit >> 20} MiB` : `${limit >> 10} KiB`);

const median = (values: readonly number[]): number => percentile(values, 50);
const rows = limits.map((limit) => {
  const r = runs.get(limit)!;
  return [
    `${label(limit)}${limit === limits[0] ? `${limit === 1 << 20 ? ' (default)' : ''}: split` : ': one frame'}`,
    grouped(median(r.map((x) => x.frames))),
    grouped(median(r.map((x) => x.bytes))),
    fixed(median(r.map((x) => x.flushMs))),
    fixed(median(r.map((x) => x.joinMs)), 0),
  ];
});
const split = runs.get(limits[0])!;
const whole = runs.get(limits[1])!;
const flushRatio = median(split.map((x) => x.flushMs)) / median(whole.map((x) => x.flushMs));
const joinRatio = median(split.map((x) => x.joinMs)) / median(whole.map((x) => x.joinMs));

writeSection(
  'frame-split',
  `## Big snapshots over several frames

${environmentLine()} \`npm run bench:frame-split\` (bench/frame-split.ts): a client joins a world of ${grouped(ENTITIES)} entities × 8 f64 over ws on 127.0.0.1, median of ${RUNS} runs per row, rows alternating. Frames and bytes are everything the server sent that client until it held the whole world (Welcome and pings included).

${table(['frame limit', 'frames', 'bytes', 'server flush ms', 'join ms'], rows)}

Split / one frame: server flush ×${fixed(flushRatio)}, join ×${fixed(joinRatio)} — the price of cutting the snapshot between entity records (one extra pass over it) on the one tick that carries it; steady ticks that fit a frame never take that path.
`,
);
