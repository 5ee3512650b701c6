import { afterEach, expect, it } from 'vitest';
import { type MatchmakingRig, startMatchmakingRig } from '../support/matchmaking-rig';

let rig: MatchmakingRig | undefined;
afterEach(async () => rig?.close());

const PAGE = 'http://localhost:8080';

const preflight = (port: number, origin: string, path = '/matchmake/joinOrCreate/room') =>
  fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
  });
const post = (port: number, origin: string, path = '/matchmake/joinOrCreate/room') =>
  fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { Origin: origin, 'Content-Type': 'application/json' }, body: '{}' });

it('with cors, a listed origin gets its preflight answered and can read every answer (Retry-After too); another origin gets neither', async () => {
  rig = await startMatchmakingRig([['room', { maxClients: 10 }]], { endpoint: { cors: { origins: [PAGE, 'http://127.0.0.1:8080'] }, requestsPerSecond: 0.001, burst: 2 } });
  const allowed = await preflight(rig.port, PAGE);
  expect(allowed.status).toBe(204);
  expect(allowed.headers.get('access-control-allow-origin')).toBe(PAGE);
  expect(allowed.headers.get('access-control-allow-methods')).toBe('POST');
  expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
  expect(allowed.headers.get('vary')).toBe('Origin');
  // A room list is a GET: its preflight says so.
  expect((await preflight(rig.port, PAGE, '/matchmake/rooms/room')).headers.get('access-control-allow-methods')).toBe('GET');

  const refused = await preflight(rig.port, 'http://evil.example');
  expect(refused.status).toBe(403);
  expect(refused.headers.get('access-control-allow-origin')).toBeNull();

  const seat = await post(rig.port, PAGE);
  expect(seat.status).toBe(200);
  expect(seat.headers.get('access-control-allow-origin')).toBe(PAGE);
  const other = await post(rig.port, 'http://evil.example');
  // Served (CORS is not access control: authorize is), but no page of that origin can read it.
  expect(other.status).toBe(200);
  expect(other.headers.get('access-control-allow-origin')).toBeNull();
  // Over the rate: the 429 and its Retry-After are readable by the listed page.
  const limited = await post(rig.port, 'HTTP://LOCALHOST:8080');
  expect(limited.status).toBe(429);
  expect(limited.headers.get('access-control-allow-origin')).toBe('HTTP://LOCALHOST:8080');
  expect(limited.headers.get('access-control-expose-headers')).toBe('Retry-After');
});

it('without cors (the default) no CORS header is sent and a preflight is not answered', async () => {
  rig = await startMatchmakingRig([['room', { maxClients: 10 }]]);
  const answer = await preflight(rig.port, PAGE);
  expect(answer.status).toBe(405);
  expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  const seat = await post(rig.port, PAGE);
  expect(seat.status).toBe(200);
  expect(seat.headers.get('access-control-allow-origin')).toBeNull();
});

it("cors refuses '*' with credentials and anything that is not an origin", async () => {
  await expect(startMatchmakingRig([['room', {}]], { endpoint: { cors: { origins: ['*'], credentials: true } } })).rejects.toThrow(/credentials/);
  await expect(startMatchmakingRig([['room', {}]], { endpoint: { cors: { origins: ['localhost:8080'] } } })).rejects.toThrow(/not an origin/);
});
