import { availableParallelism, loadavg } from 'node:os';
import { defineConfig } from 'vitest/config';
import { tickwireSourceAliases } from './scripts/source-aliases.ts';

/**
 * vitest's default is one worker per core but one: a single worker on the 2-core CI, every file
 * after the other. Most files wait on sockets, timers and child processes (redis-server, demo
 * nodes, Chromium, npm), not on the CPU, so on a quiet machine one more than the cores run side by
 * side. On a machine already busier than its cores (a shared development box) extra workers only
 * stretch every timer-bound test, so there it is vitest's default. VITEST_MAX_WORKERS overrides
 * both (1 runs the files one at a time).
 */
function workers(): number {
  const cores = availableParallelism();
  return loadavg()[0]! < cores ? cores + 1 : Math.max(1, cores - 1);
}

export default defineConfig({
  resolve: { alias: tickwireSourceAliases },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: workers(),
    reporters: ['default'],
  },
});
