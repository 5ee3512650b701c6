/**
 * The server side of `bench/idle-memory.ts`, run as a child process with `--expose-gc`. Argument: one mode.
 *
 *   raw        a bare `ws` server that accepts connections and does nothing with them
 *   tickwire   tickwire with the demo game's protocol (its component stores, its messages), ticking
 *              at 20 Hz (receive, replicate, flush), no entities: what an idle connection costs
 *
 * Prints `READY {"port":n}` once listening. Each `measure` line on stdin is answered with
 * `MEM {"heap":…,"external":…,"rss":…}` (bytes) after two full garbage collections; `snapshot <file>`
 * writes a V8 heap snapshot there and answers `SNAPSHOT <file>`.
 */
import { protocol } from '@tickwire/demo-shared';
import { createWorld } from 'bitecs';
import { createInterface } from 'node:readline';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { WebSocketServer } from 'ws';
import { createServer, fixedTick, silentLogger } from '../../engine-plugin/src/index';
import { webSocketServer } from '../../engine-plugin/src/node';
import { announceReady, exitWithParent } from '../child-process';

const MAX_LIFETIME_MS = 10 * 60_000;
/** Every client of the bench comes from 127.0.0.1; the ramp keeps 100 handshakes in flight. */
const LIFTED = { maxConnectionsPerAddress: 1e9, maxPendingHandshakesPerAddress: 1e9, maxPendingHandshakes: 4096 };

async function startRaw(): Promise<number> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws', perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  wss.on('connection', (ws) => {
    ws.on('message', () => {});
  });
  exitWithParent(() => new Promise<void>((resolve) => wss.close(() => resolve())), MAX_LIFETIME_MS);
  const address = wss.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

async function startTickwire(): Promise<number> {
  const transport = webSocketServer({ host: '127.0.0.1', port: 0 });
  const net = createServer(createWorld(), protocol, { transport, tickRate: 20, logger: silentLogger, maxConnections: 20_000, limits: LIFTED });
  await net.start();
  const stop = fixedTick(20, () => {
    net.receive();
    net.replicate();
    net.flush();
  });
  exitWithParent(async () => {
    stop();
    await net.stop();
  }, MAX_LIFETIME_MS);
  return transport.port;
}

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const mode = process.argv[2];
if (mode !== 'raw' && mode !== 'tickwire') throw new Error(`unknown mode ${mode}`);
const port = mode === 'raw' ? await startRaw() : await startTickwire();
createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, argument] = line.trim().split(' ');
  if (command === 'snapshot' && argument) {
    process.stdout.write(`SNAPSHOT ${writeHeapSnapshot(argument)}\n`);
    return;
  }
  if (command !== 'measure') return;
  gc();
  // A second collection after a turn of the loop frees what the first one's finalisers released.
  setTimeout(() => {
    gc();
    const m = process.memoryUsage();
    if (process.env.IDLE_MEMORY_SPACES) process.stderr.write(`[${mode}] ${getHeapSpaceStatistics().map((x) => `${x.space_name} ${(x.space_size / 1048576).toFixed(1)}/${(x.space_used_size / 1048576).toFixed(1)}`).join(', ')} rss ${(m.rss / 1048576).toFixed(1)}\n`);
    process.stdout.write(`MEM ${JSON.stringify({ heap: m.heapUsed, external: m.external, rss: m.rss })}\n`);
  }, 200);
});
announceReady({ port });
