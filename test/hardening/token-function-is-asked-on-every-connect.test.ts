import { createWorld } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { type NetworkClient, type NetworkServer, cloneProtocol, createClient, createServer, silentLogger } from '../../engine-plugin/src/index';
import { jwtSigner, jwtVerifier, nodeWebSocketClient, webSocketServer } from '../../engine-plugin/src/node';
import { protocol } from '../support/chat-protocol';

const before = 'the-secret-before-the-restart-is-32-bytes-or-more';
const after = 'the-secret-after-the-restart-is-also-32-bytes-long';

describe('a client with a token function', () => {
  let net: NetworkServer | undefined;
  let client: NetworkClient | undefined;
  afterEach(async () => {
    client?.disconnect();
    await net?.stop();
    net = undefined;
  });

  async function serve(secret: string, port = 0): Promise<number> {
    const transport = webSocketServer({ host: '127.0.0.1', port });
    net = createServer(createWorld(), protocol, { transport, authenticate: jwtVerifier({ secret, issuer: 't' }), logger: silentLogger });
    await net.start();
    return transport.port;
  }

  it('asks it on every connect, and once more after a refusal: a server restarted with another secret takes it back', async () => {
    // The auth service issues tokens under whatever secret the game server has now; the game
    // caches its token and fetches a new one only when told the cached one was refused.
    let secret = before;
    let cached: string | undefined;
    const asked: boolean[] = [];
    const token = async ({ refused }: { refused: boolean }): Promise<string> => {
      asked.push(refused);
      if (!cached || refused) cached = await jwtSigner({ secret, issuer: 't' }).sign('guest-1');
      return cached;
    };
    const port = await serve(secret);
    client = createClient(createWorld(), cloneProtocol(protocol).protocol, {
      transport: nodeWebSocketClient(`ws://127.0.0.1:${port}/ws`),
      token,
      reconnect: { initialMs: 50, maxMs: 200 },
      logger: silentLogger,
    });
    const states: string[] = [];
    const frames = setInterval(() => {
      client!.receive();
      net?.receive();
      net?.flush();
      for (const e of client!.events()) if (e.type === 'connected') states.push(`connected:${e.resumed}`);
      client!.flush();
    }, 10);
    try {
      const until = async (condition: () => boolean): Promise<void> => {
        const deadline = Date.now() + 8000;
        while (!condition()) {
          if (Date.now() > deadline) throw new Error('not in time');
          await new Promise((r) => setTimeout(r, 10));
        }
      };
      client.connect();
      await until(() => states.length === 1);

      // The server dies and comes back with another secret: the cached token is refused (401),
      // the function is asked once more with refused: true, and its fresh token gets in.
      await net!.stop();
      secret = after;
      await serve(after, port);
      await until(() => states.length === 2);
      expect(states[1]).toBe('connected:false');
      expect(asked.filter((refused) => refused)).toHaveLength(1);
      expect(asked.at(-1)).toBe(true);
      expect(client.state).toBe('connected');
    } finally {
      clearInterval(frames);
    }
  });
});
