import { describe, expect, it } from 'vitest';
import { ServerReplication } from '../../engine-plugin/src/replication';
import { deliver, makeComponents, TestClient } from './harness';

const ids = (c: TestClient) => [...c.sink.entities.keys()].map((l) => c.replication.serverId(l)).sort((a, b) => a! - b!);

describe('custom filter', () => {
  it('has the final say, per client, re-evaluated every tick', () => {
    const s = makeComponents();
    const server = new ServerReplication(s.protocol);
    const hp = s.protocol.componentId(s.Health);
    for (const e of [1, 2, 3, 4]) {
      server.spawn(e);
      server.addComponent(e, hp);
    }
    server.addToRoom(4, 'red');
    let hidden = 2;
    // Client 1 never sees even ids; and nobody sees `hidden`.
    server.setFilter((clientId, eid) => eid !== hidden && !(clientId === 1 && eid % 2 === 0));
    const [a, b] = [new TestClient(), new TestClient()];
    server.addClient(1);
    server.addClient(2);
    server.joinRoom(2, 'red');
    server.replicate(1);
    deliver(server, 1, a, 1);
    deliver(server, 2, b, 1);
    expect(ids(a)).toEqual([1, 3]);
    expect(ids(b)).toEqual([1, 3, 4]);

    hidden = 3;
    server.replicate(2);
    deliver(server, 1, a, 2);
    deliver(server, 2, b, 2);
    expect(ids(a)).toEqual([1]);
    expect(ids(b)).toEqual([1, 2, 4]);

    server.setFilter(undefined);
    server.replicate(3);
    deliver(server, 1, a, 3);
    deliver(server, 2, b, 3);
    expect(ids(a)).toEqual([1, 2, 3]);
    expect(ids(b)).toEqual([1, 2, 3, 4]);
  });
});
