/**
 * The starter's command line, run from the repository (test/package runs it from its tarball and
 * installs, starts and tests what it writes).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { STARTER_VERSIONS } from '../../create-tickwire/src/create.mjs';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'create-tickwire', 'bin', 'create-tickwire.mjs');
const work = mkdtempSync(join(tmpdir(), 'create-tickwire-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function create(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run('node', [bin, ...args], { cwd: work }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

const manifest = (dir: string) =>
  JSON.parse(readFileSync(join(work, dir, 'package.json'), 'utf8')) as {
    name: string;
    scripts: Record<string, string>;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };

describe('create-tickwire', () => {
  it('writes shared definitions, a server, a Vite client and a test, and says what to run next', async () => {
    const { code, stdout } = await create('My Game');
    expect(code).toBe(0);
    expect(stdout).toMatch(/cd "?My Game"?\n\s+npm install\n\s+npm start/);
    for (const file of ['shared/protocol.ts', 'server/main.ts', 'server/systems.ts', 'client/index.html', 'client/main.ts', 'test/game.test.ts', 'vite.config.ts', 'vitest.config.ts', 'tsconfig.json', '.gitignore', 'README.md']) {
      expect(existsSync(join(work, 'My Game', file)), file).toBe(true);
    }
    const pkg = manifest('My Game');
    expect(pkg.name).toBe('my-game');
    expect(pkg.scripts).toMatchObject({ start: 'vite build && tsx server/main.ts', test: 'tsc --noEmit && vitest run' });
    const own = JSON.parse(readFileSync(join(root, 'create-tickwire', 'package.json'), 'utf8')) as { version: string };
    expect(pkg.dependencies).toEqual({ bitecs: STARTER_VERSIONS.bitecs, tickwire: `^${own.version}` });
  });

  it('depends on the version or the tarball --tickwire names (a tarball by absolute path)', async () => {
    await create('pinned', '--tickwire', '0.3.1');
    expect(manifest('pinned').dependencies.tickwire).toBe('0.3.1');
    writeFileSync(join(work, 'tickwire-0.1.0.tgz'), '');
    await create('packed', '--tickwire', './tickwire-0.1.0.tgz');
    expect(manifest('packed').dependencies.tickwire).toBe(`file:${join(work, 'tickwire-0.1.0.tgz')}`);
    const missing = await create('nowhere', '--tickwire', './missing.tgz');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('create-tickwire: --tickwire ./missing.tgz: no such file or directory');
    expect(existsSync(join(work, 'nowhere'))).toBe(false);
  });

  it('refuses a directory that has files in it, an unknown option and a missing directory, exiting 2', async () => {
    mkdirSync(join(work, 'taken'));
    writeFileSync(join(work, 'taken', 'notes.txt'), 'mine');
    const taken = await create('taken');
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/taken already exists and is not an empty directory/);
    expect(readFileSync(join(work, 'taken', 'notes.txt'), 'utf8')).toBe('mine');
    expect((await create('x', '--typo')).stderr).toContain('unknown option --typo');
    expect((await create()).stderr).toContain('name the directory to create');
    expect((await create('--help')).stdout).toContain('Usage: create-tickwire <directory>');
  });

  it('gives the game the tool versions tickwire itself is built and tested with', () => {
    const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const demo = JSON.parse(readFileSync(join(root, 'client-demo', 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const tested = { ...rootPkg.devDependencies, ...demo.devDependencies };
    for (const [name, version] of Object.entries(STARTER_VERSIONS)) {
      if (name !== 'bitecs') expect(version, name).toBe(tested[name]);
    }
  });
});
