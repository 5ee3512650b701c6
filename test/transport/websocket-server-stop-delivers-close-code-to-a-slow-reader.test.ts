/**
 * A server shutting down tells every client why, even one that is not reading when the grace
 * period runs out (a busy browser tab, a client on an overloaded machine): its close frame is
 * queued behind the state already sent, and dropping the socket would throw both away.
 */
import { expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { webSocketServer } from '../../engine-plugin/src/transport/websocket-server';
import { recordingHost, until } from './recorders';

/** Long enough for the woken peer to read its backlog within the second grace period on a loaded machine. */
const GRACE_MS = 1500;

it('a client that starts reading only after the grace period still reads the close code the server sent', async () => {
  const host = recordingHost();
  const server = webSocketServer({ host: '127.0.0.1', port: 0, closeGraceMs: GRACE_MS });
  await server.start(host);
  const { WebSocket: NodeWebSocket } = await import('ws');
  const peer: WebSocket = new NodeWebSocket(`ws://127.0.0.1:${server.port}/ws`);
  const received = { bytes: 0, close: undefined as { code: number; reason: string } | undefined };
  peer.on('message', (data: Buffer) => {
    received.bytes += data.length;
  });
  peer.on('close', (code, reason) => {
    received.close = { code, reason: reason.toString() };
  });
  await new Promise((resolve) => peer.once('open', resolve));
  await until(() => host.accepted.length === 1, 'the server to accept');
  peer.pause();

  // More than the kernel's socket buffers hold, so the close frame waits in the server process.
  const { socket } = host.accepted[0]!;
  const chunk = new Uint8Array(64 * 1024);
  const sent = 16 * 1024 * 1024;
  for (let offset = 0; offset < sent; offset += chunk.length) socket.send(chunk);
  await new Promise((resolve) => setTimeout(resolve, 50));
  // The precondition: bytes (and so the close frame after them) wait in this process, not in the kernel.
  expect(socket.bufferedAmount).toBeGreaterThan(0);
  socket.close(4004, 'server shutdown');

  const stopped = server.stop();
  // The peer wakes up after the handshake's grace period, within the second one.
  setTimeout(() => peer.resume(), GRACE_MS + 100);
  await stopped;

  await until(() => received.close !== undefined, 'the peer to see the close');
  expect(received.bytes).toBe(sent);
  expect(received.close).toEqual({ code: 4004, reason: 'server shutdown' });
  expect(host.accepted[0]!.recorder.closes).toEqual([{ code: 4004, reason: 'server shutdown' }]);
});
