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
    rig = await startMatchmakingRig([['pair', { maxClients: 2, seatTtlMs: 150, emptyLifetimeMs: Infinity }]]);
    const early = await rig.seat('joinOrCreate', 'pair');
    const late = await rig.seat('joinOrCreate', 'pair');
    expect(late.room.clients).toBe(2);
    expect(late.expiresAt - Date.now()).toBeLessThanOrEqual(150);
    // Full while both seats are reserved.
    expect((await rig.matchmake('join', early.room.roomId)).status).toBe(409);
    expect(await rig.upgrade(pathOf(early))).toBe(101);

    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await rig.upgrade(pathOf(late))).toBe(401);
    const [listing] = await rig.server.matchmaker.listRooms('pair');
    expect(listing?.clients).toBe(1);
    // The expired seat's place goes to the next player, in the same room.
    const next = await rig.seat('joinOrCreate', 'pair');
    expect(next.room.roomId).toBe(early.room.roomId);
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
