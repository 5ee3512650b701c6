/**
 * A benchmark in its smoke mode (tiny counts, nothing written to docs/benchmarks.md): it must exit
 * 0 and print its table, so none of them can rot between full runs. One test file per benchmark,
 * so the slow ones run beside the rest of the suite instead of one after the other.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** How long a smoke run may take before it is killed (and its output shown). */
const SMOKE_TIMEOUT_MS = 60_000;

function runSmoke(script: string): Promise<{ code: number | null; output: string }> {
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
    const timer = setTimeout(() => child.kill('SIGKILL'), SMOKE_TIMEOUT_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The test of one benchmark: `script` exits 0 and prints `heading` and a row matching `row`. */
export function benchmarkPrintsItsTable(script: string, heading: string, row: RegExp): void {
  it(`${script} exits 0 and prints its table`, { timeout: SMOKE_TIMEOUT_MS + 5000 }, async () => {
    const { code, output } = await runSmoke(script);
    expect(output).toContain(heading);
    expect(output).toMatch(row);
    expect(code, output).toBe(0);
  });
}
