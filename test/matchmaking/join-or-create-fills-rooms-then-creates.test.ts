import { afterEach, describe, expect, it } from 'vitest';
import type { NetworkClient, RoomEvent } from '../../engine-plugin/src/index';
import { type MatchmakingRig, startMatchmakingRig } from '../support/matchmaking-rig';
import { Chat } from '../support/messaging-protocol';

describe('joinOrCreate fills a room to maxClients, then creates the next', () => {
  let rig: MatchmakingRig;
  afterEach(async () => rig?.close());

  it('seats 7 players in rooms of 3 as 3, 3, 1; each connects with its seat and is in its room', async () => {
    rig = await startMatchmakingRig([['duel', { maxClients: 3 }]]);
    const seats = [];
    for (let i = 0; i < 7; i++) seats.push(await rig.seat('joinOrCreate', 'duel'));
    const rooms = [...new Set(seats.map((s) => s.room.roomId))];
    expect(rooms).toHaveLength(3);
    expect(seats.map((s) => rooms.indexOf(s.room.roomId))).toEqual([0, 0, 0, 1, 1, 1, 2]);
    // Each answer shows the room as it is with that seat taken, and where to connect.
    expect(seats.map((s) => s.room.clients)).toEqual([1, 2, 3, 1, 2, 3, 1]);
    expect(seats[0]!.address).toBe(`ws://127.0.0.1:${rig.port}/ws`);
    expect(seats.every((s) => s.room.maxClients === 3 && s.room.type === 'duel' && s.expiresAt > Date.now())).toBe(true);

    const events: RoomEvent[] = [];
    const clients: NetworkClient[] = seats.map((seat) => rig.client(seat));
    for (const client of clients) client.connect();
    await rig.until(() => {
      events.push(...rig.server.matchmaker.events());
      return clients.every((c) => c.state === 'connected') && events.filter((e) => e.type === 'joined').length === 7;
    });
    expect(events.filter((e) => e.type === 'created').map((e) => e.room.id)).toEqual(rooms);
    const [first] = rooms;
    const firstRoom = rig.server.matchmaker.room(first!)!;
    expect(firstRoom.connections.size).toBe(3);
    const firstConnection = [...firstRoom.connections][0]!;
    expect(rig.server.matchmaker.roomOf(firstConnection)).toBe(firstRoom);

    // The matchmade room is the clients' interest room: a room broadcast reaches its three only.
    rig.server.broadcast(first!, Chat, { text: 'round one' });
    const heard = new Set<number>();
    await rig.until(() => {
      clients.forEach((c, i) => {
        if (c.messages(Chat).some((m) => m.text === 'round one')) heard.add(i);
      });
      return heard.size >= 3;
    });
    for (let i = 0; i < 5; i++) rig.step();
    expect([...heard].sort()).toEqual([0, 1, 2]);
  });

  it('filterBy splits rooms into pools: only equal values share a room', async () => {
    rig = await startMatchmakingRig([['arena', { maxClients: 4, filterBy: ['mode'], metadata: (o) => ({ mode: String(o.mode ?? 'casual') }) }]]);
    const ranked1 = await rig.seat('joinOrCreate', 'arena', { mode: 'ranked', map: 'a' });
    const casual = await rig.seat('joinOrCreate', 'arena', { mode: 'casual' });
    const ranked2 = await rig.seat('joinOrCreate', 'arena', { mode: 'ranked', map: 'b' });
    const none = await rig.seat('joinOrCreate', 'arena');
    expect(ranked2.room.roomId).toBe(ranked1.room.roomId);
    expect(casual.room.roomId).not.toBe(ranked1.room.roomId);
    expect(none.room.roomId).not.toBe(casual.room.roomId);
    expect(ranked1.room.filter).toEqual({ mode: 'ranked' });
    expect(ranked1.room.metadata).toEqual({ mode: 'ranked' });
    // The room keeps what it was made with; a later joiner's other options do not change it.
    expect(rig.server.matchmaker.room(ranked1.room.roomId)!.options).toEqual({ mode: 'ranked', map: 'a' });
    const listed = await rig.server.matchmaker.listRooms('arena', { filter: { mode: 'ranked' } });
    expect(listed.map((r) => [r.roomId, r.clients])).toEqual([[ranked1.room.roomId, 2]]);
    expect(await rig.server.matchmaker.listRooms('arena')).toHaveLength(3);
  });

  it('create always makes a new room; join(id) seats in that room until it is full (409)', async () => {
    rig = await startMatchmakingRig([['duel', { maxClients: 2 }]]);
    const a = await rig.seat('joinOrCreate', 'duel');
    const b = await rig.seat('create', 'duel');
    expect(b.room.roomId).not.toBe(a.room.roomId);
    const joined = await rig.seat('join', b.room.roomId);
    expect(joined.room.roomId).toBe(b.room.roomId);
    const full = await rig.matchmake('join', b.room.roomId);
    expect(full).toEqual({ status: 409, body: { error: `room ${b.room.roomId} is full`, failure: 'full' } });
    expect((await rig.matchmake('join', 'nosuchroom')).status).toBe(404);
    expect((await rig.matchmake('joinOrCreate', 'nosuchtype')).body.failure).toBe('unknown-type');
    expect((await rig.matchmake('joinOrCreate', 'duel', '{"nested":{"x":1}}')).status).toBe(400);
    expect((await rig.matchmake('joinOrCreate', 'duel', 'not json')).status).toBe(400);
  });
});
