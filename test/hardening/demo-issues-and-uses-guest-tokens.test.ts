import { createWorld } from 'bitecs';
import { afterEach, expect, it } from 'vitest';
import { protocol } from '@tickwire/demo-shared';
import { type NetworkClient, cloneProtocol, createClient, silentLogger } from '../../engine-plugin/src/index';
import { nodeWebSocketClient } from '../../engine-plugin/src/node';
import { type DemoServer, startDemoServer } from '../../server/src/index';
import { upgrade } from './support/http-upgrade';

let server: DemoServer | undefined;
let client: NetworkClient | undefined;
afterEach(async () => {
  client?.disconnect();
  await server?.stop();
  server = undefined;
});

it('the demo issues guest tokens at POST /auth/guest, admits them, refuses forged ones, and serves /metrics (on its own listener) and /health/ready', async () => {
  server = await startDemoServer({ port: 0, host: '127.0.0.1', bots: 0, orbs: 1, logLevel: 'silent', clientDir: '/nonexistent' });
  const base = `http://127.0.0.1:${server.port}`;
  expect((await fetch(`${base}/auth/guest`)).status).toBe(405);
  const issued = (await (await fetch(`${base}/auth/guest`, { method: 'POST' })).json()) as { token: string; subject: string; expiresAt: number };
  expect(issued.subject).toMatch(/^guest-[0-9a-f]{12}$/);
  expect(issued.expiresAt).toBeGreaterThan(Date.now() + 30 * 60_000);
  // Renewal keeps the guest: the same subject with a fresh token.
  const renewed = (await (await fetch(`${base}/auth/guest`, { method: 'POST', headers: { Authorization: `Bearer ${issued.token}` } })).json()) as {
    subject: string;
  };
  expect(renewed.subject).toBe(issued.subject);
  expect((await fetch(`${base}/auth/guest`, { method: 'POST', headers: { Authorization: 'Bearer forged' } })).status).toBe(401);
  expect((await upgrade(server.port, '/ws?token=forged')).status).toBe(401);

  client = createClient(createWorld(), cloneProtocol(protocol).protocol, {
    transport: nodeWebSocketClient(`ws://127.0.0.1:${server.port}/ws?token=${issued.token}`),
    logger: silentLogger,
    reconnect: false,
  });
  client.connect();
  const net = server.game.net;
  const deadline = Date.now() + 5000;
  while (client.state !== 'connected' && Date.now() < deadline) {
    client.receive();
    client.flush();
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(client.state).toBe('connected');
  const session = net.connection(client.id)!;
  expect(session.identity).toMatchObject({ subject: issued.subject });

  // Metrics are on their own loopback listener, not the public game port.
  const metrics = await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`);
  expect(metrics.status).toBe(200);
  expect(await metrics.text()).toMatch(/^tickwire_connects_total\{resumed="false"\} 1$/m);
  expect(await (await fetch(`${base}/metrics`)).text()).not.toMatch(/tickwire_connects_total/);
  const ready = await fetch(`${base}/health/ready`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toMatchObject({ ready: true, accepting: true });
  expect((await fetch(`${base}/health`)).status).toBe(200);
});
