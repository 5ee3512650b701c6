import { benchmarkPrintsItsTable } from './bench-smoke';

benchmarkPrintsItsTable('bench/frame-split.ts', '## Big snapshots over several frames', /\| 32 KiB: split \| \d+ \| [\d,]+ \|/);
