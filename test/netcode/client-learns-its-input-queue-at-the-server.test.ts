import { describe, expect, it } from 'vitest';
import type { ServerConnection } from '../../engine-plugin/src/connection/server-connection';
import { ByteReader, ByteWriter } from '../../engine-plugin/src/protocol/bytes';
import { packInputQueue, readTickHeader, unpackInputQueue, writeTickHeader } from '../../engine-plugin/src/protocol/frames';
import { createSim } from './harness';

describe('the Tick header tells the client its input queue at the server', () => {
  it('packs queued × 4 + target into one varint, the target clamped to 0–3', () => {
    expect(packInputQueue(0, 0)).toBe(0);
    expect(packInputQueue(5, 2)).toBe(22);
    expect(packInputQueue(1, 9)).toBe(7);
    expect(unpackInputQueue(22)).toEqual({ queued: 5, target: 2 });
    const w = new ByteWriter(8);
    writeTickHeader(w, { tick: 1, lastInput: 1, ack: 1, inputQueue: packInputQueue(7, 3) });
    const bytes = w.finish();
    expect(bytes.length).toBe(5); // kind + four one-byte varints
    expect(readTickHeader(new ByteReader(bytes, 1)).inputQueue).toBe(31);
  });

  it('a client on a jittery link sees the depth and queue the server keeps for it', async () => {
    const sim = await createSim({ server: { settings: { maxInputsPerTick: 4, inputRate: 20 } }, seed: 3 });
    const client = sim.client({ link: { conditions: { latencyMs: 60, jitterMs: 120 } } });
    await sim.run(1000);
    expect(client.net.connection.serverInputQueue).toEqual({ queued: 0, target: 0 });
    const me = client.net.predict(client.own()!, { input: client.game.Move, components: [client.game.Position], step: client.game.applyMove, stepMs: 50 });
    let next = sim.clock.now();
    let sent = 0;
    const seen: { queued: number; target: number }[] = [];
    client.onFrame = (now) => {
      while (sent < 80 && now >= next) {
        me.input({ dx: 1, dy: 0 }, next);
        sent++;
        next += 50;
      }
      seen.push(client.net.connection.serverInputQueue);
    };
    const atServer: { queued: number; target: number }[] = [];
    sim.onTick = () => {
      const playout = (sim.server.connection(client.net.id) as ServerConnection | undefined)?.playout;
      if (playout) atServer.push({ queued: playout.backlog, target: playout.depth });
    };
    await sim.run(4000);
    // The jitter made the server deepen the buffer, and the client heard of it.
    const deepest = Math.max(...atServer.map((s) => s.target));
    expect(deepest).toBeGreaterThan(1);
    expect(Math.max(...seen.map((s) => s.target))).toBe(deepest);
    expect(Math.max(...seen.map((s) => s.queued))).toBe(Math.max(...atServer.map((s) => s.queued)));
    expect(seen.some((s) => s.queued > 0)).toBe(true);
  });
});
