import { createWorld } from 'bitecs';
import { afterEach, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { type NetworkClient, cloneProtocol, createClient, silentLogger } from '../../engine-plugin/src/index';
import { nodeWebSocketClient } from '../../engine-plugin/src/node';
import { ByteWriter, CloseCode, DEFAULT_PEER_LIMITS, FrameKind, encodeWelcome, writeMessages, writeTickHeader } from '../../engine-plugin/src/protocol';
import { protocol } from '../support/chat-protocol';
import { waitFor } from '../support/rig';

let server: WebSocketServer | undefined;
let client: NetworkClient | undefined;
afterEach(async () => {
  client?.disconnect();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

const welcome = encodeWelcome({
  connectionId: 1,
  tickRate: 20,
  tick: 100,
  serverTime: Date.now(),
  sessionToken: 'token',
  resumed: false,
  received: 0,
  limits: DEFAULT_PEER_LIMITS,
  rates: { messagesPerSecond: 0, messageBurst: 0, bytesPerSecond: 0, byteBurst: 0 },
});

/** A Tick frame with no messages and an empty state section. */
function tickFrame(tick: number): Uint8Array {
  const w = new ByteWriter(16);
  writeTickHeader(w, { tick, lastInput: 0, ack: 0, inputQueue: 0 });
  writeMessages(w, [], 0);
  return w.finish();
}

/**
 * A hand-written server on 127.0.0.1 that answers Hello with a Welcome and then `frames`; the
 * client's ticks and the close code it sent are recorded.
 */
async function serve(frames: Uint8Array[]): Promise<{ ticks: number[]; closed: { code?: number } }> {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server!.once('listening', () => resolve()));
  const closed: { code?: number } = {};
  server.on('connection', (socket: WebSocket) => {
    socket.once('message', () => {
      socket.send(welcome);
      for (const frame of frames) socket.send(frame);
    });
    socket.on('close', (code) => {
      closed.code = code;
    });
  });
  const { port } = server.address() as { port: number };
  const ticks: number[] = [];
  client = createClient(createWorld(), cloneProtocol(protocol).protocol, {
    transport: nodeWebSocketClient(`ws://127.0.0.1:${port}/ws`),
    logger: silentLogger,
    reconnect: false,
    onTick: (tick) => ticks.push(tick),
  });
  client.connect();
  return { ticks, closed };
}

it('a TickNext frame is the Tick frame of the tick after the last one: the client hears ticks 7, 8, 9', async () => {
  const { ticks, closed } = await serve([tickFrame(7), Uint8Array.of(FrameKind.TickNext), Uint8Array.of(FrameKind.TickNext)]);
  await waitFor(() => ticks.length >= 3);
  expect(ticks).toEqual([7, 8, 9]);
  client!.receive();
  expect(client!.events().filter((e) => e.type === 'disconnected')).toEqual([]);
  expect(closed.code).toBeUndefined();
});

it('a TickNext frame before any Tick frame on the socket closes it with 1002', async () => {
  const { ticks, closed } = await serve([Uint8Array.of(FrameKind.TickNext)]);
  await waitFor(() => closed.code !== undefined);
  expect(closed.code).toBe(CloseCode.ProtocolError);
  expect(ticks).toEqual([]);
});
