import { afterEach, describe, expect, it } from 'vitest';
import { seatUrl } from '../../engine-plugin/src/index';
import { type CuttableProxy, startCuttableProxy } from '../demo/cuttable-proxy';
import { type MatchmakingRig, startMatchmakingRig } from '../support/matchmaking-rig';

/** The path part of a seat's URL on the rig's server. */
function seatPath(seat: { address: string; seat: string }): string {
  const url = new URL(seatUrl(seat));
  return `${url.pathname}${url.search}`;
}

describe("the room's owner admits a seat before the upgrade", () => {
  let rig: MatchmakingRig;
  let proxy: CuttableProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
    await rig?.close();
  });

  it('401 for a seat it never issued or a malformed one; 409 for a seat already in use; the holder plays on', async () => {
    rig = await startMatchmakingRig([['room', { maxClients: 8 }]]);
    const seat = await rig.seat('joinOrCreate', 'room');
    const roomId = seat.room.roomId;
    expect(await rig.upgrade(`/ws?seat=${roomId}.forgedsecretforgedsecret`)).toBe(401);
    expect(await rig.upgrade('/ws?seat=nosuchroom.abc')).toBe(401);
    expect(await rig.upgrade('/ws?seat=garbage')).toBe(401);
    expect(await rig.upgrade(`/ws?seat=${'x'.repeat(300)}`)).toBe(401);

    const holder = rig.client(seat);
    holder.connect();
    await rig.until(() => holder.state === 'connected');
    expect(await rig.upgrade(seatPath(seat))).toBe(409);
    expect(await rig.upgrade(seatPath(seat))).toBe(409);
    // Refusals cost the holder nothing, and the room counts one client.
    for (let i = 0; i < 5; i++) rig.step();
    expect(holder.state).toBe('connected');
    expect(rig.server.matchmaker.room(roomId)!.connections.size).toBe(1);
    expect((await rig.server.matchmaker.listRooms('room'))[0]!.clients).toBe(1);
  });

  it('two upgrades racing with one seat: exactly one is let in', async () => {
    rig = await startMatchmakingRig([['room', { maxClients: 8 }]]);
    const seat = await rig.seat('joinOrCreate', 'room');
    const statuses = await Promise.all([rig.upgrade(seatPath(seat)), rig.upgrade(seatPath(seat)), rig.upgrade(seatPath(seat))]);
    expect(statuses.sort()).toEqual([101, 409, 409]);
  });

  it('a connection without a seat passes, unless the server requires seats (401)', async () => {
    rig = await startMatchmakingRig([['room', {}]]);
    expect(await rig.upgrade('/ws')).toBe(101);
    await rig.close();
    rig = await startMatchmakingRig([['room', {}]], { server: { matchmaking: { requireSeat: true } } });
    expect(await rig.upgrade('/ws')).toBe(401);
    expect(await rig.upgrade(seatPath(await rig.seat('joinOrCreate', 'room')))).toBe(101);
  });

  it('a dropped player resumes through its seat while its session is held, and stays in its room', async () => {
    rig = await startMatchmakingRig([['room', { maxClients: 2 }]], { server: { resumeGraceMs: 5_000 } });
    proxy = await startCuttableProxy(rig.port);
    const seat = await rig.seat('joinOrCreate', 'room');
    const client = rig.client({ ...seat, address: `ws://127.0.0.1:${proxy.port}/ws` }, { reconnect: true });
    client.connect();
    await rig.until(() => client.state === 'connected');
    const room = rig.server.matchmaker.room(seat.room.roomId)!;
    const [connection] = room.connections;
    rig.step();
    const events: string[] = [];
    proxy.cut();
    await rig.until(() => {
      events.push(...rig.server.events().map((e) => e.type), ...rig.server.matchmaker.events().map((e) => e.type));
      return events.includes('reconnected');
    });
    expect(events).toEqual(['disconnected', 'reconnected']);
    expect([...room.connections]).toEqual([connection]);
    expect((await rig.server.matchmaker.listRooms('room'))[0]!.clients).toBe(1);
  });
});
