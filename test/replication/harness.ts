/**
 * A bitECS-free test bench for replication: fresh component stores per side (server and client
 * must never share typed arrays), a tiny EntitySink that recycles ids at once like bitECS, and
 * helpers that drive ServerReplication → bytes → ClientReplication directly.
 */
import { ByteReader, ByteWriter } from '../../engine-plugin/src/protocol';
import { ClientReplication, type EntitySink } from '../../engine-plugin/src/replication';
import { type Component, componentInfo, defineComponent, defineProtocol, defineTag, type Protocol, t } from '../../engine-plugin/src/schema';
import type { ServerReplication } from '../../engine-plugin/src/replication';

export const CAPACITY = 512;

/** One side's components: the same declarations, separate stores. */
export function makeComponents() {
  const Position = defineComponent('position', { x: t.f32({ precision: 0.01 }), y: t.f32({ precision: 0.01 }) }, { capacity: CAPACITY });
  const Health = defineComponent('health', { hp: t.u8(), shield: t.i16(), alive: t.bool() }, { capacity: CAPACITY });
  const Info = defineComponent(
    'info',
    {
      name: t.string({ maxBytes: 16 }),
      level: t.u32(),
      score: t.i32(),
      ratio: t.f64(),
      small: t.i8(),
      wide: t.u16(),
      angle: t.f32({ min: -Math.PI, max: Math.PI, bits: 12 }),
      raw: t.f32(),
    },
    { capacity: CAPACITY },
  );
  const Marker = defineTag('marker');
  const protocol = defineProtocol({ components: [Position, Health, Info, Marker] });
  return { Position, Health, Info, Marker, protocol };
}

export type Components = ReturnType<typeof makeComponents>;

/** An EntitySink over plain maps; ids are recycled LIFO at once, as bitECS does. */
export class MapSink implements EntitySink {
  readonly entities = new Map<number, Set<Component>>();
  private next = 0;
  private readonly free: number[] = [];
  spawn(): number {
    const id = this.free.pop() ?? this.next++;
    this.entities.set(id, new Set());
    return id;
  }
  despawn(localId: number): void {
    if (!this.entities.delete(localId)) throw new Error(`despawn of unknown local ${localId}`);
    this.free.push(localId);
  }
  addComponent(localId: number, component: Component): void {
    this.entities.get(localId)!.add(component);
  }
  removeComponent(localId: number, component: Component): void {
    this.entities.get(localId)!.delete(component);
  }
}

/** A client: its own component stores, sink and replication. */
export class TestClient {
  readonly components: Components = makeComponents();
  readonly sink = new MapSink();
  readonly replication: ClientReplication;
  /** Bytes of the last section applied. */
  lastBytes = 0;
  constructor() {
    this.replication = new ClientReplication(this.components.protocol, this.sink);
  }
}

const writer = new ByteWriter();

/** Write `clientId`'s section for the current tick and apply it on `client`; returns the section's size. */
export function deliver(server: ServerReplication, clientId: number, client: TestClient, tick: number): number {
  writer.reset();
  server.writeState(clientId, writer);
  const bytes = writer.finish();
  client.replication.beginTick();
  client.replication.apply(new ByteReader(bytes), tick);
  client.lastBytes = bytes.length;
  return bytes.length;
}

/** The section bytes for `clientId` this tick, without applying them. */
export function sectionOf(server: ServerReplication, clientId: number): Uint8Array {
  writer.reset();
  server.writeState(clientId, writer);
  return writer.finish();
}

type Values = Record<string, number | string>;

/** What an entity looks like: component name → field values. */
export type EntityState = Record<string, Values>;

function readValues(component: Component, eid: number): Values {
  const info = component[componentInfo];
  const out: Values = {};
  const stores = component as unknown as Record<string, ArrayLike<number | string>>;
  for (const name of info.fieldNames) out[name] = stores[name]![eid]!;
  return out;
}

/** The client's world as server id → state, read from its stores through the id map. */
export function clientWorld(client: TestClient): Map<number, EntityState> {
  const world = new Map<number, EntityState>();
  for (const [local, components] of client.sink.entities) {
    const serverId = client.replication.serverId(local);
    if (serverId === undefined) throw new Error(`local ${local} has no server id`);
    const state: EntityState = {};
    for (const c of components) state[c[componentInfo].name] = readValues(c, local);
    world.set(serverId, state);
  }
  return world;
}

/** Server-side state of an entity from the given components. */
export function serverEntity(components: readonly Component[], eid: number): EntityState {
  const state: EntityState = {};
  for (const c of components) state[c[componentInfo].name] = readValues(c, eid);
  return state;
}

/** Tolerance per field: half a quantisation step (plus f32 rounding), exact otherwise. */
function tolerance(component: Component, field: string): number {
  const spec = component[componentInfo].shape[field]!;
  if ('quantize' in spec && spec.quantize) return spec.quantize.step / 2 + 1e-4 + Math.abs(spec.quantize.step) * 1e-3;
  return 0;
}

/** Throw a descriptive error unless `actual` matches `expected` within declared precision. */
export function assertWorldEquals(expected: Map<number, EntityState>, actual: Map<number, EntityState>, components: readonly Component[], label = ''): void {
  const byName = new Map(components.map((c) => [c[componentInfo].name, c]));
  const missing = [...expected.keys()].filter((id) => !actual.has(id));
  const extra = [...actual.keys()].filter((id) => !expected.has(id));
  if (missing.length || extra.length) throw new Error(`${label} entity sets differ: missing ${missing} extra ${extra}`);
  for (const [id, state] of expected) {
    const got = actual.get(id)!;
    const names = Object.keys(state).sort().join(',');
    const gotNames = Object.keys(got).sort().join(',');
    if (names !== gotNames) throw new Error(`${label} entity ${id} components ${gotNames}, expected ${names}`);
    for (const [name, values] of Object.entries(state)) {
      const component = byName.get(name)!;
      for (const [field, value] of Object.entries(values)) {
        const v = got[name]![field]!;
        const ok = typeof value === 'string' ? v === value : Math.abs((v as number) - value) <= tolerance(component, field) || (Number.isNaN(v) && Number.isNaN(value));
        if (!ok) throw new Error(`${label} entity ${id} ${name}.${field} = ${v}, expected ${value}`);
      }
    }
  }
}

const EXTREMES: Record<string, readonly number[]> = {
  u8: [0, 255],
  i8: [-128, 127],
  u16: [0, 127, 128, 65535],
  i16: [-32768, -64, 63, 32767],
  u32: [0, 4294967295],
  i32: [-2147483648, 2147483647],
};

/**
 * Write random values to about half the fields of about 60 % of entities `0..ids-1` in every given
 * component: edge values of each integer range, long and non-ASCII strings, huge floats.
 */
export function scrambleFields(components: readonly Component[], ids: number, random: () => number): void {
  for (let e = 0; e < ids; e++) {
    if (random() < 0.4) continue;
    for (const c of components) {
      const stores = c as unknown as Record<string, number[] | string[]>;
      for (const field of c[componentInfo].fieldNames) {
        if (random() < 0.5) continue;
        const kind = c[componentInfo].shape[field]!.kind;
        const store = stores[field]!;
        if (kind === 'string') (store as string[])[e] = ['', 'a', 'ünïcödé', 'x'.repeat(40)][Math.floor(random() * 4)]!;
        else if (kind === 'bool') (store as number[])[e] = random() < 0.5 ? 0 : 1;
        else if (kind === 'f32' || kind === 'f64') (store as number[])[e] = random() < 0.1 ? 1e12 * (random() - 0.5) : (random() - 0.5) * 400;
        else {
          const pool = EXTREMES[kind]!;
          (store as number[])[e] = random() < 0.3 ? pool[Math.floor(random() * pool.length)]! : Math.floor(random() * 60);
        }
      }
    }
  }
}

/** A seeded PRNG (mulberry32), so a failing seed replays exactly. */
export { seededRandom as prng } from '../../engine-plugin/src/transport/seeded-random';

export type { Protocol };
