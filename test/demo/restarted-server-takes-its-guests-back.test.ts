import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { protocol } from '@tickwire/demo-shared';
import { createWorld } from 'bitecs';
import { afterEach, expect, it } from 'vitest';
import { type NetworkClient, createClient, silentLogger } from '../../engine-plugin/src/index';
import { nodeWebSocketClient } from '../../engine-plugin/src/node';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLIENTS = 50;
let child: ChildProcess | undefined;
const clients: NetworkClient[] = [];

afterEach(() => {
  for (const c of clients) c.disconnect();
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

/**
 * `server/src/main.ts` as `npm start` runs it, without a token secret set; resolves with its port
 * once it listens. The first start takes an ephemeral port, the restart the same one again.
 */
async function startDemo(port: number): Promise<number> {
  // The metrics listener takes an ephemeral port: port + 1 may be held by another test's socket.
  const env: Record<string, string | undefined> = { ...process.env, TICKWIRE_ADDRESS_LIMITS: 'off', TICKWIRE_METRICS_PORT: '0' };
  delete env.TICKWIRE_TOKEN_SECRET;
  delete env.TICKWIRE_TOKEN_SECRET_FILE;
  // node itself, not the tsx wrapper: kill -9 must hit the process that listens.
  child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts', '--port', String(port), '--host', '127.0.0.1', '--bots', '0', '--max-players', '64'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  for await (const line of createInterface({ input: child.stdout! })) {
    const entry = JSON.parse(line) as { msg?: string; port?: number };
    if (entry.msg === 'demo server listening' && entry.port) return entry.port;
  }
  throw new Error('the demo server exited before it was listening');
}

it('kill -9 and a restart: 50 of 50 guests play again as fresh sessions within 10 s, with the tokens they had', async () => {
  const port = await startDemo(0);
  const tokens = await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const response = await fetch(`http://127.0.0.1:${port}/auth/guest`, { method: 'POST' });
      return ((await response.json()) as { token: string }).token;
    }),
  );
  const connects: boolean[][] = [];
  for (const token of tokens) {
    const net = createClient(createWorld(), protocol, {
      transport: nodeWebSocketClient(`ws://127.0.0.1:${port}/ws?token=${token}`),
      reconnect: { initialMs: 100, maxMs: 1000 },
      logger: silentLogger,
    });
    clients.push(net);
    connects.push([]);
    net.connect();
  }
  const frames = setInterval(() => {
    clients.forEach((net, i) => {
      net.receive();
      for (const event of net.events()) if (event.type === 'connected') connects[i]!.push(event.resumed);
      net.flush();
    });
  }, 20);
  try {
    const until = async (condition: () => boolean, ms: number, what: string): Promise<void> => {
      const deadline = Date.now() + ms;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`not in time: ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await until(() => connects.every((c) => c.length === 1), 10_000, 'every guest to join');

    child!.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    const restartedAt = Date.now();
    await startDemo(port);
    await until(() => connects.every((c) => c.length === 2) && clients.every((c) => c.state === 'connected'), 10_000 - (Date.now() - restartedAt), 'every guest to play again');
    console.log(`restart: ${CLIENTS} of ${CLIENTS} guests playing again ${Date.now() - restartedAt} ms after the restart began`);
    // The old process's sessions died with it: each comes back as a new session.
    expect(connects.every((c) => c[1] === false)).toBe(true);
  } finally {
    clearInterval(frames);
  }
}, 40_000);
