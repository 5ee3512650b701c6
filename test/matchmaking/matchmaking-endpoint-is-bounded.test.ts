import { afterEach, describe, expect, it } from 'vitest';
import { type MatchmakingRig, startMatchmakingRig } from '../support/matchmaking-rig';

describe('the matchmaking HTTP endpoint bounds what a client can ask', () => {
  let rig: MatchmakingRig;
  afterEach(async () => rig?.close());

  it('405 wrong method, 413 body too large, 429 over the per-address rate with Retry-After, 403 when not authorised', async () => {
    rig = await startMatchmakingRig([['room', { maxClients: 100 }]], {
      endpoint: { requestsPerSecond: 1, burst: 2, maxBodyBytes: 64, authorize: (request, action) => action !== 'create' || request.headers['x-admin'] === 'yes' },
    });
    const base = `http://127.0.0.1:${rig.port}/matchmake`;
    expect((await fetch(`${base}/joinOrCreate/room`)).status).toBe(405);
    const big = await rig.matchmake('joinOrCreate', 'room', { pad: 'x'.repeat(100) });
    expect(big).toEqual({ status: 413, body: { error: 'body over 64 bytes', failure: 'too-large' } });
    expect((await rig.matchmake('create', 'room')).status).toBe(403);
    const limited = await fetch(`${base}/joinOrCreate/room`, { method: 'POST' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The refused requests reserved nothing.
    expect(await rig.server.matchmaker.listRooms('room', { includeLocked: true })).toEqual([]);
  });

  it('lists the open rooms of a type; an unknown route is 404', async () => {
    rig = await startMatchmakingRig([['room', { maxClients: 2, metadata: { map: 'dunes' } }]]);
    await rig.seat('joinOrCreate', 'room');
    await rig.seat('joinOrCreate', 'room');
    const open = await rig.seat('joinOrCreate', 'room');
    const answer = await fetch(`http://127.0.0.1:${rig.port}/matchmake/rooms/room`);
    const { rooms } = (await answer.json()) as { rooms: Array<{ roomId: string; clients: number; metadata: unknown }> };
    expect(rooms.map((r) => [r.roomId, r.clients, r.metadata])).toEqual([[open.room.roomId, 1, { map: 'dunes' }]]);
    expect((await fetch(`http://127.0.0.1:${rig.port}/matchmake/nothing`)).status).toBe(404);
    // A malformed escape in the target is a 404, and the server answers the next request.
    expect((await fetch(`http://127.0.0.1:${rig.port}/matchmake/joinOrCreate/%E0%A4`, { method: 'POST' })).status).toBe(404);
    expect((await rig.matchmake('joinOrCreate', 'room')).status).toBe(200);
  });
});
