import { afterEach, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type WebSocketServerTransport, webSocketServer } from '../../engine-plugin/src/transport/websocket-server';
import { recordingHost } from './recorders';

let server: WebSocketServerTransport | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function negotiatedProtocol(port: number, offered: string[]): Promise<string> {
  const peer = new WebSocket(`ws://127.0.0.1:${port}/ws`, offered);
  await new Promise((resolve, reject) => {
    peer.once('open', resolve);
    peer.once('error', reject);
  });
  const { protocol } = peer;
  peer.terminate();
  return protocol;
}

it('selects the subprotocol the admission names when the client offered it', async () => {
  // The token rides in a second subprotocol, as browsers cannot send headers; the server answers with the real one.
  const host = recordingHost((request) => ({ accept: true, identity: request.protocols[1], protocol: 'tickwire.v1' }));
  server = webSocketServer({ host: '127.0.0.1', port: 0 });
  await server.start(host);

  expect(await negotiatedProtocol(server.port, ['tickwire.v1', 'token.abc'])).toBe('tickwire.v1');
  expect(host.accepted[0]!.admission.identity).toBe('token.abc');
});

it('selects the first offered subprotocol when the admission names none, or one the client did not offer', async () => {
  let answer: string | undefined;
  server = webSocketServer({ host: '127.0.0.1', port: 0 });
  await server.start(recordingHost(() => ({ accept: true, identity: null, protocol: answer })));

  // A `ws` client fails a connection whose server selects none of its offers, so there is always one.
  answer = undefined;
  expect(await negotiatedProtocol(server.port, ['tickwire.v1', 'tickwire.v0'])).toBe('tickwire.v1');
  // Answering with a protocol the client did not offer would make it fail the connection.
  answer = 'tickwire.v2';
  expect(await negotiatedProtocol(server.port, ['tickwire.v1', 'tickwire.v0'])).toBe('tickwire.v1');
  answer = 'tickwire.v0';
  expect(await negotiatedProtocol(server.port, ['tickwire.v1', 'tickwire.v0'])).toBe('tickwire.v0');
});

it('selects no subprotocol when the client offered none', async () => {
  server = webSocketServer({ host: '127.0.0.1', port: 0 });
  await server.start(recordingHost(() => ({ accept: true, identity: null, protocol: 'tickwire.v1' })));
  expect(await negotiatedProtocol(server.port, [])).toBe('');
});
