import { addComponent, addEntity } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { Networked, PROTOCOL_VERSION, defineComponent, defineInput, defineMessage, defineProtocol, t } from '../../engine-plugin/src/index';
import { ByteWriter, FrameKind, encodeHello } from '../../engine-plugin/src/protocol';
import { type Rig, TRANSPORTS, openRaw, startRig, waitFor } from '../support/rig';

const Position = defineComponent('position', { x: t.f32({ precision: 0.01 }) });
const Move = defineInput('move', { dx: t.i8({ min: -1, max: 1 }) });
/** A message that names an entity: the server must check ownership before acting on it. */
const Nudge = defineMessage('nudge', { eid: t.u32(), dx: t.f32({ min: -10, max: 10 }) }, { direction: 'toServer' });
const protocol = defineProtocol({ messages: [Move, Nudge], components: [Position] });

describe.each(TRANSPORTS)('over %s: ownership and authority', (kind) => {
  let rig: Rig;
  afterEach(() => rig?.close());

  async function twoPlayers() {
    rig = await startRig(kind, protocol);
    // The rig gives each client its own copy of the protocol's stores, as separate processes would have.
    const [a, b] = [rig.client(), rig.client()];
    a.connect();
    b.connect();
    await rig.until(() => a.state === 'connected' && b.state === 'connected');
    const world = rig.server.world;
    const entityOf = new Map<number, number>();
    for (const client of [a, b]) {
      const eid = addEntity(world);
      addComponent(world, eid, Position);
      // Stores are module-wide typed arrays: an earlier world may have left a value at this index.
      Position.x[eid] = 0;
      addComponent(world, eid, Networked);
      rig.server.setOwner(eid, rig.server.connection(client.id)!);
      entityOf.set(client.id, eid);
    }
    await rig.until(() => a.localId(entityOf.get(b.id)!) !== undefined && b.localId(entityOf.get(a.id)!) !== undefined);
    return { a, b, eidA: entityOf.get(a.id)!, eidB: entityOf.get(b.id)! };
  }

  /** The game's systems, written the safe way. */
  function game(): void {
    const net = rig.server;
    for (const { eid, data } of net.ownedInputs(Move)) Position.x[eid]! += data.dx;
    for (const { source, data } of net.messages(Nudge)) if (net.owns(source, data.eid)) Position.x[data.eid]! += data.dx;
  }

  async function run(until: () => boolean): Promise<void> {
    const step = rig.step;
    rig.step = () => {
      rig.server.receive();
      game();
      rig.server.replicate();
      rig.server.flush();
      for (const c of clients) {
        c.receive();
        c.flush();
      }
    };
    try {
      await rig.until(until);
    } finally {
      rig.step = step;
    }
  }
  let clients: ReturnType<Rig['client']>[] = [];

  it('inputs move only the sender’s own entity; naming another’s entity does nothing', async () => {
    const { a, b, eidA, eidB } = await twoPlayers();
    clients = [a, b];
    a.send(Move, { dx: 1 });
    await run(() => Position.x[eidA] === 1);
    expect(Position.x[eidB]).toBe(0);
    expect(rig.server.owns(rig.server.connection(a.id)!, eidA)).toBe(true);
    expect(rig.server.owns(rig.server.connection(b.id)!, eidA)).toBe(false);
    b.send(Nudge, { eid: eidA, dx: 5 });
    b.send(Nudge, { eid: eidB, dx: 2 });
    await run(() => Position.x[eidB] === 2);
    expect(Position.x[eidA]).toBe(1);
  });

  it('nothing a client writes into its own world reaches the server’s replicated state', async () => {
    const { a, eidA } = await twoPlayers();
    clients = [a];
    Position.x[eidA] = 3;
    const clientPosition = a.protocol.components[0] as typeof Position;
    expect(clientPosition).not.toBe(Position);
    await run(() => (clientPosition.x[a.localId(eidA)!] ?? 0) > 2.9);
    const local = a.localId(eidA)!;
    // The client scribbles on a replicated component and keeps sending frames: no state travels up.
    clientPosition.x[local] = 999;
    for (let i = 0; i < 5; i++) rig.step();
    expect(Position.x[eidA]).toBe(3);
  });

  it('a client frame smuggling a state section after its messages is refused (1002)', async () => {
    rig = await startRig(kind, protocol);
    const raw = openRaw(rig.rawTransport(), (s) =>
      s.send(encodeHello({ version: PROTOCOL_VERSION, fingerprint: protocol.fingerprint, resumeToken: '', received: 0 })),
    );
    await waitFor(() => raw.messages.length > 0);
    const w = new ByteWriter();
    w.u8(FrameKind.Client);
    w.varint(0);
    w.varint(0); // no messages…
    w.bytes(new Uint8Array([1, 0, 1, 0, 0, 0x80, 0x3f])); // …then what a state section would look like
    raw.socket.send(w.finish());
    await rig.until(() => raw.closed !== undefined);
    expect(raw.closed!.code).toBe(1002);
  });
});
