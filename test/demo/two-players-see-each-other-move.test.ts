import { ARENA } from '@tickwire/demo-shared';
import { afterEach, expect, it } from 'vitest';
import { type DemoServer, startDemoServer } from '../../server/src/index';
import { type NodePlayer, connectNodePlayer, playUntil } from './node-player';

let server: DemoServer | undefined;
const players: NodePlayer[] = [];

afterEach(async () => {
  for (const player of players.splice(0)) player.close();
  await server?.stop();
  server = undefined;
});

it('one player holds a direction, the other sees them move; nobody steers another player', async () => {
  server = await startDemoServer({ port: 0, host: '127.0.0.1', shove: false, bots: 20, orbs: 0, logLevel: 'silent' });
  const url = `ws://127.0.0.1:${server.port}/ws`;
  const alice = await connectNodePlayer(url, 'alice');
  const bob = await connectNodePlayer(url, 'bob');
  players.push(alice, bob);

  await playUntil(
    players,
    () => alice.entity !== undefined && bob.entity !== undefined && bob.positionOf(alice.entity) !== undefined,
    'both to join and bob to see alice',
  );
  const aliceId = alice.entity!;
  const start = bob.positionOf(aliceId)!;
  // Head for the far side so a wall cannot stop her early.
  const dx = start.x < ARENA.width / 2 ? 1 : -1;
  alice.move(dx, 0);
  // Bob tries to push alice down: inputs only steer their sender's own player.
  bob.move(0, 1);

  await playUntil(players, () => (bob.positionOf(aliceId)!.x - start.x) * dx > 100, 'bob to see alice move 100 units');
  const seen = bob.positionOf(aliceId)!;
  expect(seen.y).toBeCloseTo(start.y, 2);
  // Once she stops, alice's own (predicted) view and bob's (interpolated) view agree: while she
  // moves they differ by her speed times the render delay and latency, which depends on the machine.
  alice.move(0, 0);
  await playUntil(
    players,
    () => Math.abs(alice.positionOf(aliceId)!.x - bob.positionOf(aliceId)!.x) < 1 && Math.abs(alice.positionOf(aliceId)!.y - bob.positionOf(aliceId)!.y) < 1,
    'views to agree at rest',
  );
});

it('a chat line reaches every player under the sender\'s name', async () => {
  server = await startDemoServer({ port: 0, host: '127.0.0.1', bots: 0, orbs: 0, logLevel: 'silent' });
  const url = `ws://127.0.0.1:${server.port}/ws`;
  const alice = await connectNodePlayer(url, 'alice');
  const bob = await connectNodePlayer(url, 'bob');
  players.push(alice, bob);
  await playUntil(players, () => alice.entity !== undefined && bob.entity !== undefined, 'both to join');
  alice.say('  hello   arena ');
  await playUntil(players, () => bob.chat.some((line) => !line.system), 'bob to hear alice');
  expect(bob.chat.filter((line) => !line.system)).toEqual([{ from: 'alice', text: 'hello arena', system: false }]);
});

it('a player over the limit is told the server is full (4002)', async () => {
  server = await startDemoServer({ port: 0, host: '127.0.0.1', bots: 0, orbs: 0, maxPlayers: 1, logLevel: 'silent' });
  const url = `ws://127.0.0.1:${server.port}/ws`;
  const first = await connectNodePlayer(url, 'first');
  players.push(first);
  await playUntil(players, () => first.entity !== undefined, 'the first player to join');
  const second = await connectNodePlayer(url, 'second');
  players.push(second);
  await playUntil(players, () => second.disconnects.length > 0, 'the second player to be turned away');
  expect(second.disconnects[0]).toEqual({ code: 4002, reason: 'the server is full (1 of 1 places taken)' });
  expect(first.state).toBe('connected');
});

it('stopping the server tells every player it is shutting down (4004)', async () => {
  server = await startDemoServer({ port: 0, host: '127.0.0.1', shove: false, bots: 5, orbs: 5, logLevel: 'silent' });
  const player = await connectNodePlayer(`ws://127.0.0.1:${server.port}/ws`, 'carol');
  players.push(player);
  await playUntil(players, () => player.entity !== undefined, 'the player to join');
  const stopped = server.stop();
  server = undefined;
  await playUntil(players, () => player.disconnects.length > 0, 'the shutdown close');
  await stopped;
  expect(player.disconnects[0]!.code).toBe(4004);
});
