import { describe, expect, it } from 'vitest';
import { ServerReplication } from '../../engine-plugin/src/replication';
import { deliver, makeComponents, TestClient } from './harness';

const ids = (c: TestClient) => [...c.sink.entities.keys()].map((l) => c.replication.serverId(l)).sort((a, b) => a! - b!);

describe('spatial interest', () => {
  it('spawns entities entering the radius around the focus and despawns those leaving it', () => {
    const s = makeComponents();
    const server = new ServerReplication(s.protocol, { spatial: { component: s.Position, xField: 'x', yField: 'y', cellSize: 10 } });
    const pos = s.protocol.componentId(s.Position);
    const hp = s.protocol.componentId(s.Health);
    // 0 is the player; 1 near, 2 far; 3 has no position (a scoreboard): not narrowed.
    const place: [number, number, number][] = [
      [0, 0, 0],
      [1, 5, 5],
      [2, 100, 0],
    ];
    for (const [e, x, y] of place) {
      server.spawn(e);
      server.addComponent(e, pos);
      s.Position.x[e] = x;
      s.Position.y[e] = y;
    }
    server.spawn(3);
    server.addComponent(3, hp);
    const c = new TestClient();
    server.addClient(1);
    server.setFocus(1, 0, 20);
    server.replicate(1);
    deliver(server, 1, c, 1);
    expect(ids(c)).toEqual([0, 1, 3]);

    s.Position.x[2] = 15; // enters
    s.Position.x[1] = 50; // leaves
    server.replicate(2);
    deliver(server, 1, c, 2);
    expect(ids(c)).toEqual([0, 2, 3]);
    expect(c.replication.spawned).toHaveLength(1);
    expect(c.replication.despawned).toHaveLength(1);

    // The focus moves: the view follows it.
    s.Position.x[0] = 45;
    server.replicate(3);
    deliver(server, 1, c, 3);
    expect(ids(c)).toEqual([0, 1, 3]);

    server.setFocus(1, undefined, 0);
    s.Position.x[2] = 1000;
    server.replicate(4);
    deliver(server, 1, c, 4);
    expect(ids(c)).toEqual([0, 1, 2, 3]);
  });

  it('needs the spatial option', () => {
    const s = makeComponents();
    const server = new ServerReplication(s.protocol);
    server.addClient(1);
    expect(() => server.setFocus(1, 0, 10)).toThrow(/spatial/);
  });
});
