import { addComponent, addEntity } from 'bitecs';
import { describe, expect, it } from 'vitest';
import { type Connection, Networked } from '../../engine-plugin/src/index';
import { startTestGame } from '../../engine-plugin/src/testing';
import { Position, protocol } from '../support/chat-protocol';

// What a JavaScript caller (no type check) or an `as never` cast can write.
type Loose = (a: unknown, b: unknown) => void;

describe('room calls with their arguments swapped', () => {
  it('throw a TypeError naming the right order instead of scoping nothing', async () => {
    const game = await startTestGame(protocol);
    const eid = addEntity(game.world);
    addComponent(game.world, eid, Position);
    addComponent(game.world, eid, Networked);
    const client = game.client();
    let connection: Connection | undefined;
    await game.until(() => {
      connection ??= game.server.events().find((e) => e.type === 'connected')?.connection;
      return connection !== undefined;
    });
    const server = game.server;
    expect(() => (server.addToRoom as Loose)('red', eid)).toThrow(new TypeError("tickwire: addToRoom(eid, room) — the room's name comes second, as a string"));
    expect(() => (server.joinRoom as Loose)('red', connection)).toThrow(/joinRoom\(connection, room\)/);
    expect(() => (server.removeFromRoom as Loose)('red', eid)).toThrow(/removeFromRoom\(eid, room\)/);
    expect(() => (server.leaveRoom as Loose)('red', connection)).toThrow(/leaveRoom\(connection, room\)/);

    // In the right order the entity is scoped: a client outside the room stops seeing it.
    await game.until(() => client.net.localId(eid) !== undefined);
    server.addToRoom(eid, 'red');
    await game.until(() => client.net.localId(eid) === undefined);
    server.joinRoom(connection!, 'red');
    await game.until(() => client.net.localId(eid) !== undefined);
    await game.close();
  });
});
