import { createServer } from 'node:net';
import { expect, it } from 'vitest';
import { WebSocket as NodeWebSocket } from 'ws';
import { nodeWebSocketClient } from '../../engine-plugin/src/transport/node-websocket-client';
import { type WebSocketConstructor, webSocketClient } from '../../engine-plugin/src/transport/websocket-client';
import { recorder, until } from './recorders';

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

it('reports a refused TCP connection as exactly one close(1006) with a reason, and never opens', async () => {
  const received = recorder();
  nodeWebSocketClient(`ws://127.0.0.1:${await closedPort()}/ws`).open(received);
  await until(() => received.closes.length > 0, 'close');
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(received.opens).toBe(0);
  expect(received.closes).toHaveLength(1);
  expect(received.closes[0]!.code).toBe(1006);
  expect(received.closes[0]!.reason).toMatch(/ECONNREFUSED/);
});

it('reports a URL the WebSocket constructor rejects as close(1006) on a later tick, not a throw', async () => {
  const received = recorder();
  const socket = nodeWebSocketClient('not a url').open(received);
  expect(received.closes).toEqual([]);
  expect(socket.bufferedAmount).toBe(0);
  await until(() => received.closes.length > 0, 'close');
  expect(received.closes).toHaveLength(1);
  expect(received.closes[0]!.code).toBe(1006);
});

it('reports close once when closed before the connection opens', async () => {
  const received = recorder();
  const socket = nodeWebSocketClient(`ws://127.0.0.1:${await closedPort()}/ws`).open(received);
  socket.close(1000, 'changed my mind');
  socket.close(1000, 'twice');
  await until(() => received.closes.length > 0, 'close');
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(received.opens).toBe(0);
  expect(received.closes).toHaveLength(1);
  expect(received.closes[0]!.code).toBe(1006);
});

it('drives any WHATWG-style WebSocket class, falling back to 1000 for a close code the browser refuses', async () => {
  // A stand-in for the browser's WebSocket, which throws on close codes other than 1000 and 3000–4999.
  const instances: FakeBrowserWebSocket[] = [];
  class FakeBrowserWebSocket {
    binaryType = 'blob';
    readyState = 0;
    bufferedAmount = 0;
    sent: (Uint8Array | string)[] = [];
    closedWith: [number | undefined, string | undefined] | undefined;
    onopen: ((event: unknown) => void) | null = null;
    onmessage: ((event: { data: unknown }) => void) | null = null;
    onclose: ((event: { code: number; reason: string }) => void) | null = null;
    onerror: ((event: unknown) => void) | null = null;
    constructor(
      readonly url: string,
      readonly protocols?: string | string[],
    ) {
      instances.push(this);
    }
    send(data: Uint8Array | string): void {
      this.sent.push(data);
    }
    close(code?: number, reason?: string): void {
      if (code !== undefined && code !== 1000 && (code < 3000 || code > 4999)) throw new Error('InvalidAccessError');
      this.closedWith = [code, reason];
    }
  }
  const WebSocketClass: WebSocketConstructor = FakeBrowserWebSocket;

  const received = recorder();
  const socket = webSocketClient('wss://game.example/ws', { WebSocket: WebSocketClass, protocols: ['tickwire.v1'] }).open(received);
  const fake = instances[0]!;
  expect(fake.binaryType).toBe('arraybuffer');
  expect(fake.protocols).toEqual(['tickwire.v1']);

  fake.readyState = 1;
  fake.onopen?.({});
  fake.onmessage?.({ data: new Uint8Array([1, 2, 3]).buffer });
  fake.onmessage?.({ data: 'text' });
  expect(received.opens).toBe(1);
  expect(received.messages).toEqual([new Uint8Array([1, 2, 3]), 'text']);

  socket.close(1002, 'x'.repeat(200));
  expect(fake.closedWith).toEqual([1000, 'x'.repeat(123)]);
  // Once this side has started closing, late messages are not delivered.
  fake.onmessage?.({ data: new Uint8Array([4]).buffer });
  fake.onclose?.({ code: 1000, reason: 'x'.repeat(123) });
  fake.onclose?.({ code: 1000, reason: 'again' });
  expect(received.messages).toHaveLength(2);
  expect(received.closes).toEqual([{ code: 1002, reason: 'x'.repeat(123) }]);
});

it('accepts both the browser’s and ws’s WebSocket classes as constructors (checked by the type checker)', () => {
  const browserClass: WebSocketConstructor | undefined = globalThis.WebSocket as typeof globalThis.WebSocket | undefined;
  const nodeClass: WebSocketConstructor = NodeWebSocket;
  expect(typeof nodeClass).toBe('function');
  expect(browserClass === undefined || typeof browserClass === 'function').toBe(true);
});
