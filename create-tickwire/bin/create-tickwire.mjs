#!/usr/bin/env node
// `npm create tickwire my-game` / `npx create-tickwire my-game [--tickwire <version|tarball>]`:
// writes a new game — shared definitions, headless server, Vite browser client, one test.
import { main } from '../src/create.mjs';

try {
  process.exitCode = main(process.argv.slice(2), process.cwd());
} catch (error) {
  console.error(`create-tickwire: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
