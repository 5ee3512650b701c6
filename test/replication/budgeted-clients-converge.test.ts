import { describe, expect, it } from 'vitest';
import { ServerReplication } from '../../engine-plugin/src/replication';
import { type Component, componentInfo } from '../../engine-plugin/src/schema';
import { assertWorldEquals, clientWorld, deliver, type EntityState, makeComponents, prng, serverEntity, TestClient } from './harness';

const IDS = 64;
const TICKS = 250;
const ROOMS = ['red', 'blue'];

/**
 * Clients under byte budgets far below what the churn needs, some also skipping ticks: every
 * delivered section must leave them holding exactly the entities they may see (entries and
 * departures are never deferred), and once the world is still they must converge to it exactly.
 */
function run(seed: number): void {
  const s = makeComponents();
  const server = new ServerReplication(s.protocol, {
    bandwidth: { bytesPerSecond: 600 },
    tickRate: 20,
    spatial: { component: s.Position, xField: 'x', yField: 'y', cellSize: 20 },
  });
  const all: Component[] = [s.Position, s.Health, s.Info, s.Marker];
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const alive = new Map<number, Set<Component>>();
  const rooms = new Map<number, string>();
  const clients = [
    { id: 1, rooms: new Set<string>(), focus: undefined as number | undefined, radius: 0, skip: 0, client: new TestClient() },
    { id: 2, rooms: new Set(['red']), focus: undefined as number | undefined, radius: 0, skip: 0.3, client: new TestClient() },
    { id: 3, rooms: new Set(['blue']), focus: 0 as number | undefined, radius: 50, skip: 0.1, client: new TestClient() },
  ];
  const write = (c: Component, e: number): void => {
    const stores = c as unknown as Record<string, number[] | string[]>;
    for (const field of c[componentInfo].fieldNames) {
      if (random() < 0.5) continue;
      const spec = c[componentInfo].shape[field]!;
      const kind = spec.kind;
      if (kind === 'bool') (stores[field] as number[])[e] = random() < 0.5 ? 0 : 1;
      else if ('quantize' in spec && spec.quantize?.maxQ !== undefined) (stores[field] as number[])[e] = (random() - 0.5) * 6;
      else if (kind === 'string') (stores[field] as string[])[e] = pick(['', 'ab', 'ünï', 'x'.repeat(16)]);
      else if (kind === 'f32' || kind === 'f64') (stores[field] as number[])[e] = (random() - 0.5) * 120;
      else (stores[field] as number[])[e] = Math.floor(random() * 100);
    }
  };
  const spawn = (e: number): void => {
    const comps = new Set<Component>(all.filter(() => random() < 0.6));
    alive.set(e, comps);
    server.spawn(e);
    for (const c of comps) {
      write(c, e);
      server.addComponent(e, s.protocol.componentId(c));
    }
    if (random() < 0.4) {
      const room = pick(ROOMS);
      rooms.set(e, room);
      server.addToRoom(e, room);
    }
  };
  const visible = (m: (typeof clients)[number], e: number): boolean => {
    const room = rooms.get(e);
    if (room !== undefined && !m.rooms.has(room)) return false;
    if (m.focus === undefined || !alive.get(e)!.has(s.Position)) return true;
    if (!alive.get(m.focus)?.has(s.Position)) return false;
    const dx = s.Position.x[e]! - s.Position.x[m.focus]!;
    const dy = s.Position.y[e]! - s.Position.y[m.focus]!;
    return dx * dx + dy * dy <= m.radius * m.radius;
  };
  const expected = (m: (typeof clients)[number]): Map<number, EntityState> => {
    const out = new Map<number, EntityState>();
    for (const [e, comps] of alive) if (visible(m, e)) out.set(e, serverEntity([...comps], e));
    return out;
  };

  for (let e = 0; e < IDS; e += 2) spawn(e);
  for (const m of clients) {
    server.addClient(m.id);
    for (const room of m.rooms) server.joinRoom(m.id, room);
    if (m.focus !== undefined) server.setFocus(m.id, m.focus, m.radius);
  }
  let deferred = 0;
  for (let tick = 1; tick <= TICKS + 400; tick++) {
    const churning = tick <= TICKS;
    if (churning) {
      for (let i = Math.floor(random() * 3); i > 0; i--) {
        const e = Math.floor(random() * IDS);
        if (!alive.has(e)) spawn(e);
        else if (random() < 0.5) {
          alive.delete(e);
          rooms.delete(e);
          server.despawn(e);
          server.forget(e);
          if (random() < 0.5) spawn(e);
        } else {
          const c = pick(all);
          const comps = alive.get(e)!;
          if (comps.delete(c)) server.removeComponent(e, s.protocol.componentId(c));
          else {
            comps.add(c);
            write(c, e);
            server.addComponent(e, s.protocol.componentId(c));
          }
        }
      }
      for (const [e, comps] of alive) if (random() < 0.6) for (const c of comps) write(c, e);
      if (random() < 0.05) {
        const m = pick(clients);
        const bytes = pick([undefined, 200, 600, 3000]);
        server.setBandwidth(m.id, bytes);
      }
      if (random() < 0.02) {
        clients[2]!.focus = Math.floor(random() * IDS);
        server.setFocus(3, clients[2]!.focus, 50);
      }
    }
    server.replicate(tick);
    for (const m of clients) {
      if (churning && random() < m.skip) continue;
      deliver(server, m.id, m.client, tick);
      deferred = Math.max(deferred, server.pendingCount(m.id));
      const want = expected(m);
      const have = clientWorld(m.client);
      expect([...have.keys()].sort((a, b) => a - b), `seed ${seed} tick ${tick} client ${m.id}: entity set`).toEqual([...want.keys()].sort((a, b) => a - b));
    }
    if (!churning && clients.every((m) => server.pendingCount(m.id) === 0)) {
      for (const m of clients) assertWorldEquals(expected(m), clientWorld(m.client), all, `seed ${seed} after the churn, client ${m.id}`);
      // The budgets really deferred work.
      expect(deferred).toBeGreaterThan(5);
      return;
    }
  }
  throw new Error(`seed ${seed}: clients still had deferred changes 400 ticks after the world stopped`);
}

describe('budgeted clients', () => {
  for (const seed of [1, 2, 3, 4, 5]) it(`hold exactly the visible entities every tick and converge once the world is still (seed ${seed})`, () => run(seed));
});
