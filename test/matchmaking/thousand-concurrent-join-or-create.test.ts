import { afterEach, describe, expect, it } from 'vitest';
import { type MatchmakingRig, startMatchmakingRig } from '../support/matchmaking-rig';

describe('a burst of joinOrCreate never makes a twin room nor overfills one', () => {
  let rig: MatchmakingRig;
  afterEach(async () => rig?.close());

  // 1,000 HTTP connections opened at once take this process seconds of CPU; on a loaded 2-core
  // machine the burst can outlast the default 15 s seat ttl, and then early seats rightly lapse
  // and are reused. Seats here outlive any run: the test is about twins and overfilling.
  it('1,000 concurrent requests over HTTP, maxClients 50: exactly 20 rooms, each with exactly 50 seats', { timeout: 60_000 }, async () => {
    rig = await startMatchmakingRig([['battle', { maxClients: 50, seatTtlMs: 600_000 }]]);
    const answers = await Promise.all(Array.from({ length: 1000 }, () => rig.matchmake('joinOrCreate', 'battle')));
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    const perRoom = new Map<string, number>();
    const seats = new Set<string>();
    for (const { body } of answers) {
      const roomId = (body.room as { roomId: string }).roomId;
      perRoom.set(roomId, (perRoom.get(roomId) ?? 0) + 1);
      seats.add(body.seat as string);
    }
    expect(seats.size).toBe(1000);
    expect(perRoom.size).toBe(20);
    expect([...perRoom.values()].every((n) => n === 50)).toBe(true);
    const listed = await rig.server.matchmaker.listRooms('battle', { includeLocked: true, limit: 1000 });
    expect(listed).toHaveLength(20);
    expect(listed.every((r) => r.clients === 50)).toBe(true);
    // All full: none is open.
    expect(await rig.server.matchmaker.listRooms('battle')).toEqual([]);
  });
});
