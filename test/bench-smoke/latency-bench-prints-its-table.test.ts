import { benchmarkPrintsItsTable } from './bench-smoke';

benchmarkPrintsItsTable('bench/latency.ts', '## Round-trip latency', /\| tickwire immediate \(`tickOnArrival`\) \| \d/);
