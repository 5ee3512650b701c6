import { afterEach, describe, expect, it } from 'vitest';
import { NO_WEBSOCKET, webSocketClient } from '../../engine-plugin/src/transport/websocket-client';

describe('webSocketClient on a runtime without a global WebSocket (Node 20)', () => {
  const original = globalThis.WebSocket;
  afterEach(() => {
    globalThis.WebSocket = original;
  });

  it('throws at once, naming tickwire/node and nodeWebSocketClient, instead of a transport that retries forever', () => {
    // @ts-expect-error Node 20 has no global WebSocket; this test recreates that runtime.
    delete globalThis.WebSocket;
    expect(() => webSocketClient('ws://127.0.0.1:1/ws')).toThrow(NO_WEBSOCKET);
    expect(NO_WEBSOCKET).toContain('the tickwire/node entry');
    expect(NO_WEBSOCKET).toContain('nodeWebSocketClient(url)');
  });
});
