import { afterEach, describe, expect, it } from 'vitest';
import { seatUrl } from '../../engine-plugin/src/index';
import { type MatchmakingRig, startMatchmakingRig } from '../support/matchmaking-rig';

const pathOf = (seat: { address: string; seat: string }) => {
  const url = new URL(seatUrl(seat));
  return `${url.pathname}${url.search}`;
};

describe('a seat nobody uses expires', () => {
  let rig: MatchmakingRig;
  afterEach(async () => rig?.close());

  it('after seatTtlMs it is refused with 401 and its place is free again', async () => {
    rig = await startMatchmakingRig([['pair', { maxClients: 2, seatTtlMs: 400, emptyLifetimeMs: Infinity }]]);
    const used = await rig.seat('joinOrCreate', 'pair');
    expect(await rig.upgrade(pathOf(used))).toBe(101);
    const unused = await rig.seat('joinOrCreate', 'pair');
    expect(unused.room.clients).toBe(2);
    expect(unused.expiresAt - Date.now()).toBeLessThanOrEqual(400);
    // Full while the unused seat is reserved.
    expect((await rig.matchmake('join', used.room.roomId)).status).toBe(409);

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, unused.expiresAt - Date.now()) + 100));
    expect(await rig.upgrade(pathOf(unused))).toBe(401);
    const [listing] = await rig.server.matchmaker.listRooms('pair');
    expect(listing?.clients).toBe(1);
    // The expired seat's place goes to the next player, in the same room.
    const next = await rig.seat('joinOrCreate', 'pair');
    expect(next.room.roomId).toBe(used.room.roomId);
  });

  it('the default lifetime is set per matchmaker, and a type may set its own', async () => {
    rig = await startMatchmakingRig(
      [
        ['quick', { seatTtlMs: 100 }],
        ['slow', {}],
      ],
      { server: { matchmaking: { seatTtlMs: 60_000 } } },
    );
    const quick = await rig.seat('joinOrCreate', 'quick');
    const slow = await rig.seat('joinOrCreate', 'slow');
    expect(quick.expiresAt - Date.now()).toBeLessThanOrEqual(100);
    expect(slow.expiresAt - Date.now()).toBeGreaterThan(59_000);
  });
});
