/**
 * The demo on a cluster: a real redis-server and two demo nodes as child processes (what
 * `npm run start:cluster` runs). Both players ask node A's matchmaker; arenas of one player each
 * put the second on node B. Across the two nodes they see each other online (with the name set
 * at join), read each other's chat lines and whisper to each other.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { NetworkClient, SeatReservation } from '../../engine-plugin/src/index';
import { type RedisServer, freePort, startRedis } from '../support/redis-server';

const root = join(import.meta.dirname, '..', '..');
const SECRET = 'cluster-test-secret-0123456789abcdef0123456789';

let redis: RedisServer;
const nodes: Array<{ name: string; port: number; child: ChildProcess }> = [];

async function startNode(name: string): Promise<void> {
  const port = await freePort();
  const args = ['server/src/main.ts', '--port', String(port), '--host', '127.0.0.1', '--redis', redis.url, '--node', name];
  args.push('--room-size', '1', '--bots', '0', '--orbs', '0', '--log-level', 'warn', '--log-format', 'json');
  const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), args, {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, TICKWIRE_TOKEN_SECRET: SECRET, TICKWIRE_METRICS_PORT: '0', PUBLIC_URL: `ws://127.0.0.1:${port}/ws` },
  });
  nodes.push({ name, port, child });
  // The node joins the cluster before it listens: a /health answer means it is in.
  const deadline = Date.now() + 40_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`node ${name} exited with ${child.exitCode}`);
    const up = await fetch(`http://127.0.0.1:${port}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) return;
    if (Date.now() > deadline) throw new Error(`node ${name} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  redis = await startRedis();
  await Promise.all([startNode('node-a'), startNode('node-b')]);
}, 60_000);

afterAll(async () => {
  await Promise.all(
    nodes.map(({ child }) => (child.exitCode !== null || child.signalCode !== null ? undefined : new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM')))),
  );
  await redis?.stop();
});

async function post<T>(url: string): Promise<T> {
  const response = await fetch(url, { method: 'POST' });
  expect(response.status, url).toBe(200);
  return (await response.json()) as T;
}

/** A player as the browser is one: a guest token and a seat from node A, then the seat's address. */
async function connectPlayer(name: string): Promise<{ net: NetworkClient; subject: string; seat: SeatReservation; shared: typeof import('@tickwire/demo-shared') }> {
  const a = nodes[0]!.port;
  const guest = await post<{ token: string; subject: string }>(`http://127.0.0.1:${a}/auth/guest`);
  const seat = await post<SeatReservation>(`http://127.0.0.1:${a}/matchmake/joinOrCreate/arena`);
  // A module graph of its own, as a browser has: the client's component stores are not shared.
  vi.resetModules();
  const shared = await import('@tickwire/demo-shared');
  const { Join, protocol } = shared;
  const { createClient, seatUrl, silentLogger } = await import('tickwire');
  const { nodeWebSocketClient } = await import('tickwire/node');
  const { createWorld } = await import('bitecs');
  const net = createClient(createWorld(), protocol, { transport: nodeWebSocketClient(seatUrl(seat)), token: () => guest.token, logger: silentLogger, reconnect: false });
  net.connect();
  await pump([net], () => net.state === 'connected', `${name} to connect`);
  net.send(Join, { name });
  net.flush();
  return { net, subject: guest.subject, seat, shared };
}

/** Receive and flush every client every few ms until `condition` holds. */
async function pump(clients: readonly NetworkClient[], condition: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const net of clients) net.receive();
    if (condition()) return;
    for (const net of clients) net.flush();
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it('two players on different nodes see each other online, read each other’s chat and whisper to each other', async () => {
  const alice = await connectPlayer('alice');
  // Placement puts the next arena on the less loaded node once alice's node has reported its load.
  await vi.waitFor(async () => expect(Number(await redis.client.zScore('tw:load', alice.seat.room.node))).toBeGreaterThan(0), { timeout: 5000, interval: 20 });
  const bob = await connectPlayer('bob');
  expect(new Set([alice.seat.room.node, bob.seat.room.node])).toEqual(new Set(['node-a', 'node-b']));
  expect(bob.seat.address).not.toBe(alice.seat.address);
  const clients = [alice.net, bob.net];
  const { CHAT_TOPIC } = alice.shared;

  // Presence: each watches everyone and learns the other's name from the metadata their node set.
  const online = new Map<NetworkClient, Map<string, string>>(clients.map((net) => [net, new Map()]));
  const readPresence = (): void => {
    for (const net of clients)
      for (const event of net.presence()) {
        const names = online.get(net)!;
        if (event.status === 'online' && event.metadata?.name) names.set(event.identity, String(event.metadata.name));
        else names.delete(event.identity);
      }
  };
  const watched = Promise.all(clients.map((net) => net.watchPresence()));
  const subscribed = Promise.all(clients.map((net) => net.subscribe(CHAT_TOPIC)));
  let ready = false;
  void Promise.all([watched, subscribed]).then(() => {
    ready = true;
  });
  await pump(
    clients,
    () => {
      readPresence();
      return ready && online.get(alice.net)!.get(bob.subject) === 'bob' && online.get(bob.net)!.get(alice.subject) === 'alice';
    },
    'each to see the other online by name',
  );
  for (const result of await subscribed) expect(result.refused).toEqual([]);

  // Chat: alice's line, published by node A under her name, reaches bob on node B.
  alice.net.send(alice.shared.Say, { text: 'hello from A' });
  const heard: Array<{ from: string; text: string }> = [];
  await pump(
    clients,
    () => {
      readPresence();
      for (const { data } of bob.net.publications(bob.shared.ChatLine)) heard.push({ from: data.from, text: data.text });
      return heard.length > 0;
    },
    'bob to hear alice',
  );
  expect(heard).toEqual([{ from: 'alice', text: 'hello from A' }]);

  // Whisper: bob direct-messages alice's identity; node B hands it to node A, which delivers it from bob.
  let delivered: { delivered: number } | undefined;
  void bob.net.direct(alice.subject, bob.shared.Whisper, { text: 'psst, it is bob' }).then((answer) => {
    delivered = answer;
  });
  const whispers: Array<{ from: string | undefined; text: string }> = [];
  await pump(
    clients,
    () => {
      readPresence();
      for (const { from, data } of alice.net.directMessages(alice.shared.Whisper)) whispers.push({ from, text: data.text });
      return whispers.length > 0 && delivered !== undefined;
    },
    'alice to get bob’s whisper',
  );
  expect(whispers).toEqual([{ from: bob.subject, text: 'psst, it is bob' }]);
  expect(delivered).toEqual({ delivered: 1 });

  // Bob leaves: alice sees him go offline, though he was never on her node.
  bob.net.disconnect();
  await pump([alice.net], () => {
    for (const event of alice.net.presence()) if (event.status === 'offline') online.get(alice.net)!.delete(event.identity);
    return !online.get(alice.net)!.has(bob.subject);
  }, 'alice to see bob go offline');
  alice.net.disconnect();
}, 40_000);
