// game.test.ts — a game's own test, with the server and two clients in one process
import { addComponent, addEntity, query } from 'bitecs';
import { Networked } from 'tickwire';
import { startTestGame } from 'tickwire/testing';
import { describe, expect, it } from 'vitest';
import { Chat, Player, protocol } from './shared';

describe('chatting scores a point', () => {
  it('shows every player the score of whoever chatted', async () => {
    const game = await startTestGame(protocol, {
      system(world, net) {
        for (const event of net.events()) {
          if (event.type !== 'connected') continue;
          const eid = addEntity(world);
          addComponent(world, eid, Player);
          addComponent(world, eid, Networked);
          net.setOwner(eid, event.connection);
        }
        for (const { source } of net.messages(Chat)) {
          for (const eid of net.owned(source)) Player.score[eid]! += 1;
        }
      },
    });
    // The in-memory network runs on the game's manual clock: 80 ms each way, yet every run is the same.
    const alice = game.client({ conditions: { latencyMs: 80 } });
    const bob = game.client();
    await game.until(() => alice.net.owned().length === 1 && query(bob.world, [bob.component(Player)]).length === 2);

    alice.net.send(Chat, { text: 'hello' });
    const score = (eid: number) => bob.component(Player).score[bob.net.localId(eid) ?? -1];
    const aliceEntity = alice.net.serverId(alice.net.owned()[0]!)!;
    await game.until(() => score(aliceEntity) === 1);

    await game.ticks(10); // nothing else happens
    expect(score(aliceEntity)).toBe(1);
    await game.close();
  });
});
