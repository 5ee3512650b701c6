import { describe, expect, it } from 'vitest';
import { ServerReplication } from '../../engine-plugin/src/replication';
import { deliver, makeComponents, TestClient } from './harness';

function setup() {
  const s = makeComponents();
  const server = new ServerReplication(s.protocol);
  const hp = s.protocol.componentId(s.Health);
  for (const e of [1, 2, 3]) {
    server.spawn(e);
    server.addComponent(e, hp);
  }
  server.addToRoom(2, 'red');
  server.addToRoom(3, 'blue');
  return { s, server };
}

const ids = (c: TestClient) => [...c.sink.entities.keys()].map((l) => c.replication.serverId(l)).sort();

describe('rooms', () => {
  it('scope entities: global ones to everyone, room ones to the room’s clients (union over rooms)', () => {
    const { server } = setup();
    const [none, red, both] = [new TestClient(), new TestClient(), new TestClient()];
    server.addClient(1);
    server.addClient(2);
    server.addClient(3);
    server.joinRoom(2, 'red');
    server.joinRoom(3, 'red');
    server.joinRoom(3, 'blue');
    server.replicate(1);
    deliver(server, 1, none, 1);
    deliver(server, 2, red, 1);
    deliver(server, 3, both, 1);
    expect(ids(none)).toEqual([1]);
    expect(ids(red)).toEqual([1, 2]);
    expect(ids(both)).toEqual([1, 2, 3]);
    expect([...server.roomMembers('red')].sort()).toEqual([2, 3]);
    expect(server.roomMembers('nowhere').size).toBe(0);
  });

  it('spawn an entity that moves into a client’s room and despawn it when it moves out', () => {
    const { server } = setup();
    const red = new TestClient();
    server.addClient(1);
    server.joinRoom(1, 'red');
    server.replicate(1);
    deliver(server, 1, red, 1);
    server.addToRoom(3, 'red');
    server.replicate(2);
    deliver(server, 1, red, 2);
    expect(ids(red)).toEqual([1, 2, 3]);
    expect(red.replication.spawned).toHaveLength(1);
    server.removeFromRoom(2, 'red');
    server.addToRoom(2, 'blue');
    server.replicate(3);
    deliver(server, 1, red, 3);
    expect(ids(red)).toEqual([1, 3]);
    expect(red.replication.despawned).toHaveLength(1);
  });

  it('drop what a client no longer sees when it leaves a room', () => {
    const { server } = setup();
    const c = new TestClient();
    server.addClient(1);
    server.joinRoom(1, 'red');
    server.replicate(1);
    deliver(server, 1, c, 1);
    server.leaveRoom(1, 'red');
    server.replicate(2);
    deliver(server, 1, c, 2);
    expect(ids(c)).toEqual([1]);
  });

  it('let clients with the same interest share one view', () => {
    const { server } = setup();
    for (const id of [1, 2, 3, 4]) {
      server.addClient(id);
      server.joinRoom(id, 'red');
    }
    server.addClient(5);
    expect(server.viewCount).toBe(2);
    server.removeClient(5);
    expect(server.viewCount).toBe(1);
  });
});
