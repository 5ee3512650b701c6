import { addComponent, addEntity, removeEntity } from 'bitecs';
import { afterEach, expect, it } from 'vitest';
import { type ConnectionEvent, Networked } from '../../engine-plugin/src/index';
import { nodeWebSocketClient } from '../../engine-plugin/src/node';
import { type CuttableProxy, startCuttableProxy } from '../demo/cuttable-proxy';
import { Position, protocol } from '../support/chat-protocol';
import { type Rig, startRig } from '../support/rig';

let rig: Rig;
let proxy: CuttableProxy;
afterEach(async () => {
  await rig?.close();
  await proxy?.close();
});

it('a session that expired owns nothing: owns() is false, and owned() lists its entities only in the tick it expired', async () => {
  rig = await startRig('ws', protocol, { resumeGraceMs: 300 });
  proxy = await startCuttableProxy(rig.port!);
  const alice = rig.client({ transport: nodeWebSocketClient(`ws://127.0.0.1:${proxy.port}/ws`) });
  alice.connect();
  await rig.until(() => alice.state === 'connected');
  const { server } = rig;
  const conn = server.connection(alice.id)!;
  const eid = addEntity(server.world);
  addComponent(server.world, eid, Position);
  addComponent(server.world, eid, Networked);
  const kept = addEntity(server.world);
  server.setOwner(eid, conn);
  server.setOwner(kept, conn);
  await rig.until(() => alice.owned().length === 1);

  // The link drops without a close frame: the session is held, and still owns its entities.
  proxy.cut();
  const events: ConnectionEvent[] = [];
  await rig.until(() => {
    events.push(...server.events());
    return events.some((e) => e.type === 'disconnected');
  });
  expect(server.owns(conn, eid)).toBe(true);

  // It expires: in that tick the game can still list what it owned, to remove it.
  let atExpiry: number[] | undefined;
  await rig.until(() => {
    if (server.events().some((e) => e.type === 'expired' && e.connection === conn)) {
      expect(server.owns(conn, eid)).toBe(false);
      expect(server.owns(conn, kept)).toBe(false);
      expect(server.owner(eid)).toBeUndefined();
      atExpiry = server.owned(conn).sort();
      removeEntity(server.world, eid);
    }
    return atExpiry !== undefined;
  }, 3000);
  expect(atExpiry).toEqual([eid, kept].sort());
  rig.step();
  expect(server.owned(conn)).toEqual([]);
  expect(server.owns(conn, kept)).toBe(false);
  expect(server.owner(kept)).toBeUndefined();
  expect(() => server.setOwner(kept, conn)).toThrow(RangeError);
});
