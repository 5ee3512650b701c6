import { createWorld } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { type NetworkServer, createServer, silentLogger } from '../../engine-plugin/src/index';
import { webSocketServer } from '../../engine-plugin/src/node';
import { protocol } from '../support/chat-protocol';
import { upgrade } from './support/http-upgrade';

describe('the upgrade request', () => {
  let net: NetworkServer | undefined;
  afterEach(async () => {
    await net?.stop();
    net = undefined;
  });

  async function serve(): Promise<number> {
    const transport = webSocketServer({ host: '127.0.0.1', port: 0 });
    // As the demo does: no token is an anonymous guest.
    net = createServer(createWorld(), protocol, { transport, authenticate: () => ({ subject: 'anonymous' }), logger: silentLogger });
    await net.start();
    return transport.port;
  }

  it('with a token over 4096 bytes is refused (431), not let in as anonymous', async () => {
    const port = await serve();
    const big = 'a'.repeat(5000);
    expect((await upgrade(port, `/ws?token=${big}`)).status).toBe(431);
    expect((await upgrade(port, '/ws', { Authorization: `Bearer ${big}` })).status).toBe(431);
    expect((await upgrade(port, '/ws', { 'Sec-WebSocket-Protocol': `access_token.${big}` })).status).toBe(431);
  });

  it('offering only unknown subprotocols is refused (400), and an unknown one is never echoed', async () => {
    const port = await serve();
    const huge = await upgrade(port, '/ws', { 'Sec-WebSocket-Protocol': 'x'.repeat(10 * 1024) });
    expect(huge.status).toBe(400);
    expect(huge.protocol).toBeUndefined();
    const mixed = await upgrade(port, '/ws', { 'Sec-WebSocket-Protocol': `${'y'.repeat(1024)}, tickwire` });
    expect(mixed.status).toBe(101);
    expect(mixed.protocol).toBe('tickwire');
  });
});
