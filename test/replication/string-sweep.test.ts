import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter } from '../../engine-plugin/src/protocol';
import { ClientReplication, STRING_SWEEP, ServerReplication } from '../../engine-plugin/src/replication';
import { defineComponent, defineProtocol, t } from '../../engine-plugin/src/schema';
import { MapSink } from './harness';

const ENTITIES = 4 * STRING_SWEEP + 10;

function label() {
  return defineComponent('label', { text: t.string({ maxBytes: 16 }), n: t.u8() }, { capacity: 8192 });
}

function setup() {
  const Label = label();
  const server = new ServerReplication(defineProtocol({ components: [Label] }), { verifyMarks: 0 });
  const ClientLabel = label();
  const client = new ClientReplication(defineProtocol({ components: [ClientLabel] }), new MapSink());
  for (let e = 0; e < ENTITIES; e++) {
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
  const text = (e: number) => ClientLabel.text[client.localId(e)!];
  return { Label, server, sync, text };
}

describe('string fields of a scanned component', () => {
  it(`reach the client within ⌈entities / STRING_SWEEP⌉ ticks when written without a mark`, () => {
    const { Label, sync, text } = setup();
    const written = [0, STRING_SWEEP - 1, 2 * STRING_SWEEP + 3, ENTITIES - 1];
    for (const e of written) Label.text[e] = `new-${e}`;
    for (let i = 0; i < Math.ceil(ENTITIES / STRING_SWEEP); i++) sync();
    for (const e of written) expect(text(e)).toBe(`new-${e}`);
  });

  it('go out on the next tick when marked, wherever the sweep is', () => {
    const { Label, server, sync, text } = setup();
    for (let round = 0; round < 6; round++) {
      const e = (round * 997) % ENTITIES;
      Label.text[e] = `marked-${round}`;
      server.markChanged(e, Label);
      sync();
      expect(text(e)).toBe(`marked-${round}`);
    }
  });
});
