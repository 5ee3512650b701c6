import { benchmarkPrintsItsTable } from './bench-smoke';

benchmarkPrintsItsTable('bench/load/run.ts', '## Load', /\| 100 \| [\d,]+ \|/);
