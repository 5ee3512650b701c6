import { ARENA, INPUT_RATE, PLAYER_SPEED, Player, Position } from '@tickwire/demo-shared';
import { query } from 'bitecs';
import { afterEach, expect, it } from 'vitest';
import { type DemoServer, startDemoServer } from '../../server/src/index';
import { type CuttableProxy, startCuttableProxy } from './cuttable-proxy';
import { type NodePlayer, connectNodePlayer, playUntil } from './node-player';

let server: DemoServer | undefined;
let proxy: CuttableProxy | undefined;
const players: NodePlayer[] = [];

afterEach(async () => {
  for (const player of players.splice(0)) player.close();
  await proxy?.close();
  await server?.stop();
  server = undefined;
  proxy = undefined;
});

it('a dropped player keeps their entity, resumes the session, and walks on with prediction', async () => {
  server = await startDemoServer({ port: 0, host: '127.0.0.1', shove: false, bots: 5, orbs: 0, logLevel: 'silent' });
  proxy = await startCuttableProxy(server.port);
  const alice = await connectNodePlayer(`ws://127.0.0.1:${proxy.port}/ws`, 'alice', { reconnect: true });
  players.push(alice);
  await playUntil(players, () => alice.entity !== undefined, 'alice to find her player');
  const id = alice.entity!;
  const world = server.game.world;

  proxy.cut();
  await playUntil(players, () => alice.disconnects.length > 0, 'the client to see the drop');
  expect(alice.disconnects[0]!.code).toBe(1006);
  // Held for the grace period: still in the world, still hers.
  expect(query(world, [Player])).toContain(id);

  await playUntil(players, () => alice.state === 'connected' && alice.connects.length === 2, 'the resume');
  expect(alice.connects).toEqual([{ resumed: false }, { resumed: true }]);
  expect(query(world, [Player])).toEqual([id]);
  await playUntil(players, () => alice.entity === id, 'alice to predict her player again');

  const x0 = Position.x[id]!;
  const dx = x0 < ARENA.width / 2 ? 1 : -1;
  alice.move(dx, 0);
  await playUntil(players, () => (Position.x[id]! - x0) * dx >= 5 * (PLAYER_SPEED / INPUT_RATE), 'alice to walk after the resume');
  alice.move(0, 0);
  await playUntil(players, () => alice.pendingInputs === 0 && Math.abs(alice.positionOf(id)!.x - Position.x[id]!) < 1, 'views to agree');
});
