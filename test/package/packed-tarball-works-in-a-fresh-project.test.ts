/**
 * tickwire as a user gets it: `npm pack -w engine-plugin`, installed into a fresh project outside
 * the repository, then used with plain Node, three tsconfigs under TypeScript 5.9 and 7, Vite, and
 * the CLI — never the repository's sources.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const fixture = join(import.meta.dirname, 'fixture');
const tsc = { '5.9': join(root, 'node_modules', 'typescript-5.9', 'bin', 'tsc'), '7': join(root, 'node_modules', '.bin', 'tsc') };

/** The three tsconfigs the declarations must pass with skipLibCheck off. */
const TSCONFIGS: Record<string, Record<string, unknown>> = {
  // Filled in by `tsc --init` of TypeScript 5.9 (nodenext, strict, exactOptionalPropertyTypes, …).
  'tsc --init': {},
  bundler: { module: 'preserve', moduleResolution: 'bundler', target: 'es2022', strict: true, skipLibCheck: false, noEmit: true },
  strictest: {
    module: 'nodenext',
    target: 'es2022',
    strict: true,
    exactOptionalPropertyTypes: true,
    erasableSyntaxOnly: true,
    verbatimModuleSyntax: true,
    skipLibCheck: false,
    noEmit: true,
  },
};

let project: string;

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'tickwire-user-'));
  await run('npm', ['pack', '-w', 'engine-plugin', '--pack-destination', project], { cwd: root });
  const tarball = readdirSync(project).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack wrote no tarball');
  const bitecs = JSON.parse(readFileSync(join(root, 'node_modules', 'bitecs', 'package.json'), 'utf8')).version;
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'a-game', private: true, type: 'module', dependencies: { tickwire: `file:./${tarball}`, bitecs } }),
  );
  for (const file of readdirSync(fixture)) copyFileSync(join(fixture, file), join(project, file));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: project, timeout: 120_000 });
}, 180_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('the packed tickwire in a fresh project', () => {
  it('holds compiled JavaScript, declarations, README, LICENSE and CHANGELOG, and no sources', () => {
    const pkg = join(project, 'node_modules', 'tickwire');
    const files = readdirSync(pkg);
    expect(files).toEqual(expect.arrayContaining(['dist', 'bin', 'README.md', 'LICENSE', 'CHANGELOG.md', 'package.json']));
    expect(files).not.toContain('src');
    expect(readdirSync(join(pkg, 'dist'))).toEqual(expect.arrayContaining(['index.js', 'index.d.ts', 'node.js', 'node.d.ts', 'testing.js', 'testing.d.ts']));
  });

  it('runs on plain node: a client connects to a server within 5 s; webSocketClient without a WebSocket names tickwire/node', async () => {
    const { stdout } = await run('node', ['connect.mjs'], { cwd: project, timeout: 15_000 });
    const result = JSON.parse(stdout) as { heard: string; ms: number; refusal: string };
    expect(result.heard).toBe('hi from node');
    expect(result.ms).toBeLessThan(5000);
    expect(result.refusal).toContain('the tickwire/node entry');
  });

  for (const version of ['5.9', '7'] as const) {
    for (const name of Object.keys(TSCONFIGS)) {
      it(`type-checks with TypeScript ${version} under ${name}, skipLibCheck off`, async () => {
        const dir = join(project, `tsc-${version}-${name.replace(/\W+/g, '-')}`);
        mkdirSync(dir);
        copyFileSync(join(project, 'game.ts'), join(dir, 'game.ts'));
        if (name === 'tsc --init') {
          await run('node', [tsc['5.9'], '--init'], { cwd: dir });
          const init = readFileSync(join(dir, 'tsconfig.json'), 'utf8');
          expect(init).toMatch(/"module": "nodenext"/);
          writeFileSync(join(dir, 'tsconfig.json'), init.replace('"skipLibCheck": true', '"skipLibCheck": false'));
        } else {
          writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: TSCONFIGS[name], include: ['game.ts'] }));
        }
        const result = await run('node', [tsc[version], '--noEmit', '-p', dir], { cwd: dir }).then(
          ({ stdout }) => stdout,
          (error: { stdout: string }) => error.stdout,
        );
        expect(result.split('\n').filter((line) => line.startsWith('../node_modules/tickwire'))).toEqual([]);
        // `tsc --init` turns on `declaration`, and a user's exported `defineComponent(…)` then needs
        // field types tickwire does not export by name yet (TS2742, in the user's file): known gap.
        if (name !== 'tsc --init') expect(result).toBe('');
      }, 60_000);
    }
  }

  it('bundles for the browser with Vite: no Node built-in reaches the client', async () => {
    const warnings: string[] = [];
    const output = await build({
      root: project,
      configFile: false,
      logLevel: 'silent',
      build: { outDir: join(project, 'web'), write: false },
      customLogger: {
        info: () => {},
        warn: (msg) => warnings.push(msg),
        warnOnce: (msg) => warnings.push(msg),
        error: (msg) => warnings.push(msg),
        clearScreen: () => {},
        hasErrorLogged: () => false,
        hasWarned: false,
      },
    });
    const chunks = (Array.isArray(output) ? output : [output]).flatMap((o) => ('output' in o ? o.output : []));
    const code = chunks.map((c) => ('code' in c ? c.code : '')).join('\n');
    expect(code).toContain('tickwire');
    expect(code).not.toMatch(/from ?["']node:|require\(["']node:/);
    expect(warnings.filter((w) => /externalized for browser|node:/.test(w))).toEqual([]);
  }, 60_000);

  it('runs the CLI on plain node without tsx, and says a TypeScript --protocol needs tsx', async () => {
    const bin = join(project, 'node_modules', '.bin', 'tickwire');
    const { stdout } = await run(bin, ['--help'], { cwd: project });
    expect(stdout).toContain('Usage: tickwire inspect');
    writeFileSync(join(project, 'protocol.ts'), 'export const protocol: unknown = {};\n');
    const refused = await run(bin, ['inspect', 'ws://127.0.0.1:1/ws', '--protocol', './protocol.ts'], { cwd: project }).then(
      () => '',
      (error: { stderr: string; code: number }) => `${error.code} ${error.stderr}`,
    );
    expect(refused).toMatch(/^2 tickwire: --protocol \.\/protocol\.ts is TypeScript, which plain Node cannot load: install tsx/);
  });
});
