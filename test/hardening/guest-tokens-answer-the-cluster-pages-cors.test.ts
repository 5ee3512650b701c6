import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createGuestAuth } from '../../server/src/guest-auth';
import { parseCommandLine } from '../../server/src/index';

const SECRET = 'a-test-secret-that-is-at-least-32-bytes-long';
const OTHER_NODE_PAGE = 'http://localhost:8080';

let http: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve())));

async function serve(options: Parameters<typeof createGuestAuth>[0]): Promise<number> {
  const guests = createGuestAuth({ secret: SECRET, ...options });
  http = createServer((req, res) => {
    if (!guests.handle(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
  return (http.address() as AddressInfo).port;
}

it("POST /auth/guest with cors: a listed page's preflight (Authorization for a refresh) is answered and its token readable; unlisted or no cors: no CORS header", async () => {
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

  const plain = await serve({});
  const same = await fetch(`http://127.0.0.1:${plain}/auth/guest`, { method: 'POST', headers: { Origin: OTHER_NODE_PAGE } });
  expect(same.status).toBe(200);
  expect(same.headers.get('access-control-allow-origin')).toBeNull();
});

it('the demo takes --cors-origins (or CORS_ORIGINS) as a comma-separated list of origins', () => {
  const parsed = parseCommandLine(['--cors-origins', 'http://localhost:8080, http://127.0.0.1:8081'], {});
  expect(parsed.help === false && parsed.config.corsOrigins).toEqual(['http://localhost:8080', 'http://127.0.0.1:8081']);
  const fromEnv = parseCommandLine([], { CORS_ORIGINS: 'https://game.example' });
  expect(fromEnv.help === false && fromEnv.config.corsOrigins).toEqual(['https://game.example']);
  expect(() => parseCommandLine(['--cors-origins', 'localhost:8080'], {})).toThrow(/cors origins/);
});
