import { describe, expect, it } from 'vitest';
import { ServerReplication } from '../../engine-plugin/src/replication';
import { deliver, makeComponents, sectionOf, TestClient } from './harness';

describe('despawn', () => {
  it('is one id in the despawn list', () => {
    const s = makeComponents();
    const server = new ServerReplication(s.protocol);
    const hp = s.protocol.componentId(s.Health);
    server.spawn(5);
    server.addComponent(5, hp);
    server.addClient(1);
    const client = new TestClient();
    server.replicate(1);
    deliver(server, 1, client, 1);
    const local = client.replication.localId(5)!;
    server.despawn(5);
    server.replicate(2);
    const bytes = sectionOf(server, 1);
    // flags (despawn list), count, id.
    expect([...bytes]).toEqual([2, 1, 5]);
    server.replicate(3);
    server.despawn(5);
    server.spawn(5);
    server.addComponent(5, hp);
    server.replicate(4);
    deliver(server, 1, client, 4);
    expect(client.replication.localId(5)).toBeDefined();
    expect(local).toBeGreaterThanOrEqual(0);
  });

  it('handles spawn → despawn → spawn of one id in one tick as a new entity', () => {
    const s = makeComponents();
    const server = new ServerReplication(s.protocol);
    const hp = s.protocol.componentId(s.Health);
    const pos = s.protocol.componentId(s.Position);
    server.spawn(9);
    server.addComponent(9, hp);
    s.Health.hp[9] = 10;
    server.addClient(1);
    const client = new TestClient();
    server.replicate(1);
    deliver(server, 1, client, 1);
    const before = client.replication.localId(9)!;

    // bitECS recycles the id at once: the old entity dies, a new one takes its id.
    server.despawn(9);
    server.spawn(9);
    server.addComponent(9, pos);
    s.Position.x[9] = 4;
    server.replicate(2);
    deliver(server, 1, client, 2);
    expect(client.replication.despawned).toEqual([before]);
    expect(client.replication.spawned).toHaveLength(1);
    const after = client.replication.localId(9)!;
    const comps = client.sink.entities.get(after)!;
    expect([...comps]).toEqual([client.components.Position]);
    expect(client.components.Position.x[after]).toBeCloseTo(4, 5);
    expect(client.sink.entities.size).toBe(1);
  });

  it('removes and adds components with a refresh', () => {
    const s = makeComponents();
    const server = new ServerReplication(s.protocol);
    const hp = s.protocol.componentId(s.Health);
    const pos = s.protocol.componentId(s.Position);
    server.spawn(2);
    server.addComponent(2, hp);
    server.addClient(1);
    const client = new TestClient();
    server.replicate(1);
    deliver(server, 1, client, 1);
    server.removeComponent(2, hp);
    server.addComponent(2, pos);
    s.Position.y[2] = 8;
    server.replicate(2);
    deliver(server, 1, client, 2);
    const local = client.replication.localId(2)!;
    expect([...client.sink.entities.get(local)!]).toEqual([client.components.Position]);
    expect(client.replication.changed).toEqual([local]);
    expect(client.components.Position.y[local]).toBeCloseTo(8, 5);
  });
});
