/**
 * Every benchmark runs in its smoke mode (tiny counts, nothing written to docs/benchmarks.md)
 * and prints its table, so none of them can rot between full runs.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

function runSmoke(script: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: root,
      env: { ...process.env, BENCH_SMOKE: '1', BENCH_NO_WRITE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe.sequential('benchmarks in smoke mode', () => {
  const cases: readonly [string, string, RegExp][] = [
    ['bench/replication.ts', '## Replication', /\| 50 \| 100 % \| [\d.]+ \|/],
    ['bench/latency.ts', '## Round-trip latency', /\| tickwire immediate \(`tickOnArrival`\) \| \d/],
    ['bench/throughput.ts', '## Throughput and overhead', /\| tickwire, 100 messages per tick \| [\d,]+ \|/],
    ['bench/compression.ts', '## Compression', /\| on \| [\d,]+ \|/],
    ['bench/frame-split.ts', '## Big snapshots over several frames', /\| 32 KiB: split \| \d+ \| [\d,]+ \|/],
    ['bench/load/run.ts', '## Load', /\| 100 \| [\d,]+ \|/],
    ['bench/idle-memory.ts', '## Memory per idle connection', /\| tickwire \| 50 \| 0 \| [\d.]+ \|/],
    ['bench/vs-colyseus.ts', '## End to end against Colyseus', /\| 20 \| tickwire \| 20 \| [\d.]+ \|/],
    ['bench/matchmaking.ts', '## Matchmaking, embedded', /\| 10 rooms \| [\d.]+ \|/],
    ['bench/cluster.ts', '## Cluster over Redis', /\| 10,000 \| [\d,]+ \| 0 \| [\d.]+ \| [\d.]+ \|[\s\S]*\| cross node \(through Redis\) \| \d+ \| [\d.]+ \|/],
    ['bench/cluster-matchmaking.ts', '## Matchmaking over Redis', /→ 20 rooms, at most 5 in one, 0 twins, 0 failed.*\n[\s\S]*HGETALL 0, KEYS 0, SCAN 0\./],
    ['bench/feel.ts', '## Game feel in Chromium', /\| own player: frames without movement \| [\d.]+ % \|/],
    ['bench/bundle-size.ts', '## Browser bundle size', /\| tickwire \(with bitecs\) \| [\d.]+ kB \| \*\*[\d.]+ kB\*\* \|/],
  ];
  for (const [script, heading, row] of cases) {
    it(`${script} exits 0 and prints its table`, { timeout: 45_000 }, async () => {
      const { code, output } = await runSmoke(script, 40_000);
      expect(output).toContain(heading);
      expect(output).toMatch(row);
      expect(code, output).toBe(0);
    });
  }
});
