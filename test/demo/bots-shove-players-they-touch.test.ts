import { BOT_RADIUS, BOT_SHOVE, Bot, KNOCKBACK_SECONDS, PLAYER_RADIUS, PLAYER_SPEED, Position } from '@tickwire/demo-shared';
import { query } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { type DemoServer, startDemoServer } from '../../server/src/index';
import { type NodePlayer, connectNodePlayer, playUntil } from './node-player';

let server: DemoServer | undefined;
const players: NodePlayer[] = [];

afterEach(async () => {
  for (const player of players.splice(0)) player.close();
  await server?.stop();
  server = undefined;
});

describe('a bot touching a player', () => {
  it('knocks the player away over several ticks on the server, and the player\'s prediction is corrected to follow', async () => {
    server = await startDemoServer({ port: 0, host: '127.0.0.1', bots: 1, orbs: 0, logLevel: 'silent' });
    const alice = await connectNodePlayer(`ws://127.0.0.1:${server.port}/ws`, 'alice');
    players.push(alice);
    await playUntil(players, () => alice.entity !== undefined, 'alice to find her player');
    const me = alice.entity!;
    const net = server.game.net;
    const tickRate = server.game.config.tickRate;
    const bot = query(server.game.world, [Bot])[0]!;
    const x0 = Position.x[me]!;
    const y0 = Position.y[me]!;
    // Drop the bot right next to her (the server's world, between two ticks), then take it away
    // once it touched her, so what follows is the shove alone.
    Position.x[bot] = x0 - 5;
    Position.y[bot] = y0;
    net.markChanged(bot, Position);
    const path: { tick: number; x: number; y: number }[] = [];
    let lastTick = net.tick;
    await playUntil(
      players,
      () => {
        if (net.tick !== lastTick) {
          lastTick = net.tick;
          path.push({ tick: net.tick, x: Position.x[me]!, y: Position.y[me]! });
          if (path.length === 1) {
            Position.x[bot] = 50;
            Position.y[bot] = 50;
            net.markChanged(bot, Position);
          }
        }
        return path.length > 0 && net.tick - path[0]!.tick >= Math.ceil(3 * KNOCKBACK_SECONDS * tickRate) + 2;
      },
      'the knockback to play out',
    );
    // A real shove (the bot wandered a tick before it touched her, so the line between them is only
    // roughly along x): the contact undone and BOT_SHOVE beyond it, 95 % of it after three time constants…
    const pushed = Math.hypot(Position.x[me]! - x0, Position.y[me]! - y0);
    expect(pushed).toBeGreaterThan(0.9 * (PLAYER_RADIUS + BOT_RADIUS - 10 + BOT_SHOVE));
    // …yet smooth: no tick moves her further than she walks in a tick, so her own client sees a
    // run of small corrections rather than one jump.
    for (let i = 1; i < path.length; i++) {
      const perTick = Math.hypot(path[i]!.x - path[i - 1]!.x, path[i]!.y - path[i - 1]!.y) / (path[i]!.tick - path[i - 1]!.tick);
      expect(Math.abs(perTick)).toBeLessThanOrEqual(PLAYER_SPEED / tickRate);
    }
    // Alice did not move herself: her client learns of the shove only from the server, as corrections.
    await playUntil(players, () => (alice.net.prediction.get(me)?.corrections ?? 0) >= 3, 'alice\'s prediction to be corrected tick by tick');
  });
});
