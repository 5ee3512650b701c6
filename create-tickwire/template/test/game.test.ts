// The game's own test: the server systems and two clients in one process, over tickwire/testing's
// in-memory network on a manual clock — deterministic, and no port to open.
import { query } from 'bitecs';
import { startTestGame } from 'tickwire/testing';
import { describe, expect, it } from 'vitest';
import { FIELD, Move, Player, Position, SPEED, protocol } from '../shared/protocol';
import { gameSystem } from '../server/systems';

describe('moving a dot', () => {
  it('shows every player where the others move', async () => {
    const game = await startTestGame(protocol, { system: gameSystem });
    const alice = game.client({ conditions: { latencyMs: 50 } });
    const bob = game.client();
    await game.until(() => alice.net.owned().length === 1 && query(bob.world, [bob.component(Player)]).length === 2);

    const aliceOnServer = alice.net.serverId(alice.net.owned()[0]!)!;
    const seenByBob = () => bob.net.localId(aliceOnServer) ?? -1;
    for (let i = 0; i < 5; i++) {
      alice.net.send(Move, { dx: 1, dy: 0 });
      await game.tick();
    }
    await game.until(() => bob.component(Player).moves[seenByBob()] === 5);
    await game.ticks(10); // let interpolation settle on the last state
    expect(bob.component(Position).x[seenByBob()]).toBeCloseTo(FIELD.width / 2 + 5 * SPEED, 1);
    await game.close();
  });
});
