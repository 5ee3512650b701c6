import { afterEach, describe, expect, it } from 'vitest';
import { type BusDelivery, type LocalPresence, type MessagingBus, type PresenceEvent, localBus } from '../../engine-plugin/src/index';
import { type MessagingRig, connectAll, startMessagingRig, track } from '../support/messaging-rig';

/** The local bus, plus a handle on the delivery other nodes' presence arrives through, and a log of what it was told. */
function observedBus(): MessagingBus & { delivery: BusDelivery | undefined; told: LocalPresence[] } {
  const bus = localBus();
  const observed = {
    ...bus,
    node: 'a',
    delivery: undefined as BusDelivery | undefined,
    told: [] as LocalPresence[],
    attach(delivery: BusDelivery) {
      observed.delivery = delivery;
    },
    presence(change: LocalPresence) {
      observed.told.push(change);
    },
  };
  return observed;
}

describe('presence spans every node the bus reports', () => {
  let rig: MessagingRig;
  afterEach(() => rig?.close());

  it('an identity another node holds is online to watchers here, offline only when the last node lets go; the bus hears only this node', async () => {
    const bus = observedBus();
    rig = await startMessagingRig({ messaging: { bus } });
    const watcher = rig.client('watcher');
    await connectAll(rig, [watcher]);
    const seen: PresenceEvent[] = [];
    const collect = () => seen.push(...watcher.presence());
    const until = (condition: () => boolean) =>
      rig.until(() => {
        collect();
        return condition();
      });
    const steps = (n: number) => {
      for (let i = 0; i < n; i++) {
        rig.step();
        collect();
      }
    };

    // Zed is on node b before anyone here watches: the snapshot names it, with b's metadata.
    bus.delivery!.presence('b', { identity: 'zed', present: true, metadata: { node: 'b' } });
    const watching = track(watcher.watchPresence());
    await until(() => watching.settled && seen.length >= 2);
    expect(watching.value).toEqual({ online: 2 });
    expect(seen.map((e) => `${e.identity}:${e.status}:${e.metadata?.node ?? ''}`).sort()).toEqual(['watcher:online:', 'zed:online:b']);
    seen.length = 0;

    // Zed also on node c, then here: still one identity, no new online.
    bus.delivery!.presence('c', { identity: 'zed', present: true });
    const zedHere = rig.client('zed');
    await connectAll(rig, [zedHere]);
    steps(3);
    expect(seen).toEqual([]);
    // Node b let go, and the session here ended: c still holds zed.
    bus.delivery!.presence('b', { identity: 'zed', present: false });
    zedHere.disconnect();
    await rig.until(() => rig.server.messaging.connectionsOf('zed').length === 0);
    steps(3);
    expect(seen.filter((e) => e.status === 'offline')).toEqual([]);
    // The last node lets go: offline, once.
    bus.delivery!.presence('c', { identity: 'zed', present: false });
    await until(() => seen.some((e) => e.status === 'offline'));
    steps(3);
    expect(seen.filter((e) => e.status === 'offline')).toEqual([{ identity: 'zed', status: 'offline' }]);

    // The bus was told this node's own edges only: watcher and zed arriving here, zed leaving here.
    expect(bus.told.map((c) => `${c.identity}:${c.present}`)).toEqual(['watcher:true', 'zed:true', 'zed:false']);
    // A direct message reaches only sessions here: zed held elsewhere is not a local connection.
    expect(rig.server.messaging.connectionsOf('zed')).toEqual([]);
  });
});
