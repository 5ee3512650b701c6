import { Player, Position, ZAP_HIT_RADIUS, ZAP_KNOCKBACK } from '@tickwire/demo-shared';
import { afterEach, describe, expect, it } from 'vitest';
import { type DemoServer, startDemoServer } from '../../server/src/index';
import { type DelayRelay, startDelayRelay } from '../support/delay-relay';
import { type NodePlayer, connectNodePlayer, playUntil } from './node-player';

let server: DemoServer | undefined;
let relay: DelayRelay | undefined;
const players: NodePlayer[] = [];

afterEach(async () => {
  for (const player of players.splice(0)) player.close();
  await relay?.close();
  await server?.stop();
  server = undefined;
  relay = undefined;
});

/** Run every player's frames for `ms`. */
async function play(ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    for (const player of players) player.frame();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * A shooter 75 ms each way from the server (150 ms RTT) and a runner (on a direct link) sprinting
 * past it at full speed, 200 units away: the shooter draws the runner about 175 ms in the past,
 * some 40–50 units behind where the server has it.
 */
async function range() {
  server = await startDemoServer({ port: 0, host: '127.0.0.1', bots: 0, orbs: 0, logLevel: 'silent', shove: false });
  relay = await startDelayRelay(server.port, { delayMs: 75, jitterMs: 0, stallChance: 0, stallMs: 0 });
  const shooter = await connectNodePlayer(`ws://127.0.0.1:${relay.port}/ws`, 'shooter');
  const runner = await connectNodePlayer(`ws://127.0.0.1:${server.port}/ws`, 'runner');
  players.push(shooter, runner);
  await playUntil(players, () => shooter.entity !== undefined && runner.entity !== undefined && shooter.positionOf(runner.entity) !== undefined, 'both players', 10_000);
  const me = shooter.entity!; // the demo server's entity ids are the ones its clients are told
  const target = runner.entity!;
  // Both put in place on the server (their predictions snap there), the runner with room to run.
  Position.x[me] = 1200;
  Position.y[me] = 800;
  Position.x[target] = 900;
  Position.y[target] = 600;
  server.game.net.markChanged(me, Position);
  server.game.net.markChanged(target, Position);
  Player.score[target] = 5;
  runner.move(1, 0);
  await play(1200); // the shooter's interpolation has the runner in steady motion
  return { shooter, me, target };
}

describe('a zap over 150 ms RTT (lag compensation in the demo)', () => {
  it('hits a running player where the shooter drew it, though the runner has moved on by the time the zap arrives', async () => {
    const { shooter, me, target } = await range();
    const drawn = shooter.positionOf(target)!;
    // Where the runner really is as the zap leaves (the shooter cannot have seen this yet): so far
    // from the aim point that a zap judged at the present would miss.
    const present = { x: Position.x[target]!, y: Position.y[target]! };
    expect(Math.hypot(present.x - drawn.x, present.y - drawn.y)).toBeGreaterThan(ZAP_HIT_RADIUS + 10);
    const before = { shooter: Player.score[me]!, runner: Player.score[target]! };
    shooter.zapAt(drawn.x, drawn.y);
    await playUntil(players, () => shooter.zapResults.length > 0, 'the zap verdict', 5000);
    expect(shooter.zapResults[0]!.hit).toBe('player');
    expect(Player.score[me]! - before.shooter).toBe(1); // a point taken from the runner
    expect(before.runner - Player.score[target]!).toBe(1);
    // Knocked away from the shooter (a knockback over about a second), on top of its run: its own client learns it as corrections.
    await playUntil(players, () => Position.y[target]! < 600 - ZAP_KNOCKBACK / 2, 'the runner to be knocked away from the shooter', 3000);
  });

  it('misses when aimed at where the runner is on the server, which the shooter could not have seen', async () => {
    const { shooter, me, target } = await range();
    const before = Player.score[me]!;
    shooter.zapAt(Position.x[target]!, Position.y[target]!);
    await playUntil(players, () => shooter.zapResults.length > 0, 'the zap verdict', 5000);
    expect(shooter.zapResults[0]!.hit).toBe('miss');
    expect(Player.score[me]).toBe(before);
  });
});
