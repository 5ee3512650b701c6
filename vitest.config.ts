import { defineConfig } from 'vitest/config';
import { tickwireSourceAliases } from './scripts/source-aliases.ts';

export default defineConfig({
  resolve: { alias: tickwireSourceAliases },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // vitest's default is one worker per core but one: a single worker on the 2-core CI, every
    // file after the other. Most files wait on sockets, timers and child processes (redis-server,
    // demo nodes, Chromium, npm), not on the CPU, so three run side by side. VITEST_MAX_WORKERS
    // overrides it (1 to run files one at a time).
    maxWorkers: 3,
    reporters: ['default'],
  },
});
