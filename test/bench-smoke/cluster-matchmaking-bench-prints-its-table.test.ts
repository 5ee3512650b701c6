import { benchmarkPrintsItsTable } from './bench-smoke';

benchmarkPrintsItsTable('bench/cluster-matchmaking.ts', '## Matchmaking over Redis', /→ 20 rooms, at most 5 in one, 0 twins, 0 failed.*\n[\s\S]*HGETALL 0, KEYS 0, SCAN 0\./);
