import { benchmarkPrintsItsTable } from './bench-smoke';

benchmarkPrintsItsTable('bench/throughput.ts', '## Throughput and overhead', /\| tickwire, 100 messages per tick \| [\d,]+ \|/);
