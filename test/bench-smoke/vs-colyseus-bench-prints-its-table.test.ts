import { benchmarkPrintsItsTable } from './bench-smoke';

benchmarkPrintsItsTable('bench/vs-colyseus.ts', '## End to end against Colyseus', /\| 20 \| tickwire \| 20 \| [\d.]+ \|/);
