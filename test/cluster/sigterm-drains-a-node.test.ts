import { afterAll, beforeAll, expect, it } from 'vitest';
import { CloseCode, type ClientEvent } from '../../engine-plugin/src/index';
import { type RedisServer, startRedis } from '../support/redis-server';
import { RoutedClients, type RoutingNode, joinOrCreateOn, killRoutingNodes, startRoutingNode, until } from '../support/routing-nodes';

/** Clients per room and rooms on the drained node; `npm run test:cluster` runs 3 × 50. */
const PER_ROOM = Number(process.env.TW_DRAIN_PER_ROOM ?? 4);
const ROOMS = 3;
const DRAIN_MS = 2000;

let redis: RedisServer;
let draining: RoutingNode;
let survivor: RoutingNode | undefined;
const clients = new RoutedClients();

beforeAll(async () => {
  redis = await startRedis();
  // Alone at first, so every room is made on it.
  draining = await startRoutingNode(redis.url, 'drain-a', { TW_MAX_CLIENTS: String(PER_ROOM), TW_DRAIN_MS: String(DRAIN_MS) });
}, 90_000);
afterAll(async () => {
  clients.close();
  await killRoutingNodes();
  await redis?.stop();
});

const p99 = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.99) - 1]!;

it('SIGTERM with 3 live rooms: unlisted within 1 tick, no new seat on it, rooms tick on until the drain timeout, then every client is re-seated on the survivor within 2 s p99', async () => {
  const endpoints = () => [draining.http, ...(survivor ? [survivor.http] : [])];
  for (let i = 0; i < PER_ROOM * ROOMS; i++) clients.connect(endpoints, 100);
  await until(() => clients.all.every((c) => c.state === 'connected'), 30_000, 'every client connected');
  const rooms = new Set(clients.all.map((c) => clients.of(c).seats[0]!.seat.room.roomId));
  expect(rooms.size).toBe(ROOMS);
  expect(clients.all.every((c) => clients.of(c).seats[0]!.seat.room.node === 'drain-a')).toBe(true);
  survivor = await startRoutingNode(redis.url, 'drain-b', { TW_MAX_CLIENTS: String(PER_ROOM) });
  expect(await redis.client.zScore('tw:load', 'drain-a')).not.toBeNull();

  const signalledAt = performance.now();
  draining.child.kill('SIGTERM');
  await until(() => draining.said('unlisted').length === 1, 5000, 'the node reports itself unlisted');
  // Unlisted before its next tick ran: out of placement, no room of it listed.
  expect(Number(draining.said('unlisted')[0]!.tick) - Number(draining.said('draining')[0]!.tick)).toBeLessThanOrEqual(1);
  expect(await redis.client.zScore('tw:load', 'drain-a')).toBeNull();
  expect(await redis.client.sCard('tw:rooms:drain-a')).toBe(0);
  for (const roomId of rooms) expect(await redis.client.exists(`tw:room:${roomId}`)).toBe(0);

  // During the drain no seat comes from it: its endpoint answers 503 (not ready), the survivor's seats are the survivor's.
  const refused = await fetch(`${draining.http}/matchmake/joinOrCreate/battle`, { method: 'POST', body: '' });
  expect(refused.status).toBe(503);
  const during = await Promise.all([survivor.http, survivor.http].map((http) => joinOrCreateOn([http])));
  expect(during.map((seat) => seat.room.node)).toEqual(['drain-b', 'drain-b']);

  await until(() => clients.all.every((c) => rematched(clients.of(c).events) !== undefined), DRAIN_MS + 15_000, 'every client re-seated');
  const reseatMs: number[] = [];
  for (const client of clients.all) {
    const timeline = clients.of(client);
    const { closedAt, connectedAt } = rematched(timeline.events)!;
    // The rooms ran on for the whole drain: the close came at the timeout, with notes until shortly before it.
    expect(closedAt - signalledAt).toBeGreaterThanOrEqual(DRAIN_MS);
    const lastNote = Math.max(...timeline.notes.filter((note) => note.at <= closedAt).map((note) => note.at));
    expect(lastNote - signalledAt).toBeGreaterThanOrEqual(DRAIN_MS * 0.75);
    const reseat = timeline.seats.at(-1)!;
    expect(reseat.reason).toBe('rematchmake');
    expect(reseat.seat.room.node).toBe('drain-b');
    reseatMs.push(connectedAt - closedAt);
  }
  expect(p99(reseatMs)).toBeLessThanOrEqual(2000);
  expect(await draining.exited).toBe(0);
  console.log(`sigterm-drains-a-node: ${reseatMs.length} clients in ${ROOMS} rooms re-seated on the survivor, p50 ${p99Of(reseatMs, 0.5)} ms, p99 ${p99(reseatMs).toFixed(0)} ms, max ${Math.max(...reseatMs).toFixed(0)} ms`);
}, 120_000);

/** When the client was closed 4011 and when its next session started. */
function rematched(events: ReadonlyArray<{ event: ClientEvent; at: number }>): { closedAt: number; connectedAt: number } | undefined {
  const closed = events.find((e) => e.event.type === 'disconnected' && e.event.code === CloseCode.Rematchmake);
  const connected = closed && events.find((e) => e.at >= closed.at && e.event.type === 'connected' && !e.event.resumed);
  return closed && connected ? { closedAt: closed.at, connectedAt: connected.at } : undefined;
}

function p99Of(values: readonly number[], q: number): string {
  return [...values].sort((a, b) => a - b)[Math.ceil(values.length * q) - 1]!.toFixed(0);
}
