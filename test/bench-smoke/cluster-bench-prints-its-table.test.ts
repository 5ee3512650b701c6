import { benchmarkPrintsItsTable } from './bench-smoke';

benchmarkPrintsItsTable('bench/cluster.ts', '## Cluster over Redis', /\| 10,000 \| [\d,]+ \| 0 \| [\d.]+ \| [\d.]+ \|[\s\S]*\| cross node \(through Redis\) \| \d+ \| [\d.]+ \|/);
