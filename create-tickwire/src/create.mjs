// @ts-check
/**
 * The starter: copies template/ into a new directory and writes its package.json. Plain Node ESM,
 * no dependencies and no build, so `npx create-tickwire` runs before anything is installed.
 */
import { cpSync, existsSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';

const here = new URL('..', import.meta.url);
const template = new URL('template/', here);
const own = JSON.parse(readFileSync(new URL('package.json', here), 'utf8'));

/** The versions the generated project depends on: the ones tickwire itself is built and tested with. */
export const STARTER_VERSIONS = /** @type {const} */ ({
  bitecs: '^0.4.0',
  tsx: '^4.23.15',
  typescript: '^7.0.2',
  vite: '^8.3.8',
  vitest: '^4.1.12',
  '@types/node': '^20.19.43',
});

export const USAGE = `Usage: create-tickwire <directory> [options]

Writes a new tickwire game into <directory> (which must not exist or be empty):
  shared/protocol.ts   components, inputs and the movement rule both sides run
  server/              the headless authoritative server (serves the built client too)
  client/              the browser client, built by Vite
  test/game.test.ts    a test of the game's server systems with two clients (tickwire/testing)

Then: cd <directory> && npm install && npm start   (http://localhost:3000)
      npm test

Options:
  --tickwire <spec>  what the game depends on: a version or range (default ^${own.version}), or the
                     path to a packed tarball (npm pack -w engine-plugin), written as file:<absolute path>
  --name <name>      the package name (default: the directory's name)
  -h, --help         this text
`;

/**
 * Parse the command line and write the project. Returns the exit code (0 done, 2 usage error).
 * @param {readonly string[]} args
 * @param {string} cwd
 * @returns {number}
 */
export function main(args, cwd) {
  /** @type {string | undefined} */ let directory;
  /** @type {string | undefined} */ let tickwire;
  /** @type {string | undefined} */ let name;
  for (let i = 0; i < args.length; i++) {
    const arg = /** @type {string} */ (args[i]);
    if (arg === '-h' || arg === '--help') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (arg === '--tickwire' || arg === '--name') {
      const value = args[++i];
      if (value === undefined || value.startsWith('--')) return usageError(`${arg} needs a value`);
      if (arg === '--tickwire') tickwire = value;
      else name = value;
    } else if (arg.startsWith('-')) return usageError(`unknown option ${arg}`);
    else if (directory === undefined) directory = arg;
    else return usageError(`unexpected argument ${arg}`);
  }
  if (directory === undefined) return usageError('name the directory to create');
  const target = resolve(cwd, directory);
  const written = createGame(target, { tickwire: dependencySpec(tickwire, cwd), name: name ?? packageName(basename(target)) });
  const relativePath = relative(cwd, target) || '.';
  const shown = /^[\w./-]+$/.test(relativePath) ? relativePath : JSON.stringify(relativePath);
  process.stdout.write(
    `Wrote ${written.length} files into ${shown}.\n\nNext:\n  cd ${shown}\n  npm install\n  npm start    # http://localhost:3000\n  npm test\n`,
  );
  return 0;
}

/** @param {string} message */
function usageError(message) {
  process.stderr.write(`create-tickwire: ${message}\n\n${USAGE}`);
  return 2;
}

/**
 * What goes into package.json for `tickwire`: a tarball path becomes `file:` + its absolute path
 * (the project may be installed from anywhere); anything else is a version or range for npm.
 * @param {string | undefined} spec
 * @param {string} cwd
 */
export function dependencySpec(spec, cwd) {
  if (spec === undefined) return `^${own.version}`;
  if (spec.startsWith('file:')) spec = spec.slice('file:'.length);
  else if (!spec.endsWith('.tgz') && !spec.includes('/') && !spec.startsWith('.')) return spec;
  const path = isAbsolute(spec) ? spec : resolve(cwd, spec);
  if (!existsSync(path)) throw new Error(`--tickwire ${spec}: no such file or directory`);
  return `file:${path}`;
}

/** @param {string} text */
function packageName(text) {
  const name = text.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+|-+$/g, '');
  return name || 'tickwire-game';
}

/**
 * Write the game into `target`. Returns the files written, relative to it.
 * @param {string} target
 * @param {{ tickwire: string, name: string }} options
 * @returns {string[]}
 */
export function createGame(target, options) {
  if (existsSync(target) && (!statSync(target).isDirectory() || readdirSync(target).length > 0)) {
    throw new Error(`${target} already exists and is not an empty directory`);
  }
  cpSync(template, target, { recursive: true });
  // npm never packs a file named .gitignore, so the template carries it as gitignore.
  renameSync(join(target, 'gitignore'), join(target, '.gitignore'));
  const { bitecs, ...devDependencies } = STARTER_VERSIONS;
  const pkg = {
    name: options.name,
    version: '0.1.0',
    private: true,
    type: 'module',
    engines: { node: '>=20.19' },
    scripts: {
      start: 'vite build && tsx server/main.ts',
      build: 'vite build',
      typecheck: 'tsc --noEmit',
      test: 'tsc --noEmit && vitest run',
    },
    dependencies: { bitecs, tickwire: options.tickwire },
    devDependencies,
  };
  writeFileSync(join(target, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  return listFiles(target);
}

/** @param {string} root @param {string} [dir] @returns {string[]} */
function listFiles(root, dir = root) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(root, join(dir, entry.name)) : [relative(root, join(dir, entry.name))],
  );
}
