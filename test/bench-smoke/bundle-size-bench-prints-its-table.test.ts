import { benchmarkPrintsItsTable } from './bench-smoke';

benchmarkPrintsItsTable('bench/bundle-size.ts', '## Browser bundle size', /\| tickwire \(with bitecs\) \| [\d.]+ kB \| \*\*[\d.]+ kB\*\* \|/);
