import { describe, expect, it } from 'vitest';
import { ServerReplication, type UnmarkedChange } from '../../engine-plugin/src/replication';
import { CAPACITY, clientWorld, deliver, makeComponents, TestClient } from './harness';

/** A server whose Position uses 'marked' tracking, one spawned entity and one synced client. */
function setup(options: { verifyMarks: number }) {
  const s = makeComponents();
  const reports: UnmarkedChange[] = [];
  const server = new ServerReplication(s.protocol, { marked: [s.Position], verifyMarks: options.verifyMarks, onUnmarkedChange: (c) => reports.push(c) });
  const client = new TestClient();
  s.Position.x[7] = 1;
  s.Position.y[7] = 2;
  s.Health.hp[7] = 50;
  server.spawn(7);
  server.addComponent(7, s.protocol.componentId(s.Position));
  server.addComponent(7, s.protocol.componentId(s.Health));
  server.addClient(1);
  server.replicate(0);
  deliver(server, 1, client, 0);
  const seen = () => clientWorld(client).get(7)!;
  return { s, server, client, reports, seen };
}

describe("'marked' tracking", () => {
  it('sends a marked write, with quantisation and no-op filtering as a scan would', () => {
    const { s, server, client, reports, seen } = setup({ verifyMarks: 1 });
    s.Position.x[7] = 5;
    server.markChanged(7, s.Position);
    server.replicate(1);
    deliver(server, 1, client, 1);
    expect(seen().position!.x).toBeCloseTo(5, 2);
    // A mark with nothing written sends nothing.
    server.markChanged(7, s.Position);
    server.replicate(2);
    expect(deliver(server, 1, client, 2)).toBe(0);
    expect(reports).toEqual([]);
  });

  it('compares only marked entities: without the verifier an unmarked write waits for the next mark, then goes out whole', () => {
    const { s, server, client, seen } = setup({ verifyMarks: 0 });
    s.Position.x[7] = 3;
    server.replicate(1);
    deliver(server, 1, client, 1);
    expect(seen().position!.x).toBeCloseTo(1, 2);
    s.Position.y[7] = 4;
    server.markChanged(7, s.Position);
    server.replicate(2);
    deliver(server, 1, client, 2);
    expect(seen().position).toEqual({ x: expect.closeTo(3, 2), y: expect.closeTo(4, 2) });
  });

  it('keeps scanning unmarked components: a Health write needs no mark', () => {
    const { s, server, client, reports, seen } = setup({ verifyMarks: 1 });
    s.Health.hp[7] = 9;
    server.replicate(1);
    deliver(server, 1, client, 1);
    expect(seen().health!.hp).toBe(9);
    expect(reports).toEqual([]);
  });

  it('the verifier reports an unmarked change by entity, component and field, and still sends it', () => {
    const { s, server, client, reports, seen } = setup({ verifyMarks: 1 });
    s.Position.y[7] = 8;
    server.replicate(1);
    deliver(server, 1, client, 1);
    expect(reports).toEqual([{ eid: 7, component: 'position', fields: ['y'] }]);
    expect(seen().position!.y).toBeCloseTo(8, 2);
  });

  it('the verifier runs every N ticks', () => {
    const { s, server, reports } = setup({ verifyMarks: 3 });
    for (let tick = 1; tick <= 6; tick++) {
      s.Position.x[7] = tick * 10;
      server.replicate(tick);
    }
    // Ticks 0..6 counted from the first replicate: the verifier ran at the 4th and 7th.
    expect(reports.map((r) => r.fields)).toEqual([['x'], ['x']]);
  });

  it('refuses marks outside the capacity and for unregistered components', () => {
    const { s, server } = setup({ verifyMarks: 0 });
    expect(() => server.markChanged(CAPACITY, s.Position)).toThrow(RangeError);
    expect(() => server.markChanged(-1, s.Position)).toThrow(RangeError);
    expect(() => server.markChanged(1.5, s.Position)).toThrow(RangeError);
    expect(() => server.markChanged(0, makeComponents().Position)).toThrow(/not registered/);
  });
});
