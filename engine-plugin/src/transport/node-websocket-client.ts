import { type ClientOptions, WebSocket } from 'ws';
import { type WebSocketClientTransport, webSocketClient } from './websocket-client.js';

/** Options for {@link nodeWebSocketClient}. */
export interface NodeWebSocketClientOptions {
  /** Subprotocols to offer (`Sec-WebSocket-Protocol`). */
  readonly protocols?: readonly string[];
  /** Extra HTTP headers on the upgrade request, e.g. `Authorization` — something browsers cannot send. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Largest message accepted from the server, in bytes; bigger ones close the socket with 1009. Default: `ws`'s 100 MiB. */
  readonly maxPayload?: number;
}

/**
 * The Node client: {@link webSocketClient} driven by the `ws` package, with upgrade headers.
 * Used by bots, load tests and integration tests; it behaves exactly like the browser client
 * because it is the same code.
 */
export function nodeWebSocketClient(url: string, options: NodeWebSocketClientOptions = {}): WebSocketClientTransport {
  // Only set keys: `ws` spreads these over its defaults, so an explicit undefined would erase them.
  const wsOptions: ClientOptions = {};
  if (options.headers) wsOptions.headers = { ...options.headers };
  if (options.maxPayload !== undefined) wsOptions.maxPayload = options.maxPayload;
  // The WHATWG constructor has no place for headers, so bind them into a subclass.
  class ConfiguredWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, wsOptions);
    }
  }
  // Node buffers arrive as views of what was read: no copy into a fresh ArrayBuffer per message.
  return webSocketClient(url, { protocols: options.protocols, WebSocket: ConfiguredWebSocket, binaryType: 'nodebuffer' });
}
