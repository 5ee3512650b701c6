import { addComponent, addEntity, createWorld, hasComponent, query, removeComponent, removeEntity } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ClientTransport,
  type NetworkClient,
  type NetworkServer,
  Networked,
  createClient,
  createMemoryNetwork,
  createServer,
  silentLogger,
} from '../../engine-plugin/src/index';
import { nodeWebSocketClient, webSocketServer } from '../../engine-plugin/src/node';
import { defineGame, prng } from './game-definitions';

type Game = ReturnType<typeof defineGame>;
const ROOMS = ['red', 'blue'];

interface Player {
  name: string;
  game: Game;
  net: NetworkClient;
  rooms: Set<string>;
  placed: boolean;
}

/**
 * Random play over hundreds of ticks — spawns, despawns, moves, component adds and removes, room
 * moves of entities and of clients — with one client throttled (over memory its link is slow, so
 * the server sees backpressure and coalesces its state) and one joining late. When play stops,
 * every client's world must equal what the server says it may see.
 */
describe.each(['memory', 'ws'] as const)('over %s: every client converges to the server state it may see', (kind) => {
  let server: NetworkServer | undefined;
  const players: Player[] = [];
  afterEach(async () => {
    for (const p of players.splice(0)) p.net.disconnect();
    await server?.stop();
  });

  it('after 300 random ticks with a throttled and a late client', async () => {
    const random = prng(kind === 'ws' ? 7 : 11);
    const serverGame = defineGame();
    const { Position, Health, Label } = serverGame;
    const world = createWorld();
    let openClient: (throttled: boolean) => ClientTransport;
    if (kind === 'memory') {
      const network = createMemoryNetwork({ seed: 3 });
      server = createServer(world, serverGame.protocol, { transport: network.server(), logger: silentLogger, settings: { highWaterMark: 300 } });
      openClient = (throttled) =>
        network.client({ conditions: throttled ? { bandwidthBytesPerSecond: 4_000, latencyMs: 5 } : { latencyMs: 2, jitterMs: 2 } });
    } else {
      const transport = webSocketServer({ host: '127.0.0.1', port: 0 });
      server = createServer(world, serverGame.protocol, { transport, logger: silentLogger });
      openClient = () => nodeWebSocketClient(`ws://127.0.0.1:${transport.port}/ws`);
    }
    await server.start();
    const net = server;
    const join = (name: string, throttled = false) => {
      const game = defineGame();
      const client = createClient(createWorld(), game.protocol, { transport: openClient(throttled), logger: silentLogger, reconnect: false });
      client.connect();
      players.push({ name, game, net: client, rooms: new Set(), placed: false });
    };
    join('steady');
    join('throttled', true);

    const entityRooms = new Map<number, Set<string>>();
    const live = () => [...query(world, [Networked])];
    const pick = () => {
      const entities = live();
      return entities[Math.floor(random() * entities.length)]!;
    };
    const tick = () => {
      net.receive();
      // Each player joins one room once the server knows its connection.
      players.forEach((player, index) => {
        const connection = player.net.id ? net.connection(player.net.id) : undefined;
        if (!connection || player.placed) return;
        player.placed = true;
        const room = ROOMS[index % 2]!;
        net.joinRoom(connection, room);
        player.rooms.add(room);
      });
      net.replicate();
      net.flush();
      for (const p of players) {
        p.net.receive();
        p.net.flush();
      }
    };

    for (let t = 0; t < 300; t++) {
      const roll = random();
      if (roll < 0.15 || live().length < 5) {
        const eid = addEntity(world);
        addComponent(world, eid, Position);
        Position.x[eid] = random() * 1000;
        Position.y[eid] = random() * 1000;
        if (random() < 0.7) {
          addComponent(world, eid, Health);
          Health.hp[eid] = Math.floor(random() * 255);
        }
        if (random() < 0.5) {
          addComponent(world, eid, Label);
          Label.name[eid] = `e${eid}`;
        }
        addComponent(world, eid, Networked);
        const rooms = new Set<string>();
        if (random() < 0.5) {
          const room = ROOMS[Math.floor(random() * 2)]!;
          net.addToRoom(eid, room);
          rooms.add(room);
        }
        entityRooms.set(eid, rooms);
      } else if (roll < 0.22) {
        const eid = pick();
        for (const room of entityRooms.get(eid) ?? []) net.removeFromRoom(eid, room);
        entityRooms.delete(eid);
        removeEntity(world, eid);
      } else if (roll < 0.27) {
        const eid = pick();
        if (hasComponent(world, eid, Health)) removeComponent(world, eid, Health);
        else {
          addComponent(world, eid, Health);
          Health.hp[eid] = 7;
          Health.shield[eid] = 1;
        }
      } else if (roll < 0.32) {
        const eid = pick();
        const rooms = entityRooms.get(eid)!;
        const room = ROOMS[Math.floor(random() * 2)]!;
        if (rooms.has(room)) {
          net.removeFromRoom(eid, room);
          rooms.delete(room);
        } else {
          net.addToRoom(eid, room);
          rooms.add(room);
        }
      } else if (roll < 0.34) {
        const player = players[Math.floor(random() * players.length)]!;
        const connection = player.placed ? net.connection(player.net.id) : undefined;
        const room = ROOMS[Math.floor(random() * 2)]!;
        if (connection) {
          if (player.rooms.has(room)) {
            net.leaveRoom(connection, room);
            player.rooms.delete(room);
          } else {
            net.joinRoom(connection, room);
            player.rooms.add(room);
          }
        }
      }
      // Most entities drift every tick; y drifts below the precision and must still arrive once it adds up.
      for (const eid of live()) {
        if (random() < 0.6) {
          Position.x[eid]! += (random() - 0.5) * 3;
          Position.y[eid]! += (random() - 0.5) * 0.004;
        }
        if (hasComponent(world, eid, Health) && random() < 0.05) Health.hp[eid] = Math.floor(random() * 255);
      }
      if (t === 150) join('late');
      tick();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }

    const mismatch = (): string | undefined => {
      for (const player of players) {
        if (player.net.state !== 'connected') return `${player.name} is ${player.net.state}`;
        const visible = live().filter((eid) => {
          const rooms = entityRooms.get(eid)!;
          return rooms.size === 0 || [...rooms].some((r) => player.rooms.has(r));
        });
        const c = player.game;
        const clientWorld = player.net.world;
        const count = query(clientWorld, [Networked]).length;
        if (count !== visible.length) return `${player.name} has ${count} entities, may see ${visible.length}`;
        for (const eid of visible) {
          const local = player.net.localId(eid);
          if (local === undefined) return `${player.name} lacks entity ${eid}`;
          if (Math.abs(c.Position.x[local]! - Position.x[eid]!) > 0.006 || Math.abs(c.Position.y[local]! - Position.y[eid]!) > 0.006)
            return `${player.name} position of ${eid}: ${c.Position.x[local]},${c.Position.y[local]} vs ${Position.x[eid]},${Position.y[eid]}`;
          if (hasComponent(clientWorld, local, c.Health) !== hasComponent(world, eid, Health)) return `${player.name} health presence of ${eid}`;
          if (hasComponent(world, eid, Health) && (c.Health.hp[local] !== Health.hp[eid] || c.Health.shield[local] !== Health.shield[eid]))
            return `${player.name} health of ${eid}`;
          if (hasComponent(clientWorld, local, c.Label) !== hasComponent(world, eid, Label)) return `${player.name} label presence of ${eid}`;
          if (hasComponent(world, eid, Label) && c.Label.name[local] !== Label.name[eid]) return `${player.name} label of ${eid}`;
        }
      }
      return undefined;
    };
    // Play stops; frames drain (the throttled link needs a few seconds) until every world matches.
    const deadline = Date.now() + 20_000;
    while (mismatch() !== undefined && Date.now() < deadline) {
      tick();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(live().length).toBeGreaterThan(5);
    expect(mismatch()).toBeUndefined();
    if (kind === 'memory') {
      const throttled = net.connection(players[1]!.net.id)!;
      expect(throttled.stats.backpressuredTicks, 'the throttled client really was backed up').toBeGreaterThan(0);
    }
  }, 60_000);
});
