/**
 * tickwire as a user gets it: `npm pack -w engine-plugin`, installed into a fresh project outside
 * the repository, then used with plain Node, three tsconfigs under TypeScript 5.9 and 7, Vite, and
 * the CLI — never the repository's sources.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify, stripVTControlCharacters } from 'node:util';
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
let tickwireTarball: string;
/** create-tickwire's game, written and installed while the package's own checks run. */
let starterGame: Promise<string> | undefined;

/** Every entry of the installed package's `exports` (`tickwire`, `tickwire/node`, …), so a new one is checked too. */
function packedEntries(): string[] {
  const pkg = JSON.parse(readFileSync(join(project, 'node_modules', 'tickwire', 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  return Object.keys(pkg.exports)
    .filter((key) => key !== './package.json')
    .map((key) => (key === '.' ? 'tickwire' : `tickwire/${key.slice(2)}`));
}

/** A file importing every entry, so each entry's declarations are type-checked with the user's tsconfig. */
function entryImports(): string {
  return `${packedEntries()
    .map((entry, i) => `import * as entry${i} from '${entry}';`)
    .join('\n')}\nexport const entries = [${packedEntries()
    .map((_, i) => `entry${i}`)
    .join(', ')}];\n`;
}

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'tickwire-user-'));
  // One after the other: each pack runs its package's prepack.
  await run('npm', ['pack', '-w', 'engine-plugin', '--pack-destination', project], { cwd: root });
  await run('npm', ['pack', '-w', 'create-tickwire', '--pack-destination', project], { cwd: root });
  const tarballs = readdirSync(project).filter((f) => f.endsWith('.tgz'));
  const tarball = tarballs.find((f) => f.startsWith('tickwire-'));
  const starter = tarballs.find((f) => f.startsWith('create-tickwire-'));
  if (!tarball || !starter) throw new Error(`npm pack wrote ${tarballs.join(', ') || 'no tarball'}`);
  tickwireTarball = join(project, tarball);
  const bitecs = JSON.parse(readFileSync(join(root, 'node_modules', 'bitecs', 'package.json'), 'utf8')).version;
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'a-game',
      private: true,
      type: 'module',
      dependencies: { tickwire: `file:./${tarball}`, bitecs },
      devDependencies: { 'create-tickwire': `file:./${starter}` },
    }),
  );
  for (const file of readdirSync(fixture)) copyFileSync(join(fixture, file), join(project, file));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: project, timeout: 120_000 });
  starterGame = writeAndInstallStarterGame();
  // Awaited (and its failure reported) by the starter's tests; not an unhandled rejection before.
  starterGame.catch(() => {});
}, 180_000);

/** What `npm create tickwire` runs, pointed at the packed tickwire (the registry has no release to install). */
async function writeAndInstallStarterGame(): Promise<string> {
  const bin = join(project, 'node_modules', '.bin', 'create-tickwire');
  const { stdout } = await run(bin, ['dot-game', '--tickwire', tickwireTarball], { cwd: project });
  if (!stdout.includes('npm install')) throw new Error(`create-tickwire did not say to run npm install:\n${stdout}`);
  const game = join(project, 'dot-game');
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: game, timeout: 200_000 });
  return game;
}

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

  it('carries what its source maps name: every source is inlined or a file in the package', () => {
    const pkg = join(project, 'node_modules', 'tickwire');
    const maps = readdirSync(pkg, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    const unresolved: string[] = [];
    for (const file of maps) {
      const map = JSON.parse(readFileSync(join(pkg, file), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[]; sourceRoot?: string };
      map.sources.forEach((source, i) => {
        if (typeof map.sourcesContent?.[i] === 'string' && map.sourcesContent[i] !== '') return;
        if (!existsSync(join(pkg, dirname(file), map.sourceRoot ?? '', source))) unresolved.push(`${file} → ${source}`);
      });
    }
    expect(unresolved).toEqual([]);
  });

  it('`npm publish --dry-run` is clean for tickwire and create-tickwire: no warning but the missing login', async () => {
    for (const workspace of ['engine-plugin', 'create-tickwire']) {
      // The packs above ran prepack already; publishing would run it again to the same result.
      const { stderr } = await run('npm', ['publish', '--dry-run', '--ignore-scripts', '-w', workspace], { cwd: root });
      const warnings = stderr.split('\n').filter((line) => /^npm (warn|error)/i.test(line) && !/requires you to be logged in/.test(line));
      expect(warnings, workspace).toEqual([]);
      expect(stderr, workspace).toMatch(/npm notice total files: \d+/);
    }
  });

  it('imports every entry its exports map declares on plain node', async () => {
    const entries = packedEntries();
    expect(entries).toEqual(expect.arrayContaining(['tickwire', 'tickwire/node', 'tickwire/testing']));
    const script = entries.map((entry) => `await import(${JSON.stringify(entry)});`).join('\n');
    await run('node', ['--input-type=module', '-e', script], { cwd: project });
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
        writeFileSync(join(dir, 'entries.ts'), entryImports());
        if (name === 'tsc --init') {
          await run('node', [tsc['5.9'], '--init'], { cwd: dir });
          const init = readFileSync(join(dir, 'tsconfig.json'), 'utf8');
          expect(init).toMatch(/"module": "nodenext"/);
          writeFileSync(join(dir, 'tsconfig.json'), init.replace('"skipLibCheck": true', '"skipLibCheck": false'));
        } else {
          writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: TSCONFIGS[name], include: ['*.ts'] }));
        }
        const result = await run('node', [tsc[version], '--noEmit', '-p', dir], { cwd: dir }).then(
          ({ stdout }) => stdout,
          (error: { stdout: string }) => error.stdout,
        );
        expect(result.split('\n').filter((line) => line.startsWith('../node_modules/tickwire'))).toEqual([]);
        // Nothing in the user's file either: under `tsc --init`'s `declaration: true` every inferred
        // type of an exported definition must be nameable from tickwire's entries (no TS2742/TS2883).
        expect(result).toBe('');
        // About 3 s of CPU for TypeScript 5.9 (it checks every lib .d.ts); the shared machine can stretch that many times.
      }, 150_000);
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

describe('create-tickwire from its tarball', () => {
  let game: string;

  beforeAll(async () => {
    if (!starterGame) throw new Error('the package was not installed');
    game = await starterGame;
  }, 240_000);

  it('writes a game that depends on the tarball it was given', () => {
    const pkg = JSON.parse(readFileSync(join(game, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string> };
    expect(pkg.name).toBe('dot-game');
    expect(pkg.dependencies.tickwire).toBe(`file:${tickwireTarball}`);
    expect(readdirSync(game)).toEqual(expect.arrayContaining(['shared', 'server', 'client', 'test', '.gitignore', 'README.md']));
  });

  it('passes its own `npm test` (type-check, then its tickwire/testing test)', async () => {
    const { stdout } = await run('npm', ['test'], { cwd: game, timeout: 150_000 });
    expect(stripVTControlCharacters(stdout)).toMatch(/Tests\s+1 passed \(1\)/);
  }, 150_000);

  it('`npm start -- --port 0` builds the client, serves it, and a Node player gets its dot within 5 s', async () => {
    const server = spawn('npm', ['start', '--', '--port', '0'], { cwd: game, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    server.stdout.on('data', (chunk: Buffer) => (output += chunk));
    server.stderr.on('data', (chunk: Buffer) => (output += chunk));
    const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "listening on" within 90 s:\n${output}`)), 90_000);
        server.stdout.on('data', () => {
          const match = /listening on http:\/\/localhost:(\d+)/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(Number(match[1]));
          }
        });
        server.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
      });
      const page = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text());
      expect(page).toContain('<canvas id="field"');
      const script = /src="(\/assets\/[^"]+\.js)"/.exec(page)?.[1];
      expect((await fetch(`http://127.0.0.1:${port}${script}`)).headers.get('content-type')).toBe('text/javascript');
      writeFileSync(join(game, 'probe.ts'), readFileSync(join(fixture, 'starter-probe.ts.txt'), 'utf8'));
      const { stdout } = await run(join(game, 'node_modules', '.bin', 'tsx'), ['probe.ts', String(port)], { cwd: game, timeout: 20_000 });
      const probe = JSON.parse(stdout) as { owned: number; players: number; ms: number };
      expect(probe.owned).toBe(1);
      expect(probe.players).toBeGreaterThanOrEqual(1);
      expect(probe.ms).toBeLessThan(5000);
    } finally {
      if (server.pid !== undefined && server.exitCode === null) process.kill(-server.pid, 'SIGTERM');
      await exited;
    }
  }, 150_000);
});
