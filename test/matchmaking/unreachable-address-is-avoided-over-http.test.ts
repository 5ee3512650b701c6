import { afterEach, expect, it } from 'vitest';
import { type MatchmakingRig, startMatchmakingRig } from '../support/matchmaking-rig';

let rig: MatchmakingRig | undefined;
afterEach(async () => rig?.close());

/** Where this node's rooms are listed (a client dials it; never dialed here). */
const ADDRESS = 'ws://game.example:8081/ws';

const joinOrCreateOn = (port: number) => async (query: string) => {
  const response = await fetch(`http://127.0.0.1:${port}/matchmake/joinOrCreate/room${query}`, { method: 'POST', body: '' });
  expect(response.status).toBe(200);
  return ((await response.json()) as { room: { roomId: string; clients: number } }).room;
};

it('?unreachable= on joinOrCreate seats the caller away from rooms at that address; an address no room is at is ignored', async () => {
  rig = await startMatchmakingRig([['room', { maxClients: 10 }]], { server: { matchmaking: { address: ADDRESS } } });
  const joinOrCreate = joinOrCreateOn(rig.port);
  const first = await joinOrCreate('');
  // Not an address any room is at: as if absent — the open room is joined.
  expect((await joinOrCreate(`?unreachable=${encodeURIComponent('ws://elsewhere:1/ws')}`)).roomId).toBe(first.roomId);
  expect((await joinOrCreate(`?unreachable=${encodeURIComponent(`${ADDRESS}x`)}`)).roomId).toBe(first.roomId);
  expect((await joinOrCreate('?unreachable=')).roomId).toBe(first.roomId);
  // The address the client could not reach: that room is passed over (one node only, so a new room is made here).
  const away = await joinOrCreate(`?unreachable=${encodeURIComponent(ADDRESS)}`);
  expect(away.roomId).not.toBe(first.roomId);
  expect(away.clients).toBe(1);
  // For everyone else the first room is as it was: the fullest, joined next.
  expect(await joinOrCreate('')).toMatchObject({ roomId: first.roomId, clients: 5 });
});
