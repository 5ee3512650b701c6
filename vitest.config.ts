import { defineConfig } from 'vitest/config';
import { tickwireSourceAliases } from './scripts/source-aliases.ts';

export default defineConfig({
  resolve: { alias: tickwireSourceAliases },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
