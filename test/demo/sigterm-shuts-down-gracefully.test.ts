import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { type NodePlayer, connectNodePlayer, playUntil } from './node-player';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let child: ChildProcess | undefined;

afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

/** Start `server/src/main.ts` as `npm start` would, and read its port from the "listening" log line. */
async function startServerProcess(args: string[]): Promise<{ port: number; exited: Promise<number | null> }> {
  child = spawn(`${ROOT}node_modules/.bin/tsx`, ['server/src/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const entry = JSON.parse(line) as { msg?: string; port?: number };
    if (entry.msg === 'demo server listening' && entry.port) return { port: entry.port, exited };
  }
  throw new Error('the server exited before it was listening');
}

it('SIGTERM closes every client with 4004 and exits 0', async () => {
  const { port, exited } = await startServerProcess(['--port', '0', '--host', '127.0.0.1', '--bots', '3']);
  const player: NodePlayer = await connectNodePlayer(`ws://127.0.0.1:${port}/ws`, 'dave');
  await playUntil([player], () => player.entity !== undefined, 'the player to join');
  child!.kill('SIGTERM');
  await playUntil([player], () => player.disconnects.length > 0, 'the shutdown close');
  expect(player.disconnects[0]!.code).toBe(4004);
  expect(await exited).toBe(0);
  player.close();
}, 20_000);
