import { addComponent, addEntity } from 'bitecs';
import { describe, expect, it } from 'vitest';
import { Networked } from '../../engine-plugin/src/index';
import { startTestGame } from '../../engine-plugin/src/testing';
import { Position, protocol } from '../support/chat-protocol';

/** Ticks until the client first sees the entity, for a client behind `latencyMs` each way. */
async function ticksToSee(latencyMs: number): Promise<number> {
  let eid = -1;
  const game = await startTestGame(protocol, {
    setup(world) {
      eid = addEntity(world);
      addComponent(world, eid, Position);
      addComponent(world, eid, Networked);
    },
  });
  const client = game.client({ conditions: { latencyMs } });
  let ticks = 0;
  await game.until(() => {
    ticks++;
    return client.net.localId(eid) !== undefined;
  });
  await game.close();
  return ticks;
}

describe('tickwire/testing over the memory network', () => {
  it('runs on a manual clock: the same game takes the same ticks every run, and latency costs ticks', async () => {
    const fast = await ticksToSee(0);
    expect(await ticksToSee(0)).toBe(fast);
    const slow = await ticksToSee(200);
    expect(await ticksToSee(200)).toBe(slow);
    // 200 ms each way is 4 ticks at 20 Hz, paid on the opening round trip and the handshake.
    expect(slow).toBeGreaterThanOrEqual(fast + 8);
  });

  it('advances the clock one tick interval per tick', async () => {
    const game = await startTestGame(protocol, { server: { tickRate: 50 } });
    const start = game.clock!.now();
    await game.ticks(7);
    expect(game.clock!.now() - start).toBe(140);
    expect(game.server.tick).toBe(7);
    await game.close();
  });

  it('gives up on a condition that never holds, naming the tick budget', async () => {
    const game = await startTestGame(protocol);
    await expect(game.until(() => false, { maxTicks: 5 })).rejects.toThrow('condition not met within 5 ticks');
    await game.close();
  });
});
