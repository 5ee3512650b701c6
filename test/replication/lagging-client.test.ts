import { describe, expect, it } from 'vitest';
import { ByteReader } from '../../engine-plugin/src/protocol';
import { ServerReplication } from '../../engine-plugin/src/replication';
import { deliver, makeComponents, sectionOf, TestClient } from './harness';

describe('a client that skipped ticks (backpressure)', () => {
  it('gets the absolute latest values of everything changed since its last delivered tick', () => {
    const s = makeComponents();
    const server = new ServerReplication(s.protocol);
    const pos = s.protocol.componentId(s.Position);
    const hp = s.protocol.componentId(s.Health);
    for (const e of [0, 1, 2, 3]) {
      server.spawn(e);
      server.addComponent(e, pos);
      server.addComponent(e, hp);
    }
    const fast = new TestClient();
    const slow = new TestClient();
    server.addClient(1);
    server.addClient(2);
    server.replicate(1);
    deliver(server, 1, fast, 1);
    deliver(server, 2, slow, 1);

    // Ten ticks the slow client's socket is full: no writeState for it.
    for (let tick = 2; tick <= 11; tick++) {
      s.Position.x[0] = tick * 0.37;
      if (tick === 4) s.Health.hp[1] = 9;
      if (tick === 6) server.despawn(2);
      if (tick === 7) {
        server.spawn(9);
        server.addComponent(9, hp);
        s.Health.hp[9] = 99;
      }
      server.replicate(tick);
      deliver(server, 1, fast, tick);
    }
    server.replicate(12);
    deliver(server, 1, fast, 12);
    const section = sectionOf(server, 2);
    slow.replication.beginTick();
    slow.replication.apply(new ByteReader(section), 12);
    const l = (e: number) => slow.replication.localId(e)!;
    expect(slow.replication.localId(2)).toBeUndefined();
    expect(slow.components.Position.x[l(0)]).toBeCloseTo(11 * 0.37, 2);
    expect(slow.components.Health.hp[l(1)]).toBe(9);
    expect(slow.components.Health.hp[l(9)]).toBe(99);
    // Entity 3 never changed: it is not resent.
    expect(slow.replication.changed).not.toContain(l(3));

    // Back in step: the next tick's shared deltas apply on the caught-up baselines.
    s.Position.x[0] = 5;
    server.replicate(13);
    deliver(server, 1, fast, 13);
    deliver(server, 2, slow, 13);
    expect(slow.components.Position.x[l(0)]).toBeCloseTo(5, 2);
  });

  it('keeps memory bounded: past the departure log it gets a snapshot instead', () => {
    const s = makeComponents();
    const server = new ServerReplication(s.protocol, { maxDepartureLog: 4 });
    const hp = s.protocol.componentId(s.Health);
    const slow = new TestClient();
    const fast = new TestClient();
    server.addClient(1);
    server.addClient(2);
    for (let e = 0; e < 20; e++) {
      server.spawn(e);
      server.addComponent(e, hp);
    }
    server.replicate(1);
    deliver(server, 1, slow, 1);
    deliver(server, 2, fast, 1);
    for (let tick = 2; tick <= 12; tick++) {
      server.despawn(tick);
      server.replicate(tick);
      deliver(server, 2, fast, tick);
    }
    server.replicate(13);
    const section = sectionOf(server, 1);
    expect(section[0]! & 1).toBe(1); // snapshot flag
    slow.replication.beginTick();
    slow.replication.apply(new ByteReader(section), 13);
    expect(slow.sink.entities.size).toBe(9);
  });
});
