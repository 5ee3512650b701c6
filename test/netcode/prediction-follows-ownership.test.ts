import { addComponent, addEntity } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { Networked, defineComponent, defineInput, defineProtocol, t } from '../../engine-plugin/src/index';
import { type Rig, clientComponent, startRig } from '../support/rig';

const Position = defineComponent('position', { x: t.f32({ precision: 0.01, interpolate: true }) });
const Push = defineInput('push', { dx: t.i8() });
const protocol = defineProtocol({ messages: [Push], components: [Position] });

describe('prediction follows ownership', () => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('stops predicting an entity the server hands to someone else, and reads the server value', async () => {
    rig = await startRig('memory', protocol);
    const client = rig.client();
    const other = rig.client();
    client.connect();
    other.connect();
    await rig.until(() => client.state === 'connected' && other.state === 'connected');
    const world = rig.server.world;
    const eid = addEntity(world);
    addComponent(world, eid, Position);
    addComponent(world, eid, Networked);
    Position.x[eid] = 42;
    rig.server.setOwner(eid, rig.server.connection(client.id));
    await rig.until(() => client.owned().length === 1);
    const local = client.owned()[0]!;
    const clientPosition = clientComponent(client, Position);
    const me = client.predict(local, { input: Push, components: [clientPosition], step: (e, input) => {
      clientPosition.x[e]! += input.dx;
    } });
    expect(client.prediction.claims(local)).toBe(true);
    expect(client.authoritative(clientPosition, local)).toEqual({ x: 42 });

    rig.server.setOwner(eid, rig.server.connection(other.id));
    await rig.until(() => client.owned().length === 0 && other.owned().length === 1);
    expect(client.prediction.claims(local)).toBe(false);
    expect(me.pendingInputs).toBe(0);

    const mine = other.predict(other.owned()[0]!, { input: Push, components: [clientComponent(other, Position)], step: () => {} });
    mine.release();
    expect(other.prediction.claims(other.owned()[0]!)).toBe(false);
  });
});
