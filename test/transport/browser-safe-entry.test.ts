import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const transportDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../engine-plugin/src/transport');

/** Every module specifier reachable from `entry` through relative imports and re-exports. */
function reachableImports(entry: string): { files: string[]; external: string[] } {
  const files: string[] = [];
  const external = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.includes(file)) continue;
    files.push(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)) {
      const specifier = (match[1] ?? match[2])!;
      if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier).replace(/\.js$/, '.ts'));
      else external.add(specifier);
    }
  }
  return { files, external: [...external] };
}

it('keeps ws and node:* out of everything the browser-safe transport entry reaches', () => {
  const { files, external } = reachableImports(resolve(transportDir, 'index.ts'));
  expect(files.map((file) => file.slice(transportDir.length + 1))).toEqual(
    expect.arrayContaining(['index.ts', 'transport.ts', 'clock.ts', 'websocket-client.ts', 'memory.ts', 'link-conditioner.ts']),
  );
  expect(files.some((file) => file.endsWith('websocket-server.ts'))).toBe(false);
  expect(external).toEqual([]);
});

it('exposes the Node transports from the node entry', () => {
  const { external } = reachableImports(resolve(transportDir, 'node.ts'));
  expect(external).toContain('ws');
});
