import { benchmarkPrintsItsTable } from './bench-smoke';

benchmarkPrintsItsTable('bench/matchmaking.ts', '## Matchmaking, embedded', /\| 10 rooms \| [\d.]+ \|/);
