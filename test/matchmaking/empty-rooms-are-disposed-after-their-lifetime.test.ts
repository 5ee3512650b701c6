import { afterEach, describe, expect, it } from 'vitest';
import { type RoomEvent, seatUrl } from '../../engine-plugin/src/index';
import { type MatchmakingRig, startMatchmakingRig } from '../support/matchmaking-rig';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('an empty room lives emptyLifetimeMs, then is disposed', () => {
  let rig: MatchmakingRig;
  afterEach(async () => rig?.close());

  it('listed while within its lifetime, gone after it, with a disposed event; a player back in time keeps it', async () => {
    rig = await startMatchmakingRig([['lobby', { maxClients: 4, emptyLifetimeMs: 1000 }]]);
    const events: RoomEvent[] = [];
    const until = (condition: () => boolean, timeoutMs?: number) =>
      rig.until(() => {
        events.push(...rig.server.matchmaker.events());
        return condition();
      }, timeoutMs);
    const seat = await rig.seat('joinOrCreate', 'lobby');
    const roomId = seat.room.roomId;
    const first = rig.client(seat);
    first.connect();
    await until(() => events.some((e) => e.type === 'joined'));
    first.disconnect();
    await until(() => events.some((e) => e.type === 'left'));

    // Someone comes back within the lifetime: the room stays.
    await sleep(300);
    const again = await rig.seat('joinOrCreate', 'lobby');
    expect(again.room.roomId).toBe(roomId);
    const second = rig.client(again);
    second.connect();
    await until(() => events.filter((e) => e.type === 'joined').length === 2);
    await sleep(1200);
    rig.step();
    expect(rig.server.matchmaker.room(roomId)).toBeDefined();

    second.disconnect();
    await until(() => events.filter((e) => e.type === 'left').length === 2);
    const leftAt = Date.now();
    await sleep(300);
    expect((await rig.server.matchmaker.listRooms('lobby')).map((r) => r.roomId)).toEqual([roomId]);
    await until(() => events.some((e) => e.type === 'disposed'), 3000);
    expect(Date.now() - leftAt).toBeGreaterThanOrEqual(990);
    expect(rig.server.matchmaker.room(roomId)).toBeUndefined();
    expect(await rig.server.matchmaker.listRooms('lobby', { includeLocked: true })).toEqual([]);
    expect((await rig.matchmake('join', roomId)).status).toBe(404);
    const disposed = events.find((e) => e.type === 'disposed')!;
    expect(disposed.room.disposed).toBe(true);
  });

  it('a room whose creator never comes is disposed once the seat expired; Infinity keeps a room for ever', async () => {
    rig = await startMatchmakingRig([
      ['match', { seatTtlMs: 100 }],
      ['forever', { seatTtlMs: 100, emptyLifetimeMs: Infinity }],
    ]);
    const match = await rig.seat('create', 'match');
    const forever = await rig.seat('create', 'forever');
    await rig.until(() => rig.server.matchmaker.room(match.room.roomId) === undefined, 2000);
    await sleep(200);
    expect(rig.server.matchmaker.room(forever.room.roomId)).toBeDefined();
    expect((await rig.server.matchmaker.listRooms('forever'))[0]?.clients).toBe(0);
  });

  it('dispose() ends a room at once: unlisted, its seats unknown, its players out of its interest room but connected', async () => {
    rig = await startMatchmakingRig([['match', { emptyLifetimeMs: Infinity }]]);
    const seat = await rig.seat('joinOrCreate', 'match');
    const unused = await rig.seat('joinOrCreate', 'match');
    const client = rig.client(seat);
    client.connect();
    const room = rig.server.matchmaker.room(seat.room.roomId)!;
    await rig.until(() => room.connections.size === 1 && client.state === 'connected');
    const [connection] = room.connections;
    rig.step();
    expect(rig.server.replication.roomMembers(room.id).has(connection!.id)).toBe(true);
    room.dispose();
    rig.step();
    expect(rig.server.matchmaker.events().map((e) => e.type)).toEqual(['left', 'disposed']);
    expect(rig.server.replication.roomMembers(room.id).has(connection!.id)).toBe(false);
    expect(client.state).toBe('connected');
    const url = new URL(seatUrl(unused));
    expect(await rig.upgrade(`${url.pathname}${url.search}`)).toBe(401);
  });
});
