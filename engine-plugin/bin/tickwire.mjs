#!/usr/bin/env node
// `tickwire inspect ws://host:port/path`: the protocol inspector. It runs the compiled CLI on plain
// Node. Only inside the tickwire repository (where src/ exists) does it run the TypeScript sources
// through tsx.
import { existsSync } from 'node:fs';

const source = new URL('../src/inspect/cli.ts', import.meta.url);
let main;
if (existsSync(source)) {
  // The repository: its sources, never a possibly stale dist/ (the package ships no src/).
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(source.href));
} else {
  ({ main } = await import('../dist/inspect/cli.js'));
}
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(`tickwire: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
