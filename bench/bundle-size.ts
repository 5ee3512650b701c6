/**
 * What a browser downloads for networking: the same small client (bench/bundle-size/*.ts) on
 * tickwire and on the Colyseus SDK, each built by Vite for production exactly as a game's client
 * would be, gzipped. tickwire is the compiled package (tsc with engine-plugin/tsconfig.build.json,
 * into a temporary directory under node_modules/.cache, never the repository's dist/), reached through its `browser` entry.
 *
 *   npm run bench:bundle-size      writes the `bundle-size` section of docs/benchmarks.md
 *
 * Sizes are deterministic: no repetitions, no machine noise.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { build } from 'vite';
import { environmentLine, table, writeSection } from './report';

const root = join(import.meta.dirname, '..');
const entries = join(import.meta.dirname, 'bundle-size');

interface Bundle {
  readonly name: string;
  readonly minified: number;
  readonly gzip: number;
  readonly brotli: number;
  readonly modules: number;
}

function version(pkg: string): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

/** A production build of one entry, all of its imports bundled into one chunk. */
async function bundle(name: string, entry: string, alias: Record<string, string>): Promise<Bundle> {
  const output = await build({
    configFile: false,
    logLevel: 'silent',
    root: entries,
    resolve: { alias },
    build: { write: false, rollupOptions: { input: join(entries, entry) }, modulePreload: false },
  });
  const chunks = (Array.isArray(output) ? output : [output]).flatMap((o) => ('output' in o ? o.output : []));
  const js = chunks.filter((c) => c.type === 'chunk');
  const code = Buffer.from(js.map((c) => ('code' in c ? c.code : '')).join('\n'));
  const modules = js.reduce((n, c) => n + ('modules' in c ? Object.keys(c.modules).length : 0), 0);
  return { name, minified: code.length, gzip: gzipSync(code, { level: 9 }).length, brotli: brotliCompressSync(code).length, modules };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

async function main(): Promise<void> {
  // Inside the repository's node_modules, so that the compiled files find tickwire's dependencies.
  mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
  const compiled = mkdtempSync(join(root, 'node_modules', '.cache', 'tickwire-dist-'));
  try {
    execFileSync(
      process.execPath,
      [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'engine-plugin', 'tsconfig.build.json'), '--outDir', compiled, '--declaration', 'false', '--declarationMap', 'false', '--sourceMap', 'false', '--inlineSources', 'false'],
      { stdio: 'inherit' },
    );
    const tickwire = await bundle('tickwire (with bitecs)', 'tickwire-client.ts', { tickwire: join(compiled, 'index.js') });
    const colyseus = await bundle('@colyseus/sdk', 'colyseus-client.ts', {});
    const rows = [tickwire, colyseus].map((b) => [b.name, kb(b.minified), `**${kb(b.gzip)}**`, kb(b.brotli), b.modules]);
    const ratio = tickwire.gzip / colyseus.gzip;
    writeSection(
      'bundle-size',
      [
        '## Browser bundle size (`npm run bench:bundle-size`)',
        '',
        environmentLine(),
        '',
        `One small client (join, draw every player each frame, send the keys, read chat; \`bench/bundle-size/\`) built twice by Vite ${version('vite')} for production — ` +
          `once on tickwire ${version('tickwire')} (the compiled package, its browser entry, bitecs ${version('bitecs')} bundled in), ` +
          `once on @colyseus/sdk ${version('@colyseus/sdk')} (with the @colyseus/schema decoder it depends on). gzip at level 9, brotli at its default.`,
        '',
        table(['client', 'minified', 'gzip', 'brotli', 'modules'], rows),
        '',
        `The tickwire client is **${ratio.toFixed(2)}×** the gzipped size of the Colyseus one (${kb(tickwire.gzip)} vs ${kb(colyseus.gzip)}).`,
      ].join('\n'),
    );
  } finally {
    rmSync(compiled, { recursive: true, force: true });
  }
}

await main();
