/**
 * A real `redis-server` for one test file: started on a free port in a temporary directory with
 * no persistence, waited for with PING, killed after. No mocks: the cluster runs on what users run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';

export type RedisClient = ReturnType<typeof createClient>;

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** A plain client for the test's own inspection (INFO, KEYS in assertions, CLIENT KILL…). */
  readonly client: RedisClient;
  /** Every key in the server (KEYS *: for assertions only, never on a hot path). */
  keys(): Promise<string[]>;
  /** Calls per command since the last `CONFIG RESETSTAT`, from INFO commandstats (`hgetall` → 3). */
  commandCalls(): Promise<Map<string, number>>;
  /** Kill -9 the server and start a new, empty one on the same port (every key and stream gone). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Start redis-server on `port` and wait until it accepts connections. */
async function spawnRedis(port: number, dir: string): Promise<ChildProcess> {
  const child: ChildProcess = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let spawnFailed: Error | undefined;
  child.once('error', (error) => {
    spawnFailed = error;
  });
  const deadline = Date.now() + 10_000;
  while (!(await accepting(port))) {
    if (Date.now() > deadline || child.exitCode !== null || spawnFailed) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not listen on ${port} (is Debian's redis-server installed?) ${spawnFailed?.message ?? ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return child;
}

function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  return exited;
}

export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tickwire-redis-'));
  const port = await freePort();
  let child = await spawnRedis(port, dir);
  const url = `redis://127.0.0.1:${port}`;
  const client: RedisClient = createClient({ url, socket: { reconnectStrategy: 50 } });
  client.on('error', () => {});
  await client.connect();
  if ((await client.ping()) !== 'PONG') throw new Error('redis-server did not answer PING');
  return {
    port,
    url,
    client,
    keys: () => client.keys('*'),
    async commandCalls() {
      const info = await client.info('commandstats');
      const calls = new Map<string, number>();
      for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(match[1]!, Number(match[2]));
      return calls;
    },
    async restart() {
      await killed(child);
      child = await spawnRedis(port, dir);
    },
    async stop() {
      await client.destroy();
      await killed(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
