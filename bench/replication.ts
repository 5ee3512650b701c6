/**
 * Replication benchmark: bytes and CPU per tick of tickwire against @colyseus/schema 5 (a
 * MapSchema of the same entities) and plain MessagePack of the changed entities, in one run.
 *
 *   npx tsx bench/replication.ts              full run, writes its section of docs/benchmarks.md
 *   BENCH_SMOKE=1 BENCH_NO_WRITE=1 npx tsx bench/replication.ts   seconds, for CI
 *
 * Server CPU counts what each library needs per tick to notice and encode changes: tickwire's
 * typed-array writes + replicate + writeState; Colyseus's tracked property assignments (its
 * change detection lives in the setters) + encode + discardChanges; msgpack's encode of the
 * changed entities. Client CPU is decoding and applying the same tick.
 */
import { decode as msgpackDecode, encode as msgpackEncode } from '@msgpack/msgpack';
import { Decoder, Encoder, schema, t as ct } from '@colyseus/schema';
import { ByteReader, ByteWriter } from '../engine-plugin/src/protocol';
import { ServerReplication } from '../engine-plugin/src/replication';
import { defineProtocol } from '../engine-plugin/src/schema';
import { bodyComponent, replicatedPair } from './replication-fixture';
import { environmentLine, table, writeSection } from './report';

/**
 * CPU time of this process in ms (user + system, every thread: a library's background GC work
 * counts against it). On a shared machine wall time also counts the slices other processes ran
 * in; CPU time counts only the work done.
 */
function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

const smoke = process.env.BENCH_SMOKE === '1';
/** BENCH_QUICK=1: the 10,000-entity rows only, 3 runs — minutes while developing, not for docs. */
const quick = process.env.BENCH_QUICK === '1';
/** BENCH_SIZES=100,1000 / BENCH_MOVING=0.01: only those rows, while developing (with BENCH_NO_WRITE=1; not for docs). */
const listed = (name: string): number[] | undefined => process.env[name]?.split(',').map(Number);
const SIZES = listed('BENCH_SIZES') ?? (smoke ? [50] : quick ? [10_000] : [100, 1_000, 10_000]);
const MOVING = listed('BENCH_MOVING') ?? (smoke ? [1, 0.1] : [1, 0.1, 0.01]);
const TICKS = smoke ? 5 : 40;
const RUNS = smoke ? 1 : quick ? 3 : 7;
const SAME_VIEW_CLIENTS = 100;
/** Fields of the benchmark entity (x, y, angle, hp, name). */
const FIELDS = 5;

/** A seeded PRNG so every library sees the same motion. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

// Colyseus's default 8 KB buffer is regrown, with a warning, by every encode larger than it; a
// server tuned for this state size sets it once, and so does the benchmark.
Encoder.BUFFER_SIZE = 512 * 1024;

const ColyEntity = schema({ x: ct.float32(), y: ct.float32(), angle: ct.float32(), hp: ct.uint8(), name: ct.string() }, 'Entity');
const ColyState = schema({ entities: ct.map(ColyEntity) }, 'State');
type ColyEntityInstance = InstanceType<typeof ColyEntity>;

/** The world every library replicates: plain arrays, moved by one deterministic script. */
interface Motion {
  x: Float64Array;
  y: Float64Array;
  angle: Float64Array;
  hp: Uint8Array;
  vx: Float64Array;
  vy: Float64Array;
  moving: Int32Array;
}

function createMotion(n: number, fraction: number, random: () => number): Motion {
  const m: Motion = {
    x: new Float64Array(n),
    y: new Float64Array(n),
    angle: new Float64Array(n),
    hp: new Uint8Array(n),
    vx: new Float64Array(n),
    vy: new Float64Array(n),
    moving: new Int32Array(Math.round(n * fraction)),
  };
  for (let i = 0; i < n; i++) {
    m.x[i] = random() * 1000;
    m.y[i] = random() * 1000;
    m.angle[i] = random() * 6;
    m.hp[i] = 100;
    // Up to 4 units/s at 60 Hz: walking speed in a typical 2D game.
    m.vx[i] = (random() - 0.5) * 0.13;
    m.vy[i] = (random() - 0.5) * 0.13;
  }
  for (let i = 0; i < m.moving.length; i++) m.moving[i] = Math.floor((i * n) / m.moving.length);
  return m;
}

/** One tick of motion: moving entities walk and turn; now and then one is hurt. */
function step(m: Motion, tick: number): void {
  for (let k = 0; k < m.moving.length; k++) {
    const i = m.moving[k]!;
    m.x[i] += m.vx[i]!;
    m.y[i] += m.vy[i]!;
    m.angle[i] += 0.02;
    if ((i + tick) % 97 === 0) m.hp[i] = (m.hp[i]! + 250) % 256;
  }
}

/**
 * The values of the moving entities (x, y, angle, hp per entity) for ticks `from + 1 ..= from +
 * count`, computed before any timing: each library's timed loop only copies them into its own
 * state, the same work for all.
 */
function motionFrames(m: Motion, from: number, count: number): Float64Array[] {
  const frames: Float64Array[] = [];
  for (let tick = from + 1; tick <= from + count; tick++) {
    step(m, tick);
    const f = new Float64Array(m.moving.length * 4);
    for (let k = 0; k < m.moving.length; k++) {
      const i = m.moving[k]!;
      f[4 * k] = m.x[i]!;
      f[4 * k + 1] = m.y[i]!;
      f[4 * k + 2] = m.angle[i]!;
      f[4 * k + 3] = m.hp[i]!;
    }
    frames.push(f);
  }
  return frames;
}

/** Entity values precomputed per timed chunk: bounds the frames' memory at 100 % motion. */
const CHUNK_VALUES = 200_000;

/**
 * Run `ticks` timed ticks (after {@link WARM_TICKS} untimed ones) of one library: `server`
 * applies a tick's values and returns the bytes it would send, `client` decodes them. Frames are
 * computed in chunks before each chunk is timed; server and client are each timed once per chunk
 * (timing each tick would add the timer's own cost, more than a whole tick in the small rows).
 */
function timeRun(motion: Motion, ticks: number, server: (frame: Float64Array) => Uint8Array, client: (bytes: Uint8Array) => void): Result {
  let serverMs = 0;
  let clientMs = 0;
  let bytes = 0;
  const chunk = Math.max(1, Math.floor(CHUNK_VALUES / Math.max(1, motion.moving.length)));
  const warm = motionFrames(motion, 0, WARM_TICKS);
  for (const f of warm) client(server(f));
  for (let done = 0; done < ticks; ) {
    const count = Math.min(chunk, ticks - done);
    const frames = motionFrames(motion, WARM_TICKS + done, count);
    const sent: Uint8Array[] = [];
    let t0 = cpuMs();
    for (let i = 0; i < count; i++) sent.push(server(frames[i]!));
    serverMs += cpuMs() - t0;
    t0 = cpuMs();
    for (let i = 0; i < count; i++) client(sent[i]!);
    clientMs += cpuMs() - t0;
    for (const b of sent) bytes += b.length;
    done += count;
  }
  return { bytes: bytes / ticks, serverUs: (serverMs * 1000) / ticks, clientUs: (clientMs * 1000) / ticks };
}

/** Untimed ticks at the start of every run, so each library is timed in its steady state. */
const WARM_TICKS = smoke ? 2 : 10;

interface Result {
  bytes: number;
  serverUs: number;
  clientUs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * tickwire with plain typed-array writes (`marked` false: found by the scan) or with 'marked'
 * tracking, where the game announces each write with `markChanged` (the mark is part of the
 * timed server work, as Colyseus's setters are). `compileEncoders` false runs the generic
 * (eval-free) codecs, the baseline the generated ones are measured against.
 *
 * Server time is one timer around all timed ticks (copying the tick's values in, replicate,
 * writeState, and copying the section out as a socket send would); client time is one timer
 * around decoding those sections in order. Timing each tick separately would add the timer's
 * own cost, which is larger than a whole tick in the small rows.
 */
function runTickwire(n: number, fraction: number, seed: number, ticks: number, marked = false, compiled = true): Result {
  const motion = createMotion(n, fraction, prng(seed));
  const { Body, ClientBody, server, client, w } = replicatedPair(n, (i) => ({ x: motion.x[i]!, y: motion.y[i]!, angle: motion.angle[i]!, hp: motion.hp[i]! }), marked, compiled);
  const moving = motion.moving;
  let serverTick = 0;
  let clientTick = 0;
  const result = timeRun(
    motion,
    ticks,
    (f) => {
      serverTick++;
      for (let k = 0; k < moving.length; k++) {
        const i = moving[k]!;
        Body.x[i] = f[4 * k]!;
        Body.y[i] = f[4 * k + 1]!;
        Body.angle[i] = f[4 * k + 2]!;
        Body.hp[i] = f[4 * k + 3]!;
        if (marked) server.markChanged(i, Body);
      }
      server.replicate(serverTick);
      w.reset();
      server.writeState(1, w);
      return w.written().slice();
    },
    (bytes) => {
      client.beginTick();
      client.apply(new ByteReader(bytes), ++clientTick);
    },
  );
  // The benchmark is only worth quoting if the client really converged.
  for (let k = 0; k < moving.length; k++) {
    const i = moving[k]!;
    const local = client.localId(i)!;
    if (Math.abs(ClientBody.x[local]! - motion.x[i]!) > 0.006 || ClientBody.hp[local] !== motion.hp[i])
      throw new Error(`tickwire client diverged at entity ${i}`);
  }
  return result;
}

function runColyseus(n: number, fraction: number, seed: number, ticks: number): Result {
  const motion = createMotion(n, fraction, prng(seed));
  const state = new ColyState();
  const entities: ColyEntityInstance[] = [];
  for (let i = 0; i < n; i++) {
    const e = new ColyEntity();
    e.x = motion.x[i]!;
    e.y = motion.y[i]!;
    e.angle = motion.angle[i]!;
    e.hp = motion.hp[i]!;
    e.name = `entity-${i}`;
    state.entities.set(String(i), e);
    entities.push(e);
  }
  const encoder = new Encoder(state);
  const clientState = new ColyState();
  const decoder = new Decoder(clientState);
  decoder.decode(encoder.encodeAll());
  encoder.discardChanges();
  const moving = motion.moving;
  const result = timeRun(
    motion,
    ticks,
    (f) => {
      for (let k = 0; k < moving.length; k++) {
        const e = entities[moving[k]!]!;
        e.x = f[4 * k]!;
        e.y = f[4 * k + 1]!;
        e.angle = f[4 * k + 2]!;
        e.hp = f[4 * k + 3]!;
      }
      // encode() returns a view of the encoder's buffer: copy it out, as tickwire's section is.
      const patch = encoder.encode().slice();
      encoder.discardChanges();
      return patch;
    },
    (bytes) => {
      decoder.decode(bytes);
    },
  );
  const probe = motion.moving[0]!;
  if (Math.abs(clientState.entities.get(String(probe))!.x - motion.x[probe]!) > 0.001) throw new Error('Colyseus client diverged');
  return result;
}

function runMsgpack(n: number, fraction: number, seed: number, ticks: number): Result {
  const motion = createMotion(n, fraction, prng(seed));
  const clientX = new Float64Array(n);
  const moving = motion.moving;
  return timeRun(
    motion,
    ticks,
    (f) => {
      const changed: [number, number, number, number, number][] = [];
      for (let k = 0; k < moving.length; k++) changed.push([moving[k]!, f[4 * k]!, f[4 * k + 1]!, f[4 * k + 2]!, f[4 * k + 3]!]);
      return msgpackEncode(changed);
    },
    (bytes) => {
      const decoded = msgpackDecode(bytes) as [number, number, number, number, number][];
      for (const [i, x] of decoded) clientX[i] = x;
    },
  );
}

type Run = (n: number, fraction: number, seed: number, ticks: number) => Result;

const runMarked: Run = (n, fraction, seed, ticks) => runTickwire(n, fraction, seed, ticks, true);
/** The eval-free codecs (generic compare, writer and reader): the baseline the generated ones are measured against. */
const runGeneric: Run = (n, fraction, seed, ticks) => runTickwire(n, fraction, seed, ticks, false, false);

/**
 * Median of {@link RUNS} runs of each library on the same workload. The libraries take turns
 * run by run, so a burst of noise on a shared machine lands on all of them rather than on
 * whichever was being measured; small worlds run more ticks so every run is long enough to time.
 */
function measureAll(runs: readonly Run[], n: number, fraction: number): Result[] {
  // Enough ticks that every run changes about 400,000 entities (at most 4,000 ticks).
  const ticks = smoke ? TICKS : Math.min(4_000, Math.max(TICKS, Math.round(400_000 / Math.max(1, n * fraction))));
  // Warm the JIT on this exact shape before timing.
  for (const run of runs) run(n, fraction, 99, smoke ? 2 : 10);
  const results: Result[][] = runs.map(() => []);
  for (let r = 0; r < RUNS; r++)
    for (let i = 0; i < runs.length; i++) {
      const result = runs[i]!(n, fraction, r + 1, ticks);
      if (process.env.BENCH_DEBUG === "1") console.log(n, fraction, i, JSON.stringify(result));
      results[i]!.push(result);
    }
  return results.map((rs) => ({
    bytes: median(rs.map((x) => x.bytes)),
    serverUs: median(rs.map((x) => x.serverUs)),
    clientUs: median(rs.map((x) => x.clientUs)),
  }));
}

/**
 * The shadow compare's floor: tickwire's server time when nothing moves. Colyseus's setters cost
 * nothing for an entity nobody writes, so this is what bounds the low-motion rows; it is measured
 * in the same interleaved runs as the row it explains.
 */
const runStill: Run = (n, _fraction, seed, ticks) => runTickwire(n, 0, seed, ticks);

/** Extra server µs per additional client sharing one view: the in-sync path is a copy of the view's bytes. */
function perClientCost(n: number, fraction: number): number {
  const samples: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const motion = createMotion(n, fraction, prng(r + 1));
    const Body = bodyComponent();
    const server = new ServerReplication(defineProtocol({ components: [Body] }));
    for (let i = 0; i < n; i++) {
      Body.x[i] = motion.x[i]!;
      Body.name[i] = `entity-${i}`;
      server.spawn(i);
      server.addComponent(i, 0);
    }
    const w = new ByteWriter(1 << 16);
    for (let c = 0; c < SAME_VIEW_CLIENTS; c++) server.addClient(c);
    let extraMs = 0;
    for (let tick = 0; tick <= TICKS; tick++) {
      step(motion, tick);
      for (let k = 0; k < motion.moving.length; k++) {
        const i = motion.moving[k]!;
        Body.x[i] = motion.x[i]!;
        Body.y[i] = motion.y[i]!;
      }
      server.replicate(tick);
      w.reset();
      server.writeState(0, w);
      const t0 = performance.now();
      for (let c = 1; c < SAME_VIEW_CLIENTS; c++) {
        w.reset();
        server.writeState(c, w);
      }
      if (tick > 0) extraMs += performance.now() - t0;
    }
    samples.push((extraMs * 1000) / TICKS / (SAME_VIEW_CLIENTS - 1));
  }
  return median(samples);
}

const f1 = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const ratio = (a: number, b: number) => (b === 0 ? '–' : `${(a / b).toFixed(2)}×`);

// Let V8 tier up every library's hot paths before the first measured row.
for (const run of [runTickwire, runMarked, runColyseus, runMsgpack]) run(smoke ? 50 : 1_000, 1, 98, smoke ? 3 : 100);

const floors: string[] = [];
const perChanged: string[] = [];
const rows: (string | number)[][] = [];
const misses: string[] = [];
let worst = { bytes: 0, server: 0, marked: 0, client: 0 };
for (const n of SIZES) {
  for (const fraction of MOVING) {
    const all = measureAll([runTickwire, runColyseus, runMsgpack, runStill, runMarked, ...(fraction === 1 ? [runGeneric] : [])], n, fraction);
    const [tw, co, mp, still, mk] = all as [Result, Result, Result, Result, Result];
    if (fraction === 1) {
      // Cost of the changed path per changed entity (compare, encode, section copy, client-side
      // excluded): server time with everything moving minus the still world's, over n.
      const generic = all[5]!;
      const compiledNs = ((tw.serverUs - still.serverUs) * 1000) / n;
      const genericNs = ((generic.serverUs - still.serverUs) * 1000) / n;
      const colyseusNs = (co.serverUs * 1000) / n;
      perChanged.push(
        `${n.toLocaleString('en')} entities: generated ${compiledNs.toFixed(0)} ns, generic ${genericNs.toFixed(0)} ns (${(genericNs / compiledNs).toFixed(2)}× fewer with generated code), Colyseus ${colyseusNs.toFixed(0)} ns; client decode + apply ${((tw.clientUs * 1000) / n).toFixed(0)} ns generated, ${((generic.clientUs * 1000) / n).toFixed(0)} ns generic, Colyseus ${((co.clientUs * 1000) / n).toFixed(0)} ns`,
      );
    }
    const floorNs = (still.serverUs * 1000) / (n * FIELDS);
    if (fraction === MOVING[MOVING.length - 1]) floors.push(`${n.toLocaleString('en')} entities: ${f1(still.serverUs)} µs (${floorNs.toFixed(2)} ns per entity-field)`);
    const rb = tw.bytes / co.bytes;
    const rs = tw.serverUs / co.serverUs;
    const rm = mk.serverUs / co.serverUs;
    const rc = tw.clientUs / co.clientUs;
    worst = { bytes: Math.max(worst.bytes, rb), server: Math.max(worst.server, rs), marked: Math.max(worst.marked, rm), client: Math.max(worst.client, rc) };
    if (rb > 0.35) misses.push(`bytes ${n}/${fraction * 100}%: ${rb.toFixed(3)}× > 0.35×`);
    // What the scan alone costs at this size, at the measured floor: no encoder can go below it.
    const floorRatio = still.serverUs / co.serverUs;
    // The server targets apply at 10,000 entities: 1 % moving ≤ 0.5× with plain writes and
    // ≤ 0.2× with marks; 100 % moving ≤ 0.3×.
    if (n === 10_000 && fraction === 0.01) {
      if (rs > 0.5) misses.push(`server CPU (plain writes) ${n}/1%: ${rs.toFixed(2)}× > 0.5× (the scan floor alone: ${floorRatio.toFixed(2)}×)`);
      if (rm > 0.2) misses.push(`server CPU (marked) ${n}/1%: ${rm.toFixed(2)}× > 0.2×`);
    }
    if (n === 10_000 && fraction === 1) {
      if (rs > 0.3) misses.push(`server CPU (plain writes) ${n}/100%: ${rs.toFixed(2)}× > 0.3×`);
      if (rm > 0.3) misses.push(`server CPU (marked) ${n}/100%: ${rm.toFixed(2)}× > 0.3×`);
    }
    if (rc > 0.1) misses.push(`client CPU ${n}/${fraction * 100}%: ${rc.toFixed(2)}× > 0.1×`);
    rows.push([
      n.toLocaleString('en'),
      `${fraction * 100} %`,
      f1(tw.bytes),
      f1(co.bytes),
      f1(mp.bytes),
      ratio(tw.bytes, co.bytes),
      f1(tw.serverUs),
      f1(co.serverUs),
      f1(mp.serverUs),
      ratio(tw.serverUs, co.serverUs),
      f1(mk.serverUs),
      ratio(mk.serverUs, co.serverUs),
      f1(tw.clientUs),
      f1(co.clientUs),
      f1(mp.clientUs),
      ratio(tw.clientUs, co.clientUs),
    ]);
  }
}
const perClientN = smoke ? 50 : 1_000;
const perClient = perClientCost(perClientN, 0.1);
if (perClient > 2) misses.push(`per-client cost ${perClient.toFixed(2)} µs > 2 µs`);

const markdown = [
  '## Replication',
  '',
  environmentLine(),
  '',
  `Entity: x, y, angle (f32, precision 0.01 in tickwire; float32 in Colyseus and float64 in msgpack), hp (u8), name (string, never changes). ` +
    `Moving entities walk up to 4 units/s and turn every tick at 60 Hz; hp changes now and then. ` +
    `Median of ${RUNS} runs per library, the libraries taking turns run by run; each run ${WARM_TICKS} untimed ticks, then enough timed ticks that about 400,000 entity changes are timed (40–4,000 ticks). ` +
    `Every tick's values are computed before timing; time is this process's CPU time (user + system, all threads), one reading per chunk of ticks, so other processes on this shared machine and the timer's own cost stay out. One client; B = bytes of state per tick, µs per tick. ` +
    `Server = writing the tick's values + change detection + encode + copying the bytes out (Colyseus: tracked property writes + encode + discardChanges + copy; msgpack: encode of the changed entities); client = decode + apply of the same ticks, timed separately. ` +
    `"tickwire server" writes the typed arrays directly and is found by the scan; "tickwire marked" declares the component \`marked\` and calls \`markChanged\` after each entity's writes (counted in its time), so only marked entities are compared.`,
  '',
  table(
    ['entities', 'moving', 'tickwire B', 'Colyseus B', 'msgpack B', 'B ratio', 'tickwire server µs', 'Colyseus server µs', 'msgpack server µs', 'server ratio', 'tickwire marked server µs', 'marked ratio', 'tickwire client µs', 'Colyseus client µs', 'msgpack client µs', 'client ratio'],
    rows,
  ),
  '',
  `Ratios are tickwire / Colyseus (targets: bytes ≤ 0.35×, client ≤ 0.1× in every row; server at 10,000 entities: 1 % moving ≤ 0.5× with plain writes and ≤ 0.2× marked, 100 % moving ≤ 0.3×). ` +
    `Worst: bytes ${worst.bytes.toFixed(2)}×, server ${worst.server.toFixed(2)}× (marked ${worst.marked.toFixed(2)}×), client ${worst.client.toFixed(2)}×.`,
  '',
  `Scan floor, tickwire's server time per tick with plain writes and nothing moving (measured alongside the ${MOVING[MOVING.length - 1]! * 100} % rows): ${floors.join('; ')}. ` +
    `With plain writes every numeric column is diffed against the values last sent (in place, by a WebAssembly SIMD kernel, 64 bytes per step, where the component's arrays live in WebAssembly memory; otherwise in JavaScript, quantised float columns as doubles and others as 32-bit words, four per step) and 512 ids of each string field are compared, every tick, while Colyseus's setters cost nothing for an entity nobody writes; marked tracking removes that floor. See docs/architecture.md, "Replication".`,
  '',
  `Server ns per changed entity at 100 % moving (writes, compare, encode, section copy; the still world's time subtracted), generated codecs against the generic eval-free ones in the same interleaved runs: ${perChanged.join('; ')}.`,
  '',
  `${SAME_VIEW_CLIENTS} clients with the same view (${perClientN.toLocaleString('en')} entities, 10 % moving): ${perClient.toFixed(2)} µs extra server time per additional client per tick (target ≤ 2 µs).`,
  '',
  misses.length === 0 ? 'All targets met.' : `Targets missed: ${misses.join('; ')}.`,
].join('\n');

writeSection('replication', markdown);
