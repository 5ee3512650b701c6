/**
 * Inside the repository, `tickwire`, `tickwire/node`, `tickwire/testing` and `tickwire/cluster` resolve to the library's
 * sources, so tests, the demo and benchmarks never depend on a previous build of dist/ (the package's
 * `exports`). tsconfig.json `paths` says the same for tsc and tsx.
 */
import { fileURLToPath } from 'node:url';

const source = (file: string): string => fileURLToPath(new URL(`../engine-plugin/src/${file}`, import.meta.url));

/** Vite / vitest `resolve.alias` entries, most specific first. */
export const tickwireSourceAliases = [
  { find: /^tickwire\/node$/, replacement: source('node.ts') },
  { find: /^tickwire\/testing$/, replacement: source('testing.ts') },
  { find: /^tickwire\/cluster$/, replacement: source('cluster.ts') },
  { find: /^tickwire$/, replacement: source('index.ts') },
];
