#!/usr/bin/env node
// `tickwire inspect ws://host:port/path`: the protocol inspector. The library ships as TypeScript
// sources, so the CLI runs them through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/inspect/cli.ts');
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(`tickwire: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
