import { benchmarkPrintsItsTable } from './bench-smoke';

benchmarkPrintsItsTable('bench/compression.ts', '## Compression', /\| on \| [\d,]+ \|/);
