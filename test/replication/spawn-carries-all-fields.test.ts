import { describe, expect, it } from 'vitest';
import { ServerReplication } from '../../engine-plugin/src/replication';
import { assertWorldEquals, clientWorld, deliver, makeComponents, serverEntity, TestClient } from './harness';

describe('spawn', () => {
  it('carries every field of every component, of every kind', () => {
    const s = makeComponents();
    const server = new ServerReplication(s.protocol);
    const ids = { info: s.protocol.componentId(s.Info), pos: s.protocol.componentId(s.Position), hp: s.protocol.componentId(s.Health), tag: s.protocol.componentId(s.Marker) };
    const e = 7;
    s.Position.x[e] = 12.345;
    s.Position.y[e] = -3.21;
    s.Health.hp[e] = 200;
    s.Health.shield[e] = -1234;
    s.Health.alive[e] = 1;
    s.Info.name[e] = 'zoë';
    s.Info.level[e] = 4_000_000_000;
    s.Info.score[e] = -2_000_000_000;
    s.Info.ratio[e] = Math.PI;
    s.Info.small[e] = -100;
    s.Info.wide[e] = 65_000;
    s.Info.angle[e] = 1.5;
    s.Info.raw[e] = 0.1;
    server.spawn(e);
    for (const id of Object.values(ids)) server.addComponent(e, id);
    const client = new TestClient();
    server.addClient(1);
    server.replicate(1);
    deliver(server, 1, client, 1);

    expect(client.replication.spawned).toHaveLength(1);
    const local = client.replication.localId(e)!;
    expect(client.replication.serverId(local)).toBe(e);
    expect(client.sink.entities.get(local)!.size).toBe(4);
    const all = [s.Position, s.Health, s.Info, s.Marker];
    assertWorldEquals(new Map([[e, serverEntity(all, e)]]), clientWorld(client), all);
    // Exact kinds are exact; bits-quantised angle within its step.
    expect(client.components.Info.ratio[local]).toBe(Math.PI);
    expect(client.components.Info.raw[local]).toBe(s.Info.raw[e]);
    expect(Math.abs(client.components.Info.angle[local]! - 1.5)).toBeLessThan((2 * Math.PI) / 4095);
  });

  it('keeps the authoritative values apart from the store, and reports them with their tick', () => {
    const s = makeComponents();
    const server = new ServerReplication(s.protocol);
    const pos = s.protocol.componentId(s.Position);
    server.spawn(3);
    server.addComponent(3, pos);
    s.Position.x[3] = 1;
    const client = new TestClient();
    const seen: [number, number, number][] = [];
    client.replication.onUpdate = (serverId, _local, componentId, tick) => seen.push([serverId, componentId, tick]);
    server.addClient(1);
    server.replicate(10);
    deliver(server, 1, client, 10);
    const local = client.replication.localId(3)!;
    // Interpolation overwrites the store with a presentation value...
    client.components.Position.x[local] = 999;
    s.Position.x[3] = 1.5;
    server.replicate(11);
    deliver(server, 1, client, 11);
    // ...yet the delta applies to the authoritative baseline, not to the store.
    expect(client.components.Position.x[local]).toBeCloseTo(1.5, 5);
    const auth = client.replication.authoritative(pos);
    expect(auth.values[0]![3]).toBeCloseTo(1.5, 10);
    expect(auth.quantized[0]![3]).toBe(150);
    expect(auth.tick[3]).toBe(11);
    expect(seen).toEqual([
      [3, pos, 10],
      [3, pos, 11],
    ]);
  });
});
