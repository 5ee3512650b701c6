#!/usr/bin/env node
// `tickwire inspect ws://host:port/path`: the protocol inspector. It runs the compiled CLI on plain
// Node. Only inside the tickwire repository, where dist/ may not be built yet, does it fall back
// to the TypeScript sources through tsx.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/inspect/cli.js', import.meta.url);
let main;
if (existsSync(compiled)) {
  ({ main } = await import(compiled.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/inspect/cli.ts'));
}
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(`tickwire: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
