import { describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../engine-plugin/src/index';
import { createSim } from './harness';

describe('session resume', () => {
  it('keeps the connection id and owned entity, replays reliable messages both ways exactly once, and resyncs state', async () => {
    const sim = await createSim({ server: { resumeGraceMs: 5000 } });
    const npc = sim.spawn(10, 10);
    const serverEvents: ConnectionEvent['type'][] = [];
    const fromClient: number[] = [];
    let toClient = 0;
    let moving = true;
    sim.onTick = () => {
      for (const e of sim.server.events()) serverEvents.push(e.type);
      for (const { data } of sim.server.messages(sim.game.Note)) fromClient.push(data.n);
      // Reliable traffic to every session, held ones included: they get it on resume.
      sim.server.broadcast(sim.game.Note, { n: ++toClient });
      if (moving) sim.game.Position.x[npc] = sim.game.Position.x[npc]! + 1;
    };
    const client = sim.client({ reconnect: { initialMs: 200, random: () => 0.5 } });
    const received: number[] = [];
    let sent = 0;
    client.onFrame = () => {
      for (const m of client.net.messages(client.game.Note)) received.push(m.n);
      if (client.net.state !== 'closed') client.net.send(client.game.Note, { n: ++sent });
    };
    await sim.run(1000);
    const id = client.net.id;
    const serverEid = sim.players.get(id)!;

    for (let drop = 0; drop < 3; drop++) {
      client.link.disconnect();
      await sim.run(1500);
      expect(client.net.state).toBe('connected');
      expect(client.net.id).toBe(id);
    }
    await sim.run(1000);

    expect(serverEvents.filter((t) => t === 'disconnected')).toHaveLength(3);
    expect(serverEvents.filter((t) => t === 'reconnected')).toHaveLength(3);
    expect(serverEvents.filter((t) => t === 'expired' || t === 'connected')).toEqual(['connected']);
    expect([...sim.server.owned(sim.server.connection(id)!)]).toEqual([serverEid]);

    // Every message, in order, exactly once, both ways (the last ones may still be in flight).
    // (Broadcasts before the client's session began were for nobody: it starts from its first.)
    expect(received).toEqual(Array.from({ length: received.length }, (_, i) => i + received[0]!));
    expect(received[0]).toBeLessThan(10);
    expect(received.length).toBeGreaterThan(toClient - 10);
    expect(fromClient).toEqual(Array.from({ length: fromClient.length }, (_, i) => i + 1));
    expect(fromClient.length).toBeGreaterThan(sent - 30);

    // State: once the world stands still, the client has exactly what the server has.
    moving = false;
    await sim.run(1000);
    const local = client.net.localId(npc)!;
    client.net.interpolation.enabled = false;
    await sim.run(100);
    expect(client.net.replication.serverIds().length).toBe(2);
    const auth = client.net.replication.authoritative(client.game.protocol.componentId(client.game.Position));
    expect(auth.values[0]![npc]).toBeCloseTo(sim.game.Position.x[npc]!, 1);
    expect(client.game.Position.x[local]).toBeCloseTo(sim.game.Position.x[npc]!, 1);
  });

  it('after the grace period the session expires; the client starts a new one that works', async () => {
    const sim = await createSim({ server: { resumeGraceMs: 1000 } });
    const serverEvents: ConnectionEvent['type'][] = [];
    const fromClient: number[] = [];
    sim.onTick = () => {
      for (const e of sim.server.events()) serverEvents.push(e.type);
      for (const { data } of sim.server.messages(sim.game.Note)) fromClient.push(data.n);
    };
    const client = sim.client({ reconnect: { initialMs: 3000, random: () => 0 } });
    await sim.run(1000);
    const firstId = client.net.id;
    client.net.send(client.game.Note, { n: 1 });
    await sim.run(500);
    client.link.disconnect();
    await sim.run(5000);
    expect(serverEvents).toEqual(['connected', 'disconnected', 'expired', 'connected']);
    expect(client.net.state).toBe('connected');
    expect(client.net.id).not.toBe(firstId);
    // The new session numbers its messages from 1 again, so the server takes them.
    client.net.send(client.game.Note, { n: 2 });
    await sim.run(500);
    expect(fromClient).toEqual([1, 2]);
    expect(client.net.state).toBe('connected');
  });
});
