import { benchmarkPrintsItsTable } from './bench-smoke';

benchmarkPrintsItsTable('bench/idle-memory.ts', '## Memory per idle connection', /\| tickwire \| 50 \| 0 \| [\d.]+ \|/);
