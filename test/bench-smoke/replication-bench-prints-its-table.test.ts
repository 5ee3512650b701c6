import { benchmarkPrintsItsTable } from './bench-smoke';

benchmarkPrintsItsTable('bench/replication.ts', '## Replication', /\| 50 \| 100 % \| [\d.]+ \|/);
