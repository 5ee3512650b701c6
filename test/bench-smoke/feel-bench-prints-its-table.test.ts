import { benchmarkPrintsItsTable } from './bench-smoke';

benchmarkPrintsItsTable('bench/feel.ts', '## Game feel in Chromium', /\| own player: frames without movement \| [\d.]+ % \|/);
