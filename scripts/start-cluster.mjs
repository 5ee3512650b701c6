#!/usr/bin/env node
/**
 * `npm run start:cluster`: the demo on a local cluster. Starts a throwaway `redis-server` (from
 * PATH, no persistence, on a free port), builds the client once, and starts N demo nodes on
 * ports PORT, PORT+1, … (default 2 nodes from 8080) that share Redis: matchmaking places arenas on
 * any node, and chat, whispers and presence reach players on every node. Ctrl-C (or SIGTERM)
 * stops every node, then Redis; if any of them exits, everything stops.
 *
 *   npm run start:cluster -- --nodes 3 --room-size 4 --bots 5
 *
 * `--nodes N` is this script's; every other argument goes to each node (see `npm start -- --help`).
 * Without `--room-size`, arenas take ROOM_SIZE players each (default 2 here, so a second
 * browser is matched into a new arena, which the placement puts on the less loaded node).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => `${root}node_modules/.bin/${name}`;
/** Players per arena on the cluster unless `--room-size` or ROOM_SIZE says otherwise. */
const CLUSTER_ROOM_SIZE = '2';
/** Metrics listeners sit this far above their node's game port (the game ports are consecutive). */
const METRICS_PORT_OFFSET = 100;

function fail(message) {
  process.stderr.write(`start:cluster: ${message}\n`);
  process.exit(1);
}

function parseArguments(argv) {
  const rest = [];
  let nodes = 2;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = arg === '--nodes' ? argv[++i] : arg.startsWith('--nodes=') ? arg.slice('--nodes='.length) : undefined;
    if (value === undefined) {
      rest.push(arg);
      continue;
    }
    nodes = Number(value);
    if (!Number.isInteger(nodes) || nodes < 1 || nodes > 16) fail(`--nodes must be an integer from 1 to 16, got "${value}"`);
  }
  return { nodes, rest };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const { nodes, rest } = parseArguments(process.argv.slice(2));
const basePort = Number(process.env.PORT ?? '8080');
if (!Number.isInteger(basePort) || basePort < 1 || basePort + nodes - 1 > 65_535) fail(`PORT must be a port number, got "${process.env.PORT}"`);

if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error)
  fail('redis-server is not on PATH. Install Redis (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) and run again.');

const children = [];
let stopping = false;
let exitCode = 0;
const redisDir = mkdtempSync(join(tmpdir(), 'tickwire-cluster-redis-'));

function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  // Nodes first (they leave the cluster through Redis), Redis once they are gone.
  const nodeChildren = children.filter((child) => child.role === 'node');
  const redis = children.find((child) => child.role === 'redis');
  for (const { process: child } of nodeChildren) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  Promise.all(nodeChildren.map(({ process: child }) => (child.exitCode !== null || child.signalCode !== null ? undefined : new Promise((r) => child.once('exit', r))))).then(() => {
    if (redis && redis.process.exitCode === null && redis.process.signalCode === null) redis.process.kill('SIGTERM');
  });
}

function watch(role, child, name) {
  children.push({ role, process: child });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(`start:cluster: ${name} exited (${signal ?? code}); stopping everything\n`);
      exitCode = 1;
    }
    stopAll('SIGTERM');
    if (children.every(({ process: c }) => c.exitCode !== null || c.signalCode !== null)) {
      rmSync(redisDir, { recursive: true, force: true });
      process.exit(exitCode);
    }
  });
  child.on('error', (error) => {
    process.stderr.write(`start:cluster: could not start ${name}: ${error.message}\n`);
    exitCode = 1;
    stopAll('SIGTERM');
  });
}

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(signal));

const redisPort = await freePort();
const redis = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(redisPort), '--save', '', '--appendonly', 'no', '--dir', redisDir], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
watch('redis', redis, 'redis-server');
// Redis says when it accepts connections; its other lines are not the player's business.
const ready = await new Promise((resolve) => {
  let seen = '';
  const timer = setTimeout(() => resolve(false), 10_000);
  redis.stdout.on('data', (chunk) => {
    if (seen === undefined) return;
    seen += chunk;
    if (!seen.includes('Ready to accept connections')) return;
    seen = undefined;
    clearTimeout(timer);
    resolve(true);
  });
  redis.once('exit', () => resolve(false));
});
if (!ready) {
  if (!stopping) process.stderr.write('start:cluster: redis-server did not become ready within 10 s\n');
  exitCode = 1;
  stopAll('SIGTERM');
  await new Promise(() => {});
}
const redisUrl = `redis://127.0.0.1:${redisPort}`;

const build = spawnSync('npm', ['run', 'build', '-w', 'client-demo'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  process.stderr.write('start:cluster: building the client failed\n');
  exitCode = 1;
  stopAll('SIGTERM');
  await new Promise(() => {});
}

// A page from one node may be pointed at another (`?server=ws://localhost:8081/ws`): each node lets
// the others' pages matchmake and log in (CORS), under both names a browser may use for this machine.
const origins = Array.from({ length: nodes }, (_, i) => [`http://localhost:${basePort + i}`, `http://127.0.0.1:${basePort + i}`]).flat().join(',');
const cors = rest.some((arg) => arg === '--cors-origins' || arg.startsWith('--cors-origins=')) ? [] : ['--cors-origins', origins];
const roomSize = rest.some((arg) => arg === '--room-size' || arg.startsWith('--room-size=')) ? [] : ['--room-size', process.env.ROOM_SIZE ?? CLUSTER_ROOM_SIZE];
for (let i = 0; i < nodes && !stopping; i++) {
  const port = basePort + i;
  const name = `demo-${i + 1}`;
  const child = spawn(bin('tsx'), ['server/src/main.ts', '--port', String(port), '--redis', redisUrl, '--node', name, ...roomSize, ...cors, ...rest], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TICKWIRE_METRICS_PORT: String(port + METRICS_PORT_OFFSET) },
  });
  watch('node', child, name);
}

process.stdout.write(
  [
    '',
    `tickwire cluster: redis-server at ${redisUrl}, ${nodes} node${nodes === 1 ? '' : 's'}:`,
    ...Array.from({ length: nodes }, (_, i) => `  demo-${i + 1}  http://localhost:${basePort + i}   (metrics http://127.0.0.1:${basePort + i + METRICS_PORT_OFFSET}/metrics)`),
    'Open any of them in two browsers; Ctrl-C stops everything.',
    '',
  ].join('\n'),
);
