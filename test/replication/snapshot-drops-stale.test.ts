import { describe, expect, it } from 'vitest';
import { ByteReader } from '../../engine-plugin/src/protocol';
import { ServerReplication } from '../../engine-plugin/src/replication';
import { deliver, makeComponents, sectionOf, TestClient } from './harness';

describe('snapshot', () => {
  it('on resync keeps what still exists and drops what the client should no longer have', () => {
    const s = makeComponents();
    const server = new ServerReplication(s.protocol);
    const hp = s.protocol.componentId(s.Health);
    for (const e of [1, 2, 3]) {
      server.spawn(e);
      server.addComponent(e, hp);
    }
    const c = new TestClient();
    server.addClient(1);
    server.replicate(1);
    deliver(server, 1, c, 1);
    const kept = c.replication.localId(1)!;
    const dropped = c.replication.localId(2)!;

    // The connection drops; the server moves on without writing for it.
    server.despawn(2);
    s.Health.hp[1] = 42;
    server.replicate(2);
    server.spawn(7);
    server.addComponent(7, hp);
    server.replicate(3);

    // Resume: a snapshot, flagged so the client drops entity 2 it never heard about.
    server.resync(1);
    server.replicate(4);
    const bytes = sectionOf(server, 1);
    expect(bytes[0]! & 1).toBe(1);
    c.replication.beginTick();
    c.replication.apply(new ByteReader(bytes), 4);
    expect(c.replication.despawned).toEqual([dropped]);
    expect(c.replication.localId(1)).toBe(kept);
    expect(c.components.Health.hp[kept]).toBe(42);
    expect(c.replication.localId(7)).toBeDefined();
    expect(c.sink.entities.size).toBe(3);
  });

  it('of an empty view is still sent, so a resumed client empties its world', () => {
    const s = makeComponents();
    const server = new ServerReplication(s.protocol);
    server.spawn(1);
    const c = new TestClient();
    server.addClient(1);
    server.replicate(1);
    deliver(server, 1, c, 1);
    expect(c.sink.entities.size).toBe(1);
    server.despawn(1);
    server.resync(1);
    server.replicate(2);
    expect(deliver(server, 1, c, 2)).toBe(1);
    expect(c.sink.entities.size).toBe(0);
  });
});

