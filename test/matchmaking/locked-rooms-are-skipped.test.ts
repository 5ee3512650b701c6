import { afterEach, describe, expect, it } from 'vitest';
import { type MatchmakingRig, startMatchmakingRig } from '../support/matchmaking-rig';

describe('a locked room is passed by', () => {
  let rig: MatchmakingRig;
  afterEach(async () => rig?.close());

  it('joinOrCreate skips it for a new room, join(id) is refused with 409, its seats stay valid; unlocked, it fills again', async () => {
    rig = await startMatchmakingRig([['match', { maxClients: 4 }]]);
    const first = await rig.seat('joinOrCreate', 'match');
    const room = rig.server.matchmaker.room(first.room.roomId)!;
    const before = await rig.seat('joinOrCreate', 'match');
    expect(before.room.roomId).toBe(room.id);

    room.lock();
    expect(room.locked).toBe(true);
    const during = await rig.seat('joinOrCreate', 'match');
    expect(during.room.roomId).not.toBe(room.id);
    expect(await rig.matchmake('join', room.id)).toEqual({ status: 409, body: { error: `room ${room.id} is locked`, failure: 'locked' } });
    expect((await rig.server.matchmaker.listRooms('match')).map((r) => r.roomId)).toEqual([during.room.roomId]);
    const all = await rig.server.matchmaker.listRooms('match', { includeLocked: true });
    expect(all.find((r) => r.roomId === room.id)?.locked).toBe(true);

    // A seat handed out before the lock still gets its holder in.
    const client = rig.client(before);
    client.connect();
    await rig.until(() => client.state === 'connected' && room.connections.size === 1);

    room.unlock();
    // The fullest open room is taken first: the unlocked one has 2 seats, the other 1.
    const after = await rig.seat('joinOrCreate', 'match');
    expect(after.room.roomId).toBe(room.id);
    expect(after.room.clients).toBe(3);
  });
});
