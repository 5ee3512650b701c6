import { describe, expect, it } from 'vitest';
import { ServerReplication } from '../../engine-plugin/src/replication';
import { deliver, makeComponents, sectionOf, TestClient } from './harness';

describe('updates', () => {
  it('send only the fields that changed, and nothing when nothing did', () => {
    const s = makeComponents();
    const server = new ServerReplication(s.protocol);
    const hp = s.protocol.componentId(s.Health);
    const info = s.protocol.componentId(s.Info);
    for (const e of [1, 2, 3]) {
      server.spawn(e);
      server.addComponent(e, hp);
      server.addComponent(e, info);
      s.Info.name[e] = 'a long name that never changes';
    }
    const client = new TestClient();
    server.addClient(1);
    server.replicate(1);
    deliver(server, 1, client, 1);

    server.replicate(2);
    expect(deliver(server, 1, client, 2)).toBe(0);
    expect(client.replication.changed).toEqual([]);

    s.Health.hp[2] = 77;
    server.replicate(3);
    const bytes = sectionOf(server, 1);
    // flags (no lists), id gap, combined field mask, one u8 value.
    expect([...bytes]).toEqual([0, 2, 1, 77]);
  });

  it('report changes as events, once per entity per tick', () => {
    const s = makeComponents();
    const server = new ServerReplication(s.protocol);
    const hp = s.protocol.componentId(s.Health);
    server.spawn(4);
    server.addComponent(4, hp);
    const client = new TestClient();
    server.addClient(1);
    server.replicate(1);
    deliver(server, 1, client, 1);
    s.Health.hp[4] = 5;
    s.Health.shield[4] = -5;
    server.replicate(2);
    deliver(server, 1, client, 2);
    const local = client.replication.localId(4)!;
    expect(client.replication.changed).toEqual([local]);
    expect(client.replication.spawned).toEqual([]);
    expect(client.components.Health.shield[local]).toBe(-5);
  });

  it('encode a moving quantised position as one-byte deltas', () => {
    const s = makeComponents();
    const server = new ServerReplication(s.protocol);
    const pos = s.protocol.componentId(s.Position);
    server.spawn(0);
    server.addComponent(0, pos);
    server.addClient(1);
    const client = new TestClient();
    server.replicate(1);
    deliver(server, 1, client, 1);
    s.Position.x[0] = 0.05;
    s.Position.y[0] = -0.05;
    server.replicate(2);
    // flags, gap, mask, dx, dy
    expect(deliver(server, 1, client, 2)).toBe(5);
    expect(client.components.Position.y[client.replication.localId(0)!]).toBeCloseTo(-0.05, 5);
  });
});
