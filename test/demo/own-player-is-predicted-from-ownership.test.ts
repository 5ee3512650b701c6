import { ARENA, INPUT_RATE, PLAYER_SPEED, Player, Position, protocol } from '@tickwire/demo-shared';
import { afterEach, describe, expect, it } from 'vitest';
import { toggleNetcode } from '../../client-demo/src/net-toggles';
import { type DemoServer, startDemoServer } from '../../server/src/index';
import { type NodePlayer, connectNodePlayer, playUntil } from './node-player';

/** How far one Move input takes a player. */
const STEP = PLAYER_SPEED / INPUT_RATE;

let server: DemoServer | undefined;
const players: NodePlayer[] = [];

afterEach(async () => {
  for (const player of players.splice(0)) player.close();
  await server?.stop();
  server = undefined;
});

async function joinAlice(): Promise<{ alice: NodePlayer; id: number }> {
  server = await startDemoServer({ port: 0, host: '127.0.0.1', shove: false, bots: 10, orbs: 0, logLevel: 'silent' });
  const alice = await connectNodePlayer(`ws://127.0.0.1:${server.port}/ws`, 'alice');
  players.push(alice);
  await playUntil(players, () => alice.entity !== undefined, 'alice to find her player');
  return { alice, id: alice.entity! };
}

/** The direction along x with the most room, so a wall cannot cut a walk short. */
function awayFromWall(x: number): 1 | -1 {
  return x < ARENA.width / 2 ? 1 : -1;
}

/** Play `ms` of frames. */
function playFor(ms: number): Promise<void> {
  const until = Date.now() + ms;
  return playUntil(players, () => Date.now() >= until, `${ms} ms of play`, ms + 5000);
}

describe('the demo client\'s own player', () => {
  it('is found through tickwire ownership: the server names it in no game message', async () => {
    const { id } = await joinAlice();
    expect(protocol.messages.map((m) => m.name)).not.toContain('joined');
    const net = server!.game.net;
    expect(net.owner(id)).toBeDefined();
    expect(net.owned(net.owner(id)!)).toEqual([id]);
    expect(Player.name[id]).toBe('alice');
  });

  it('moves at the first input, and at rest is where the server has it (within 1 unit)', async () => {
    const { alice, id } = await joinAlice();
    const start = alice.positionOf(id)!;
    const dx = awayFromWall(start.x);
    alice.move(dx, 0);
    alice.frame();
    alice.move(0, 0);
    // Predicted at once and drawn over one input interval, a round trip before the server could have said so.
    await playFor(1000 / INPUT_RATE + 5);
    expect(alice.positionOf(id)!.x - start.x).toBeCloseTo(dx * STEP, 1);
    alice.move(dx, 0);

    await playUntil(players, () => (Position.x[id]! - start.x) * dx > 10 * STEP, 'the server to walk alice ten steps');
    alice.move(0, 0);
    await playUntil(players, () => alice.pendingInputs === 0, 'every input to be acknowledged');
    await playFor(600); // any correction fades with a 100 ms half-life
    const drawn = alice.positionOf(id)!;
    expect(Math.abs(drawn.x - Position.x[id]!)).toBeLessThan(1);
    expect(Math.abs(drawn.y - Position.y[id]!)).toBeLessThan(1);
    // Same shared step on both sides: whole steps, on the y it started at.
    expect(Math.abs(Position.x[id]! - start.x) / STEP).toBeCloseTo(Math.round(Math.abs(Position.x[id]! - start.x) / STEP), 1);
    expect(Position.y[id]).toBeCloseTo(start.y, 1);
  });

  it('I and P flip interpolation and prediction; with prediction off a step waits for the server', async () => {
    const { alice, id } = await joinAlice();
    expect(alice.net.interpolation.enabled).toBe(true);
    expect(alice.net.prediction.enabled).toBe(true);
    expect(toggleNetcode(alice.net, 'i')).toBe(true);
    expect(alice.net.interpolation.enabled).toBe(false);
    expect(toggleNetcode(alice.net, 'I')).toBe(true);
    expect(alice.net.interpolation.enabled).toBe(true);
    expect(toggleNetcode(alice.net, 'x')).toBe(false);

    expect(toggleNetcode(alice.net, 'p')).toBe(true);
    expect(alice.net.prediction.enabled).toBe(false);
    const start = alice.positionOf(id)!;
    const dx = awayFromWall(start.x);
    alice.move(dx, 0);
    alice.frame();
    alice.move(0, 0);
    expect(alice.positionOf(id)!.x).toBe(start.x); // sent, not applied locally…
    await playUntil(players, () => Math.abs(alice.positionOf(id)!.x - (start.x + dx * STEP)) < 0.05, 'the server\'s step to be drawn');

    toggleNetcode(alice.net, 'P');
    expect(alice.net.prediction.enabled).toBe(true);
    alice.move(dx, 0);
    alice.frame();
    alice.move(0, 0);
    await playFor(1000 / INPUT_RATE + 5);
    expect(alice.positionOf(id)!.x).toBeCloseTo(start.x + 2 * dx * STEP, 1); // …and predicted again, drawn within one input interval
  });
});
