import { afterEach, expect, it } from 'vitest';
import { type DemoServer, startDemoServer } from '../../server/src/index';

let server: DemoServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

it('serves /health as JSON and explains how to build a missing client', async () => {
  server = await startDemoServer({ port: 0, host: '127.0.0.1', bots: 7, orbs: 3, logLevel: 'silent', clientDir: '/nonexistent/client-build' });
  const base = `http://127.0.0.1:${server.port}`;

  const health = await fetch(`${base}/health`);
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({ status: 'ok', players: 0, bots: 7, orbs: 3, tickRate: 20 });

  const page = await fetch(`${base}/`);
  expect(page.status).toBe(503);
  expect(await page.text()).toContain('npm run build -w client-demo');
});
