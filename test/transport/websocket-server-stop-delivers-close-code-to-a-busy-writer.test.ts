/**
 * A client on a loaded machine can be busy (a long frame, or no CPU at all) for longer than the
 * server's close grace period, and keep writing its inputs meanwhile. When the grace runs out with
 * some of those inputs unread, dropping the socket makes the kernel answer with a reset; a client
 * that writes again before it reads then loses the close frame already in its buffer and sees
 * 1006 instead of the code the server sent. The server half-closes instead, so it still reads.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { webSocketServer } from '../../engine-plugin/src/transport/websocket-server';
import { recordingHost, until } from './recorders';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GRACE_MS = 500;
const PEER_BUSY_MS = 800;

/**
 * The client, in a process of its own: at the server's first message it stays busy for PEER_BUSY_MS (no reads),
 * writing an input every 20 ms, then writes once more; it prints the close code it saw.
 */
const PEER = `
import { WebSocket } from 'ws';
const ws = new WebSocket(process.argv[1]);
ws.once('message', () => {
  const until = Date.now() + ${PEER_BUSY_MS};
  let next = 0;
  while (Date.now() < until) if (Date.now() >= next) { ws.send(new Uint8Array(64)); next = Date.now() + 20; }
  ws.send(new Uint8Array(64));
});
ws.on('close', (code) => { process.stdout.write(String(code)); process.exit(0); });
`;

function busyFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

it('a client busy past the grace period, writing meanwhile, still reads the close code the server sent', async () => {
  const host = recordingHost();
  const server = webSocketServer({ host: '127.0.0.1', port: 0, closeGraceMs: GRACE_MS });
  await server.start(host);
  const peer = spawn(process.execPath, ['--input-type=module', '-e', PEER, `ws://127.0.0.1:${server.port}/ws`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let printed = '';
  peer.stdout.on('data', (chunk: Buffer) => {
    printed += chunk.toString();
  });
  const exited = new Promise((resolve) => peer.once('exit', resolve));
  await until(() => host.accepted.length === 1, 'the client to connect', 10_000);
  const { socket, recorder } = host.accepted[0]!;

  socket.send(new Uint8Array([1]));
  await until(() => recorder.messages.length > 0, 'the client to be busy writing');
  socket.close(4004, 'server shutdown');
  const stopped = server.stop();
  // This process is busy too as the grace period ends, so inputs arrive that it has not read.
  setTimeout(() => busyFor(100), GRACE_MS - 50);
  await stopped;
  await exited;

  expect(printed).toBe('4004');
  expect(recorder.closes).toEqual([{ code: 4004, reason: 'server shutdown' }]);
}, 15_000);
