import { describe, expect, it } from 'vitest';
import { ServerReplication } from '../../engine-plugin/src/replication';
import { deliver, makeComponents, TestClient } from './harness';

describe('quantised fields', () => {
  it('accumulate slow drift below one step until it is sent, never losing it', () => {
    const s = makeComponents();
    const server = new ServerReplication(s.protocol);
    server.spawn(1);
    server.addComponent(1, s.protocol.componentId(s.Position));
    server.addClient(1);
    const client = new TestClient();
    server.replicate(0);
    deliver(server, 1, client, 0);
    const local = client.replication.localId(1)!;
    let sent = 0;
    // 0.001 per tick is a tenth of the 0.01 step: comparing against the last seen float would never fire.
    for (let tick = 1; tick <= 100; tick++) {
      s.Position.x[1] = tick * 0.001;
      server.replicate(tick);
      if (deliver(server, 1, client, tick) > 0) sent++;
    }
    expect(sent).toBeGreaterThanOrEqual(9);
    expect(sent).toBeLessThanOrEqual(11);
    expect(Math.abs(client.components.Position.x[local]! - 0.1)).toBeLessThanOrEqual(0.005 + 1e-6);
  });

  it('clamp bits-quantised values into their range and survive NaN', () => {
    const s = makeComponents();
    const server = new ServerReplication(s.protocol, { onNaN: () => {} });
    server.spawn(2);
    server.addComponent(2, s.protocol.componentId(s.Info));
    server.addComponent(2, s.protocol.componentId(s.Position));
    s.Info.angle[2] = 100;
    s.Position.x[2] = Number.NaN;
    server.addClient(1);
    const client = new TestClient();
    server.replicate(1);
    deliver(server, 1, client, 1);
    const local = client.replication.localId(2)!;
    expect(client.components.Info.angle[local]).toBeCloseTo(Math.PI, 5);
    expect(client.components.Position.x[local]).toBe(0);
  });
});
