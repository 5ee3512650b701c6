import { createWorld } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { type Authenticate, type NetworkServer, cloneProtocol, createClient, createServer, silentLogger } from '../../engine-plugin/src/index';
import { type TokenIdentity, allowOrigins, jwtSigner, jwtVerifier, nodeWebSocketClient, webSocketServer } from '../../engine-plugin/src/node';
import { protocol } from '../support/chat-protocol';
import { upgrade } from './support/http-upgrade';

const SECRET = 'a-test-secret-that-is-at-least-32-bytes-long';
const signer = jwtSigner({ secret: SECRET, issuer: 'tickwire-test' });
const jwt = jwtVerifier({ secret: SECRET, issuer: 'tickwire-test' });

describe('authentication runs before the WebSocket upgrade', () => {
  let net: NetworkServer | undefined;
  afterEach(async () => {
    await net?.stop();
    net = undefined;
  });

  async function serve(authenticate: Authenticate): Promise<number> {
    const transport = webSocketServer({ host: '127.0.0.1', port: 0 });
    net = createServer(createWorld(), protocol, { transport, authenticate, logger: silentLogger });
    await net.start();
    return transport.port;
  }

  /** Run ticks until the server saw a connection, and return its identity. */
  async function identityOfNextConnection(): Promise<unknown> {
    for (let i = 0; i < 200; i++) {
      net!.receive();
      const connected = net!.events().find((e) => e.type === 'connected');
      if (connected) return connected.connection.identity;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error('no connection');
  }

  it('takes the token from ?token=, Authorization: Bearer, or an access_token.<token> subprotocol', async () => {
    const port = await serve(jwt);
    const token = await signer.sign('alice', { name: 'Alice' });
    expect((await upgrade(port, `/ws?token=${token}`)).status).toBe(101);
    expect((await upgrade(port, '/ws', { Authorization: `Bearer ${token}` })).status).toBe(101);
    // The token subprotocol must be the one selected, even offered second: a browser fails the
    // handshake when the server selects one it did not offer, and this one is the one we know it offered.
    const bySubprotocol = await upgrade(port, '/ws', { 'Sec-WebSocket-Protocol': `tickwire, access_token.${token}` });
    expect(bySubprotocol.status).toBe(101);
    expect(bySubprotocol.protocol).toBe(`access_token.${token}`);
  });

  it('refuses a missing, forged, expired or foreign-issuer token with HTTP 401 and no upgrade', async () => {
    const port = await serve(jwt);
    const forged = jwtSigner({ secret: 'another-secret-that-is-at-least-32-bytes-long', issuer: 'tickwire-test' });
    const otherIssuer = jwtSigner({ secret: SECRET, issuer: 'someone-else' });
    const expired = await signer.sign('alice', {}, -60);
    for (const path of [
      '/ws',
      `/ws?token=${await forged.sign('alice')}`,
      `/ws?token=${await otherIssuer.sign('alice')}`,
      `/ws?token=${expired}`,
      '/ws?token=not.a.jwt',
    ]) {
      const answer = await upgrade(port, path);
      expect(answer.status, path).toBe(401);
    }
    expect((await upgrade(port, '/ws', { Authorization: 'Basic abc' })).status).toBe(401);
    expect([...net!.connections()]).toHaveLength(0);
  });

  it('gives game systems the identity the hook returned', async () => {
    const port = await serve(jwt);
    const token = await signer.sign('bob', { name: 'Bob' });
    const client = createClient(createWorld(), cloneProtocol(protocol).protocol, {
      transport: nodeWebSocketClient(`ws://127.0.0.1:${port}/ws`, { headers: { Authorization: `Bearer ${token}` } }),
      logger: silentLogger,
      reconnect: false,
    });
    client.connect();
    const identity = (await identityOfNextConnection()) as TokenIdentity;
    expect(identity.subject).toBe('bob');
    expect(identity.claims.name).toBe('Bob');
    expect(identity.expiresAt).toBeGreaterThan(Date.now());
    client.disconnect();
  });

  it('allowOrigins refuses a foreign origin with 403 before the token is even looked at', async () => {
    let verified = 0;
    const port = await serve(
      allowOrigins(['https://game.example'], {
        next: (request) => {
          verified++;
          return jwt(request);
        },
      }),
    );
    const token = await signer.sign('carol');
    expect((await upgrade(port, `/ws?token=${token}`, { Origin: 'https://evil.example' })).status).toBe(403);
    expect((await upgrade(port, `/ws?token=${token}`)).status).toBe(403);
    expect(verified).toBe(0);
    expect((await upgrade(port, `/ws?token=${token}`, { Origin: 'https://GAME.example' })).status).toBe(101);
    expect((await upgrade(port, '/ws', { Origin: 'https://game.example' })).status).toBe(401);
  });
});
