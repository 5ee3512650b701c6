import { type Server, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createGuestAuth } from '../../server/src/guest-auth';

const SECRET = 'a-test-secret-that-is-at-least-32-bytes-long';
const OTHER_NODE_PAGE = 'http://localhost:8080';

function post(port: number, localAddress: string, bearer?: string): Promise<{ status: number; retryAfter?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/auth/guest', method: 'POST', localAddress, headers: bearer ? { Authorization: `Bearer ${bearer}` } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('POST /auth/guest', () => {
  let http: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve())));

  async function serve(options: Parameters<typeof createGuestAuth>[0]): Promise<number> {
    const guests = createGuestAuth({ secret: SECRET, ...options });
    http = createServer((req, res) => {
      if (!guests.handle(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => http!.listen(0, '0.0.0.0', resolve));
    return (http.address() as AddressInfo).port;
  }

  it('answers one address past its budget with 429 and Retry-After, and another address still gets tokens', async () => {
    const port = await serve({ issuesPerSecond: 1, issueBurst: 10 });
    const answers = [];
    for (let i = 0; i < 40; i++) answers.push(await post(port, '127.0.0.1'));
    expect(answers.filter((a) => a.status === 200).length).toBeLessThanOrEqual(12);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(28);
    expect(Number(refused[0]!.retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await post(port, '127.0.0.2')).status).toBe(200);
  });

  it('stops renewing a guest once its total lifetime is over', async () => {
    const port = await serve({ maxLifetimeSeconds: 1 });
    const first = JSON.parse((await post(port, '127.0.0.1')).body) as { token: string; subject: string };
    const renewed = await post(port, '127.0.0.1', first.token);
    expect(renewed.status).toBe(200);
    expect((JSON.parse(renewed.body) as { subject: string }).subject).toBe(first.subject);
    await new Promise((r) => setTimeout(r, 1100));
    const again = await post(port, '127.0.0.1', (JSON.parse(renewed.body) as { token: string }).token);
    expect(again.status).toBe(401);
  });

  it("with cors: a listed page's preflight (Authorization for a refresh) is answered and its token readable; unlisted or no cors: no CORS header", async () => {
    const port = await serve({ cors: { origins: [OTHER_NODE_PAGE] } });
    const url = `http://127.0.0.1:${port}/auth/guest`;
    const preflight = await fetch(url, { method: 'OPTIONS', headers: { Origin: OTHER_NODE_PAGE, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(OTHER_NODE_PAGE);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');
    const issued = await fetch(url, { method: 'POST', headers: { Origin: OTHER_NODE_PAGE } });
    expect(issued.status).toBe(200);
    expect(issued.headers.get('access-control-allow-origin')).toBe(OTHER_NODE_PAGE);
    const stranger = await fetch(url, { method: 'POST', headers: { Origin: 'http://evil.example' } });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    await new Promise<void>((resolve) => http!.close(() => resolve()));
    http = undefined;

    const plain = await serve({});
    const same = await fetch(`http://127.0.0.1:${plain}/auth/guest`, { method: 'POST', headers: { Origin: OTHER_NODE_PAGE } });
    expect(same.status).toBe(200);
    expect(same.headers.get('access-control-allow-origin')).toBeNull();
  });
});
