import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ClientEvent } from '../../engine-plugin/src/index';
import { type RedisServer, startRedis } from '../support/redis-server';
import { RoutedClients, type RoutingNode, killRoutingNodes, startRoutingNode, until } from '../support/routing-nodes';

/** The client's reconnection backoff: its first delay, ms. */
const BACKOFF_MS = 250;

let redis: RedisServer;
let nodes: RoutingNode[];
const clients = new RoutedClients();

beforeAll(async () => {
  redis = await startRedis();
  nodes = await Promise.all(['resume-a', 'resume-b'].map((name) => startRoutingNode(redis.url, name)));
  // Starting a node process (tsx, the engine, a Redis join) takes seconds on a loaded machine; it is not what is tested.
}, 90_000);
afterAll(async () => {
  clients.close();
  await killRoutingNodes();
  await redis?.stop();
}, 40_000);

const connectedAfter = (events: ReadonlyArray<{ event: ClientEvent; at: number }>, since: number) =>
  events.find((e) => e.at > since && e.event.type === 'connected') as { event: Extract<ClientEvent, { type: 'connected' }>; at: number } | undefined;

/** 1, 2, 3 … with no gap and no repeat. */
const inOrder = (ns: readonly number[]) => ns.every((n, i) => n === i + 1);

it('a drop resumes on the same node with the same connection id and every note replayed', async () => {
  const client = clients.connect(() => nodes.map((n) => n.http), BACKOFF_MS);
  const timeline = clients.of(client);
  await until(() => client.state === 'connected' && timeline.notes.length >= 5, 10_000, 'connected, a few notes in');
  const [first] = timeline.seats;
  const home = nodes.find((n) => n.node === first!.seat.room.node)!;
  const id = client.connection.connectionId;

  // A network drop: the home's sockets are destroyed, no close frame. It keeps ticking (and noting) meanwhile.
  const droppedAt = performance.now();
  await home.drop();
  await until(() => connectedAfter(timeline.events, droppedAt) !== undefined, 10_000, 'back after the drop');
  const back = connectedAfter(timeline.events, droppedAt)!;
  expect(back.event.resumed).toBe(true);
  expect(back.event.connectionId).toBe(id);
  expect(timeline.seats).toHaveLength(1);
  const notesAtResume = timeline.notes.filter((note) => note.at <= back.at + 200).length;
  await until(() => timeline.notes.length >= notesAtResume + 5, 5000, 'notes after the resume');
  // What the node sent while the socket was gone came after the resume, in order: nothing lost, nothing twice.
  expect(inOrder(timeline.notes.map((note) => note.n))).toBe(true);

  console.log(`resume-through-the-cluster: drop → resumed in ${(back.at - droppedAt).toFixed(0)} ms (backoff first delay ${BACKOFF_MS} ms)`);
}, 40_000);

it('the home killed: a new session through the matchmaker, on the survivor, within the backoff + 1 s', async () => {
  const client = clients.connect(() => nodes.map((n) => n.http), BACKOFF_MS);
  const timeline = clients.of(client);
  await until(() => client.state === 'connected' && timeline.notes.length >= 3, 10_000, 'connected, a few notes in');
  const home = nodes.find((n) => n.node === timeline.seats[0]!.seat.room.node)!;
  const survivor = nodes.find((n) => n !== home)!;
  const seatsBefore = timeline.seats.length;

  const killedAt = performance.now();
  home.child.kill('SIGKILL');
  await until(() => timeline.events.some((e) => e.at > killedAt && e.event.type === 'connected'), 10_000, 'a session after the kill');
  const back = connectedAfter(timeline.events, killedAt)!;
  const story = timeline.events
    .filter((e) => e.at > killedAt)
    .map((e) => `${(e.at - killedAt).toFixed(0)} ms ${e.event.type}${'code' in e.event ? ` ${e.event.code}` : ''}`)
    .concat(timeline.seats.filter((s) => s.at > killedAt).map((s) => `${(s.at - killedAt).toFixed(0)} ms seat (${s.reason}) on ${s.seat.room.node}`))
    .join(', ');
  // A new session, not a half-restored one: made with a seat the matchmaker gave after the kill, on the survivor.
  expect(back.event.resumed, story).toBe(false);
  const reseat = timeline.seats.at(-1)!;
  expect(timeline.seats.length).toBeGreaterThan(seatsBefore);
  expect(reseat.at).toBeGreaterThan(killedAt);
  expect(reseat.seat.room.node).toBe(survivor.node);
  // The reconnection's first delay is at most BACKOFF_MS; the rest (a refused dial, matchmaking, the handshake) gets 1 s.
  expect(back.at - killedAt, story).toBeLessThanOrEqual(BACKOFF_MS + 1000);
  console.log(`resume-through-the-cluster: home killed → new session on ${survivor.node} in ${(back.at - killedAt).toFixed(0)} ms (${story})`);
}, 40_000);
