import { Player } from '@tickwire/demo-shared';
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

describe('a round', () => {
  it('tells joiners when it ends; at its end the top scorer is announced as the winner and every score resets', async () => {
    server = await startDemoServer({ port: 0, host: '127.0.0.1', bots: 0, orbs: 0, logLevel: 'silent', roundSeconds: 2 });
    const url = `ws://127.0.0.1:${server.port}/ws`;
    const alice = await connectNodePlayer(url, 'alice');
    const bob = await connectNodePlayer(url, 'bob');
    players.push(alice, bob);
    await playUntil(players, () => alice.entity !== undefined && bob.entity !== undefined && alice.rounds.length > 0, 'both players and the round');
    const first = alice.rounds[0]!;
    expect(first).toMatchObject({ round: 1, lastWinner: '' });
    expect(first.endsAtTick).toBe(2 * 20); // two seconds of 20 Hz ticks from the start
    Player.score[alice.entity!] = 7;
    Player.score[bob.entity!] = 3;
    await playUntil(players, () => alice.rounds.some((r) => r.round === 2), 'the next round', 5000);
    const second = alice.rounds.find((r) => r.round === 2)!;
    expect(second).toMatchObject({ lastWinner: 'alice', lastWinnerScore: 7 });
    expect(second.endsAtTick - first.endsAtTick).toBe(40);
    expect(bob.chat.some((line) => line.system && line.text === 'alice wins round 1 with 7 points!')).toBe(true);
    expect(Player.score[alice.entity!]).toBe(0);
    expect(Player.score[bob.entity!]).toBe(0);
  });
});
