import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter } from '../../engine-plugin/src/protocol';
import { ClientReplication, STRING_SWEEP, ServerReplication } from '../../engine-plugin/src/replication';
import { diffDoubles, diffElements, diffWords, doubleView } from '../../engine-plugin/src/replication/column-diff';
import { DirtyBits } from '../../engine-plugin/src/replication/dirty-bits';
import { IdList } from '../../engine-plugin/src/replication/entity-set';
import { defineComponent, defineProtocol, t } from '../../engine-plugin/src/schema';
import { MapSink } from './harness';

/**
 * When one column's diff flags every id below the span (everything moved), the scan stops: every
 * member is a candidate and the exact compare looks at all of a candidate's fields. These pin
 * down what the column diffs count, and that stopping loses nothing — a change in a later
 * column, or a string outside this tick's sweep, still goes out in the same tick.
 */

function drained(bits: DirtyBits): number[] {
  const list = new IdList();
  bits.drain(list);
  return Array.from(list.items.subarray(0, list.length));
}

describe('column diffs count the entities they flag', () => {
  it('4-byte words: each differing word is one entity', () => {
    const store = new Int32Array(37);
    const shadow = new Int32Array(37);
    for (const e of [0, 3, 4, 31, 36]) store[e] = 1;
    const into = new DirtyBits(64);
    expect(diffWords(store, shadow, 37, 4, into)).toBe(5);
    expect(drained(into)).toEqual([0, 3, 4, 31, 36]);
  });

  it('columns of other element sizes are not counted (a word is not one entity there)', () => {
    const bytes = new Uint8Array(16);
    bytes[5] = 1;
    const words = new Int32Array(bytes.buffer);
    const into = new DirtyBits(64);
    expect(diffWords(words, new Int32Array(4), 4, 1, into)).toBe(0);
    expect(drained(into)).toEqual([4, 5, 6, 7]);
    const f64 = new Float64Array(5);
    f64[2] = 1;
    const f64Words = new Int32Array(f64.buffer);
    expect(diffWords(f64Words, new Int32Array(10), 10, 8, into)).toBe(0);
    expect(drained(into)).toEqual([2]);
  });

  it('quantised f32 columns compared as doubles count each f32 whose bits differ', () => {
    const store = new Int32Array(11);
    const shadow = new Int32Array(11);
    for (const e of [0, 1, 6, 10]) store[e] = 7;
    const into = new DirtyBits(64);
    expect(diffDoubles(doubleView(store)!, doubleView(shadow)!, 11, store, shadow, 4, into)).toBe(4);
    expect(drained(into)).toEqual([0, 1, 6, 10]);
  });

  it('element by element: each differing element', () => {
    const into = new DirtyBits(64);
    expect(diffElements([1, 0, 2, 0], [0, 0, 0, 0], 0, 4, into)).toBe(2);
    expect(drained(into)).toEqual([0, 2]);
  });
});

describe('a tick in which one column changed for every entity', () => {
  const ENTITIES = 3 * STRING_SWEEP + 7;

  function body() {
    return defineComponent('body', { x: t.f32({ precision: 0.01 }), hp: t.u8(), level: t.u32(), name: t.string({ maxBytes: 16 }) }, { capacity: 4096 });
  }

  /** A server over `Body` (plain writes) with ENTITIES entities named e<id>, and a client in sync. */
  function pair() {
    const Body = body();
    const server = new ServerReplication(defineProtocol({ components: [Body] }), { verifyMarks: 0 });
    const ClientBody = body();
    const client = new ClientReplication(defineProtocol({ components: [ClientBody] }), new MapSink());
    for (let e = 0; e < ENTITIES; e++) {
      Body.name[e] = `e${e}`;
      server.spawn(e);
      server.addComponent(e, 0);
    }
    server.addClient(1);
    const w = new ByteWriter();
    let tick = 0;
    const sync = () => {
      server.replicate(tick);
      w.reset();
      server.writeState(1, w);
      client.beginTick();
      client.apply(new ByteReader(w.finish()), tick++);
    };
    sync();
    return { Body, ClientBody, client, sync };
  }

  it('still sends the later columns’ changes and a string outside the sweep, in that tick', () => {
    const { Body, ClientBody, client, sync } = pair();
    // The sweep is at [0, STRING_SWEEP) on this tick: the string written is far past it.
    const far = ENTITIES - 2;
    for (let e = 0; e < ENTITIES; e++) Body.x[e] = Body.x[e]! + 1;
    Body.hp[5] = 9;
    Body.level[ENTITIES - 1] = 123_456;
    Body.name[far] = 'renamed';
    sync();
    const local = (e: number) => client.localId(e)!;
    for (let e = 0; e < ENTITIES; e++) expect(ClientBody.x[local(e)]).toBeCloseTo(Body.x[e]!, 2);
    expect(ClientBody.hp[local(5)]).toBe(9);
    expect(ClientBody.level[local(ENTITIES - 1)]).toBe(123_456);
    expect(ClientBody.name[local(far)]).toBe('renamed');
  });

  it('one entity short of all: the scan goes on and finds the later columns’ changes', () => {
    const { Body, ClientBody, client, sync } = pair();
    for (let e = 1; e < ENTITIES; e++) Body.x[e] = Body.x[e]! + 1;
    // Entity 0 is the one x did not flag; its level is in a later column.
    Body.level[0] = 77;
    sync();
    expect(ClientBody.level[client.localId(0)!]).toBe(77);
    expect(ClientBody.x[client.localId(ENTITIES - 1)!]).toBeCloseTo(1, 2);
  });
});
