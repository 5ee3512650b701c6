import { addComponent, addEntity } from 'bitecs';
import { describe, expect, it } from 'vitest';
import { Networked } from '../../engine-plugin/src/index';
import { startTestGame } from '../../engine-plugin/src/testing';
import { Chat, Position, protocol } from '../support/chat-protocol';

describe('tickwire/testing over real ws', () => {
  it('serves its clients on an ephemeral 127.0.0.1 port and replicates to each its own stores', async () => {
    let spawned = -1;
    const heard: string[] = [];
    const game = await startTestGame(protocol, {
      transport: 'ws',
      setup(world) {
        spawned = addEntity(world);
        addComponent(world, spawned, Position);
        addComponent(world, spawned, Networked);
        Position.x[spawned] = 3.5;
      },
      system(_world, net) {
        for (const { data } of net.messages(Chat)) heard.push(data.text);
      },
    });
    try {
      expect(game.port).toBeGreaterThan(0);
      expect(game.clock).toBeUndefined();
      const client = game.client();
      await game.until(() => client.net.localId(spawned) !== undefined);
      const position = client.component(Position);
      expect(position).not.toBe(Position);
      expect(position.x[client.net.localId(spawned)!]).toBeCloseTo(3.5, 2);
      client.net.send(Chat, { text: 'over the wire' });
      await game.until(() => heard.length === 1);
      expect(heard).toEqual(['over the wire']);
    } finally {
      await game.close();
    }
  });
});
