import { Bot, Orb } from '@tickwire/demo-shared';
import { query } from 'bitecs';
import { afterEach, expect, it } from 'vitest';
import { type SeatReservation, seatUrl } from '../../engine-plugin/src/index';
import { type DemoServer, startDemoServer } from '../../server/src/index';
import { ViewGroup } from '../../server/src/view-groups';
import { type NodePlayer, connectNodePlayer, playUntil } from './node-player';

let server: DemoServer | undefined;
const players: NodePlayer[] = [];

afterEach(async () => {
  for (const player of players.splice(0)) player.close();
  await server?.stop();
  server = undefined;
});

async function matchmake(port: number): Promise<SeatReservation> {
  const answer = await fetch(`http://127.0.0.1:${port}/matchmake/joinOrCreate/arena`, { method: 'POST' });
  expect(answer.status).toBe(200);
  return (await answer.json()) as SeatReservation;
}

it('with --room-size 2, the third player gets an arena of its own, with its own bots and orbs, and sees nobody of the first', async () => {
  server = await startDemoServer({ port: 0, host: '127.0.0.1', shove: false, bots: 2, orbs: 3, roomSize: 2, logLevel: 'silent' });
  const seats = [await matchmake(server.port), await matchmake(server.port), await matchmake(server.port)];
  expect(seats[0]!.room.roomId).toBe(seats[1]!.room.roomId);
  expect(seats[2]!.room.roomId).not.toBe(seats[0]!.room.roomId);
  expect(seats[0]!.address).toBe(`ws://127.0.0.1:${server.port}/ws`);
  const [alice, bob, carol] = [
    await connectNodePlayer(seatUrl(seats[0]!), 'alice'),
    await connectNodePlayer(seatUrl(seats[1]!), 'bob'),
    await connectNodePlayer(seatUrl(seats[2]!), 'carol'),
  ];
  players.push(alice!, bob!, carol!);
  await playUntil(players, () => players.every((p) => p.entity !== undefined) && bob!.positionOf(alice!.entity!) !== undefined, 'all to join, bob to see alice');
  for (let i = 0; i < 20; i++) {
    for (const p of players) p.frame();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(carol!.positionOf(alice!.entity!)).toBeUndefined();
  expect(alice!.positionOf(carol!.entity!)).toBeUndefined();

  // Each arena holds its own 2 bots and 3 orbs, in its own view group; nothing lives outside an arena.
  const { world, arenas } = server.game;
  const perArena = new Map<string | undefined, string[]>();
  for (const [kind, component] of [['bot', Bot], ['orb', Orb]] as const)
    for (const eid of query(world, [component])) {
      const arena = arenas.roomName(ViewGroup.of[eid]!);
      perArena.set(arena, [...(perArena.get(arena) ?? []), kind]);
    }
  expect([...perArena.keys()].sort()).toEqual([seats[0]!.room.roomId, seats[2]!.room.roomId].sort());
  for (const kinds of perArena.values()) expect(kinds).toEqual(['bot', 'bot', 'orb', 'orb', 'orb']);
});
