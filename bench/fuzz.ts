/**
 * `npm run fuzz`: the long fuzz run. Feeds FUZZ_FRAMES (default 1,000,000) mutated frames to a live
 * server and as many mutated server frames to the client decoders, with a healthy client chatting
 * throughout, bounded by FUZZ_TIME_LIMIT_S (default 900). Prints the counts and writes them into
 * docs/benchmarks.md (section `fuzz`; BENCH_NO_WRITE=1 skips the write). Exits 1 on any violation.
 */
import { closeCodeName } from '../engine-plugin/src/index';
import { DOCUMENTED_BAD_INPUT_CODES, type FuzzReport, runFuzz } from '../test/hardening/support/fuzz-run';
import { environmentLine, table, writeSection } from './report';

const frames = Number(process.env.FUZZ_FRAMES ?? 1_000_000);
const seed = Number(process.env.FUZZ_SEED ?? 20_251_122);
const timeLimitMs = Number(process.env.FUZZ_TIME_LIMIT_S ?? 900) * 1000;

let lastPrint = 0;
const report: FuzzReport = await runFuzz({
  frames,
  seed,
  timeLimitMs,
  framesPerTick: 500,
  onProgress: (r) => {
    if (performance.now() - lastPrint < 5000) return;
    lastPrint = performance.now();
    console.error(`fuzz: ${r.liveFrames.toLocaleString('en')} frames, ${r.connections.toLocaleString('en')} connections, ${r.violations.length} violations`);
  },
});

const n = (x: number) => x.toLocaleString('en');
const closed = Object.values(report.closes).reduce((a, b) => a + b, 0);
const documented = Object.entries(report.closes)
  .filter(([code]) => DOCUMENTED_BAD_INPUT_CODES.has(Number(code)))
  .reduce((a, [, count]) => a + count, 0);
const md = [
  '## Fuzzing',
  '',
  `\`npm run fuzz\` (bench/fuzz.ts, seed ${seed}): ${n(report.liveFrames)} mutated frames to a live server over ` +
    `${n(report.connections)} connections, and ${n(report.decoderFrames)} mutated server frames to the client decoders, ` +
    `in ${(report.durationMs / 1000).toFixed(1)} s. A healthy client chatted through all ${n(report.ticks)} ticks.`,
  '',
  environmentLine(),
  '',
  table(
    ['invariant', 'result'],
    [
      ['exceptions out of a handler, errors logged by the server', report.violations.length === 0 ? '0' : String(report.violations.length)],
      ['fuzzed connections the server closed, with a documented code', `${n(documented)} of ${n(closed)}`],
      ['fuzzed connections left open (only valid frames survived), closed by the fuzzer', n(report.survived)],
      ['fuzzed sessions leaked after the run', report.violations.some((v) => v.includes('still held')) ? 'some' : '0'],
      ['healthy client: chats echoed back in order', `${n(report.healthyEchoed)} of ${n(report.healthySent)}`],
      ['client decoders: refused with ProtocolError / accepted', `${n(report.decoderRefused)} / ${n(report.decoderAccepted)}`],
    ],
  ),
  '',
  table(
    ['close code', 'connections'],
    Object.entries(report.closes)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([code, count]) => [`${code} ${closeCodeName(Number(code))}`, n(count)]),
  ),
  '',
  table(
    ['mutation', 'frames'],
    Object.entries(report.mutations).map(([mutation, count]) => [mutation, n(count)]),
  ),
].join('\n');

writeSection('fuzz', md);
if (report.violations.length > 0) {
  console.error('violations:', report.violations);
  process.exit(1);
}
if (report.liveFrames < frames) console.error(`stopped by the time limit after ${n(report.liveFrames)} of ${n(frames)} frames`);
