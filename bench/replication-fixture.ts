/**
 * The tickwire side of bench/replication.ts, shared with bench/replication-profile.ts: the
 * benchmark entity, and a server and client replicating `n` of them after the first (snapshot) tick.
 */
import { ByteReader, ByteWriter } from '../engine-plugin/src/protocol';
import { ClientReplication, type EntitySink, ServerReplication } from '../engine-plugin/src/replication';
import { defineComponent, defineProtocol, t } from '../engine-plugin/src/schema';

/** The benchmark entity: x, y, angle, hp and a name that never changes. */
export function bodyComponent() {
  return defineComponent('body', {
    x: t.f32({ precision: 0.01 }),
    y: t.f32({ precision: 0.01 }),
    angle: t.f32({ precision: 0.01 }),
    hp: t.u8(),
    name: t.string({ maxBytes: 32 }),
  });
}

/** A client world that only hands out ids. */
export class CountingSink implements EntitySink {
  private next = 0;
  spawn(): number {
    return this.next++;
  }
  despawn(): void {}
  addComponent(): void {}
  removeComponent(): void {}
}

/** Initial values of entity `i`. */
export type InitialValues = (i: number) => { x: number; y: number; angle: number; hp: number };

/**
 * A server with one client, `n` spawned entities (`marked`: the component uses marked tracking)
 * and a client that applied the first tick; `compiled` false: the generic codecs.
 */
export function replicatedPair(n: number, initial: InitialValues, marked: boolean, compiled = true) {
  const Body = bodyComponent();
  const server = new ServerReplication(defineProtocol({ components: [Body] }), {
    verifyMarks: 0,
    compileEncoders: compiled,
    ...(marked ? { marked: [Body] } : {}),
  });
  const ClientBody = bodyComponent();
  const client = new ClientReplication(defineProtocol({ components: [ClientBody] }), new CountingSink(), { compileDecoders: compiled });
  for (let i = 0; i < n; i++) {
    const v = initial(i);
    Body.x[i] = v.x;
    Body.y[i] = v.y;
    Body.angle[i] = v.angle;
    Body.hp[i] = v.hp;
    Body.name[i] = `entity-${i}`;
    server.spawn(i);
    server.addComponent(i, 0);
  }
  server.addClient(1);
  const w = new ByteWriter(1 << 16);
  server.replicate(0);
  server.writeState(1, w);
  client.apply(new ByteReader(w.written()), 0);
  return { Body, ClientBody, server, client, w };
}
