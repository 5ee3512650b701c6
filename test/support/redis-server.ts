/**
 * A real `redis-server` for one test file: started on a free port in a temporary directory with
 * no persistence, waited for with PING, killed after. No mocks: the cluster runs on what users run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
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

/** The port was taken by another process between {@link freePort} and redis-server's bind. */
class PortTaken extends Error {}

/**
 * Start redis-server on `port` and wait until it says it accepts connections. Its own log line is
 * the signal (a connect could reach another process that took the port); a failed bind exits it.
 */
async function spawnRedis(port: number, dir: string): Promise<ChildProcess> {
  const child: ChildProcess = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let log = '';
  const outcome = await new Promise<'ready' | 'taken' | Error>((resolve) => {
    const timer = setTimeout(() => resolve(new Error('no "Ready to accept connections" within 10 s')), 10_000);
    const settle = (result: 'ready' | 'taken' | Error): void => {
      clearTimeout(timer);
      resolve(result);
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      // Keep only the tail: redis-server keeps logging (client kills, restarts) for the whole test.
      log = (log + chunk.toString()).slice(-4096);
      if (log.includes('Ready to accept connections')) settle('ready');
    });
    child.once('error', (error) => settle(error));
    child.once('exit', () => settle(/Address already in use/.test(log) ? 'taken' : new Error(`redis-server exited: ${log.trim().split('\n').at(-1) ?? ''}`)));
  });
  if (outcome === 'ready') return child;
  child.kill('SIGKILL');
  if (outcome === 'taken') throw new PortTaken(`port ${port} is taken`);
  throw new Error(`redis-server did not start on ${port} (is Debian's redis-server installed?): ${outcome.message}`);
}

function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  return exited;
}

/**
 * redis-server cannot listen on port 0 and say which port it got: a free port is picked first,
 * and picked again in the rare case another process binds it before redis-server does.
 */
async function spawnRedisOnAFreePort(dir: string): Promise<{ port: number; child: ChildProcess }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return { port, child: await spawnRedis(port, dir) };
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt === 5) throw error;
    }
  }
}

export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tickwire-redis-'));
  const started = await spawnRedisOnAFreePort(dir);
  const { port } = started;
  let { child } = started;
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
