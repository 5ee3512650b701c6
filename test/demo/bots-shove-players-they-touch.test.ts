import { BOT_RADIUS, BOT_SHOVE, Bot, PLAYER_RADIUS, Position } from '@tickwire/demo-shared';
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
  it('shoves the player away on the server, and the player\'s prediction is corrected to follow', async () => {
    server = await startDemoServer({ port: 0, host: '127.0.0.1', bots: 1, orbs: 0, logLevel: 'silent' });
    const alice = await connectNodePlayer(`ws://127.0.0.1:${server.port}/ws`, 'alice');
    players.push(alice);
    await playUntil(players, () => alice.entity !== undefined, 'alice to find her player');
    const me = alice.entity!;
    const bot = query(server.game.world, [Bot])[0]!;
    const x0 = Position.x[me]!;
    const y0 = Position.y[me]!;
    // Drop the bot right next to her (the server's world, between two ticks).
    Position.x[bot] = x0 - 5;
    Position.y[bot] = y0;
    server.game.net.markChanged(bot, Position);
    await playUntil(players, () => Math.hypot(Position.x[me]! - x0, Position.y[me]! - y0) > 5, 'the server to shove alice');
    const pushed = Math.hypot(Position.x[me]! - Position.x[bot]!, Position.y[me]! - Position.y[bot]!);
    expect(pushed).toBeGreaterThanOrEqual(PLAYER_RADIUS + BOT_RADIUS); // out of contact…
    expect(Math.hypot(Position.x[me]! - x0, Position.y[me]! - y0)).toBeGreaterThan(BOT_SHOVE / 2); // …by a real shove
    // Alice did not move herself: her client learns of the shove only from the server, as a correction.
    await playUntil(players, () => alice.net.prediction.maxCorrection > 5, 'alice\'s prediction to be corrected');
  });
});
