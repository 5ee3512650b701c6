/**
 * What every RoomDirectory must do, as tests any implementation runs against itself: the
 * embedded one here, the Redis one in tickwire/cluster's suite
 * (`describeRoomDirectoryContract('redis', () => redisRoomDirectory(...))`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RoomDirectory, RoomListing } from '../../engine-plugin/src/index';

let next = 0;

/** A listing of a fresh room in `pool`. */
export function listing(pool: string, maxClients: number, overrides: Partial<RoomListing> = {}): RoomListing {
  next++;
  return {
    roomId: `room${next}x${Math.random().toString(36).slice(2, 8)}`,
    type: pool.split('?')[0]!,
    pool,
    node: 'n1',
    address: 'ws://127.0.0.1:1/ws',
    clients: 0,
    maxClients,
    locked: false,
    filter: {},
    metadata: {},
    createdAt: Date.now(),
    ...overrides,
  };
}

const seat = (id: string, ttlMs = 60_000) => ({ seat: id, ttlMs });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function describeRoomDirectoryContract(name: string, make: () => RoomDirectory | Promise<RoomDirectory>): void {
  describe(`the ${name} room directory keeps the RoomDirectory contract`, () => {
    let directory: RoomDirectory | undefined;
    afterEach(async () => {
      await directory?.close();
      directory = undefined;
    });
    const open = async () => {
      directory = await make();
      return directory;
    };

    it('reserve takes the fullest open room of its pool, never another pool, never past maxClients', async () => {
      const d = await open();
      const a = listing('t', 3);
      const b = listing('t', 3);
      const other = listing('t?["x"]', 3);
      await d.register(a, { seats: [seat('a0')] });
      await d.register(b);
      await d.register(other, { seats: [seat('o0')] });
      const taken = [];
      for (let i = 0; i < 5; i++) taken.push((await d.reserve('t', seat(`s${i}`)))?.listing.roomId);
      expect(taken).toEqual([a.roomId, a.roomId, b.roomId, b.roomId, b.roomId]);
      expect(await d.reserve('t', seat('s5'))).toBeUndefined();
      expect((await d.get(a.roomId))?.clients).toBe(3);
      expect((await d.get(other.roomId))?.clients).toBe(1);
      expect(await d.reserve('nosuchpool', seat('z'))).toBeUndefined();
    });

    it('register with a seat answers the reservation; reserveIn refuses missing, locked and full', async () => {
      const d = await open();
      const room = listing('t', 2);
      const made = await d.register(room, { seats: [seat('first')] });
      expect(made.registered && made.reservations.map((r) => r.seat)).toEqual(['first']);
      expect(made.registered && made.reservations[0]?.listing.clients).toBe(1);
      expect(await d.reserveIn('missing', seat('m'))).toBe('missing');
      await d.update(room.roomId, { locked: true });
      expect(await d.reserveIn(room.roomId, seat('l'))).toBe('locked');
      expect(await d.reserve('t', seat('l2'))).toBeUndefined();
      await d.update(room.roomId, { locked: false, metadata: { map: 'dunes' } });
      const second = await d.reserveIn(room.roomId, seat('second'));
      expect(typeof second === 'object' && second.listing.metadata).toEqual({ map: 'dunes' });
      expect(await d.reserveIn(room.roomId, seat('third'))).toBe('full');
    });

    it('claim turns a reserved seat into a used one once; release frees its place and reopens the room', async () => {
      const d = await open();
      const room = listing('t', 1);
      await d.register(room, { seats: [seat('only')] });
      expect(await d.claim(room.roomId, 'forged')).toBe('unknown');
      expect(await d.claim(room.roomId, 'only')).toBe('claimed');
      expect(await d.claim(room.roomId, 'only')).toBe('used');
      expect(await d.reserve('t', seat('next'))).toBeUndefined();
      await d.release(room.roomId, 'only');
      expect(await d.claim(room.roomId, 'only')).toBe('unknown');
      expect((await d.reserve('t', seat('next')))?.listing.roomId).toBe(room.roomId);
    });

    it('an unused seat stops counting after its ttl and is unknown to claim; a claimed one does not expire', async () => {
      const d = await open();
      const room = listing('t', 2);
      await d.register(room, { seats: [seat('kept', 100)] });
      const reservation = await d.reserve('t', seat('lapsed', 100));
      expect(reservation && reservation.expiresAt - Date.now()).toBeLessThanOrEqual(100);
      expect(await d.claim(room.roomId, 'kept')).toBe('claimed');
      await sleep(250);
      expect(await d.claim(room.roomId, 'lapsed')).toBe('unknown');
      expect((await d.reserve('t', seat('new')))?.listing.clients).toBe(2);
    });

    it('unregister onlyIfEmpty refuses a room with a seat, reserved or claimed; unregister makes its seats unknown', async () => {
      const d = await open();
      const room = listing('t', 4);
      await d.register(room, { seats: [seat('s')] });
      expect(await d.unregister(room.roomId, { onlyIfEmpty: true })).toBe(false);
      await d.claim(room.roomId, 's');
      expect(await d.unregister(room.roomId, { onlyIfEmpty: true })).toBe(false);
      await d.release(room.roomId, 's');
      expect(await d.unregister(room.roomId, { onlyIfEmpty: true })).toBe(true);
      expect(await d.get(room.roomId)).toBeUndefined();
      const other = listing('t', 4);
      await d.register(other, { seats: [seat('gone')] });
      expect(await d.unregister(other.roomId)).toBe(true);
      expect(await d.claim(other.roomId, 'gone')).toBe('unknown');
      expect(await d.reserve('t', seat('x'))).toBeUndefined();
    });

    it('list is bounded, per type or pool, open rooms unless includeLocked', async () => {
      const d = await open();
      const rooms = [listing('t', 2), listing('t', 2), listing('t?[1]', 2), listing('u', 2)];
      for (const room of rooms) await d.register(room);
      await d.update(rooms[1]!.roomId, { locked: true });
      const ids = (listed: readonly RoomListing[]) => listed.map((r) => r.roomId).sort();
      expect(ids(await d.list({ type: 't', limit: 10 }))).toEqual([rooms[0]!.roomId, rooms[2]!.roomId].sort());
      expect(ids(await d.list({ type: 't', limit: 10, includeLocked: true }))).toEqual([rooms[0]!.roomId, rooms[1]!.roomId, rooms[2]!.roomId].sort());
      expect(ids(await d.list({ type: 't', pool: 't?[1]', limit: 10 }))).toEqual([rooms[2]!.roomId]);
      expect(await d.list({ type: 't', limit: 1, includeLocked: true })).toHaveLength(1);
    });

    it('one creator per pool; a late registration of an aborted attempt is refused, one made before the abort stands', async () => {
      const d = await open();
      const lock = await d.lockCreation('t', 5_000);
      expect(lock).toBeDefined();
      expect(await d.lockCreation('t', 5_000)).toBeUndefined();
      expect(await d.lockCreation('t?[2]', 5_000)).toBeDefined();
      let settled = false;
      const waiting = d.creationSettled('t', 5_000).then(() => {
        settled = true;
      });
      expect(await d.abortCreation(lock!)).toBe(true);
      expect(await d.register(listing('t', 2), { creation: lock! })).toEqual({ registered: false });
      await d.unlockCreation(lock!);
      await waiting;
      expect(settled).toBe(true);

      const second = (await d.lockCreation('t', 5_000))!;
      const room = listing('t', 2);
      expect((await d.register(room, { creation: second, seats: [seat('c')] })).registered).toBe(true);
      expect(await d.abortCreation(second)).toBe(false);
      await d.unlockCreation(second);
      expect((await d.reserve('t', seat('d')))?.listing.roomId).toBe(room.roomId);
    });

    it('register takes every seat it is given at once, never past maxClients; the room fills with them', async () => {
      const d = await open();
      const room = listing('t', 3);
      const made = await d.register(room, { seats: [seat('x'), seat('y')] });
      expect(made.registered && made.reservations.map((r) => [r.seat, r.listing.clients])).toEqual([
        ['x', 2],
        ['y', 2],
      ]);
      expect(await d.claim(room.roomId, 'y')).toBe('claimed');
      expect((await d.reserve('t', seat('z')))?.listing.clients).toBe(3);
      expect(await d.reserve('t', seat('w'))).toBeUndefined();
      await expect(d.register(listing('t', 1), { seats: [seat('a'), seat('b')] })).rejects.toThrow(/maxClients/);
    });

    it("one lock makes several rooms, one attempt each: an aborted attempt's late registration is refused, the others stand", async () => {
      const d = await open();
      const lock = (await d.lockCreation('t', 5_000))!;
      const first = listing('t', 2);
      expect((await d.register(first, { creation: { ...lock, attempt: 0 }, seats: [seat('f')] })).registered).toBe(true);
      expect(await d.abortCreation({ ...lock, attempt: 1 })).toBe(true);
      expect(await d.register(listing('t', 2), { creation: { ...lock, attempt: 1 }, seats: [seat('g')] })).toEqual({ registered: false });
      const third = listing('t', 2);
      expect((await d.register(third, { creation: { ...lock, attempt: 2 } })).registered).toBe(true);
      expect(await d.abortCreation({ ...lock, attempt: 0 })).toBe(false);
      expect(await d.abortCreation({ ...lock, attempt: 2 })).toBe(false);
      await d.unlockCreation(lock);
      expect(await d.list({ type: 't', limit: 10 }).then((rooms) => rooms.map((r) => r.roomId).sort())).toEqual([first.roomId, third.roomId].sort());
    });

    it('reserve with avoid passes over rooms listed at that address for that seat only; an unknown address changes nothing', async () => {
      const d = await open();
      const dead = listing('t', 3, { address: 'ws://10.0.0.1:8081/ws' });
      const alive = listing('t', 3, { address: 'ws://10.0.0.2:8081/ws' });
      // The room at the avoided address is the fullest: reserve alone would take it.
      await d.register(dead, { seats: [seat('d0'), seat('d1')] });
      await d.register(alive);
      const away = await d.reserve('t', { ...seat('a0'), avoid: dead.address });
      expect([away?.listing.roomId, away?.listing.clients]).toEqual([alive.roomId, 1]);
      // Nothing was written about the avoided room: the next caller (naming an address no room has) gets it.
      expect((await d.get(dead.roomId))?.clients).toBe(2);
      const unknown = await d.reserve('t', { ...seat('u0'), avoid: 'ws://10.0.0.9:1/ws' });
      expect([unknown?.listing.roomId, unknown?.listing.clients]).toEqual([dead.roomId, 3]);
      // The only room with space is at the avoided address: none for that seat, and the room keeps its place.
      expect(await d.reserve('t', { ...seat('z'), avoid: alive.address })).toBeUndefined();
      expect((await d.reserve('t', seat('p0')))?.listing).toMatchObject({ roomId: alive.roomId, clients: 2 });
    });

    it('a creation lock released can be taken again at once, without waiting for the release to come back', async () => {
      const d = await open();
      const first = (await d.lockCreation('t', 5_000))!;
      // The creator's next round asks for the lock in the same turn it releases the last one.
      const released = d.unlockCreation(first);
      const second = await d.lockCreation('t', 5_000);
      await released;
      expect(second).toBeDefined();
      expect(second!.token).not.toBe(first.token);
      expect(await d.lockCreation('t', 5_000)).toBeUndefined();
      await d.unlockCreation(second!);
    });

    it('a creation lock nobody releases expires after its ttl', async () => {
      const d = await open();
      expect(await d.lockCreation('t', 100)).toBeDefined();
      await sleep(250);
      expect(await d.lockCreation('t', 100)).toBeDefined();
    });
  });
}
