import { afterEach, describe, expect, it } from 'vitest';
import type { PresenceEvent } from '../../engine-plugin/src/index';
import { type MessagingRig, connectAll, startMessagingRig, track } from '../support/messaging-rig';

describe('presence: online/offline events with metadata, to watchers', () => {
  let rig: MessagingRig;
  afterEach(() => rig?.close());

  it('a watcher sees who is online, each identity coming online once (with metadata) and going offline with its last connection', async () => {
    rig = await startMessagingRig();
    const [watcher, focused, bob] = [rig.client('watcher'), rig.client('focused'), rig.client('bob')];
    await connectAll(rig, [watcher!, focused!, bob!]);
    const all: PresenceEvent[] = [];
    const onlyAlice: PresenceEvent[] = [];
    const bobSaw: PresenceEvent[] = [];
    const collect = () => {
      all.push(...watcher!.presence());
      onlyAlice.push(...focused!.presence());
      bobSaw.push(...bob!.presence());
    };
    const watching = [track(watcher!.watchPresence()), track(focused!.watchPresence(['alice']))];
    await rig.until(() => {
      collect();
      return watching.every((w) => w.settled);
    });
    // The snapshot: everyone online now (watcher, focused, bob) for the watch-all; nobody for the alice watcher.
    expect(watching[0]!.value).toEqual({ online: 3 });
    expect(all.map((e) => `${e.identity}:${e.status}`).sort()).toEqual(['bob:online', 'focused:online', 'watcher:online']);
    expect(watching[1]!.value).toEqual({ online: 0 });
    all.length = 0;

    // Alice connects twice; metadata set in the tick she connects rides on her one online event.
    const [phone, laptop] = [rig.client('alice'), rig.client('alice')];
    rig.system(() => {
      for (const e of rig.server.events())
        if (e.type === 'connected' && rig.server.identityOf(e.connection) === 'alice') rig.server.setPresence('alice', { device: 'phone' });
    });
    phone!.connect();
    await rig.until(() => {
      collect();
      return onlyAlice.length === 1;
    });
    laptop!.connect();
    await rig.until(() => laptop!.state === 'connected');
    for (let i = 0; i < 5; i++) {
      rig.step();
      collect();
    }
    expect(all).toEqual([{ identity: 'alice', status: 'online', metadata: { device: 'phone' } }]);
    expect(onlyAlice).toEqual([{ identity: 'alice', status: 'online', metadata: { device: 'phone' } }]);

    // Metadata changes are announced; the first of two connections leaving is not an offline.
    rig.server.setPresence('alice', { device: 'laptop' });
    phone!.disconnect();
    await rig.until(() => {
      collect();
      return all.length === 2;
    });
    for (let i = 0; i < 5; i++) {
      rig.step();
      collect();
    }
    expect(all[1]).toEqual({ identity: 'alice', status: 'online', metadata: { device: 'laptop' } });
    expect(all).toHaveLength(2);

    laptop!.disconnect();
    await rig.until(() => {
      collect();
      return all.length === 3 && onlyAlice.length === 3;
    });
    expect(all[2]).toEqual({ identity: 'alice', status: 'offline' });
    expect(onlyAlice[2]).toEqual({ identity: 'alice', status: 'offline' });
    // Bob never watched.
    expect(bobSaw).toEqual([]);
  });

  it('watching presence goes through the authorise hook', async () => {
    rig = await startMessagingRig({ messaging: { authorize: (_c, action, target) => action !== 'presence' || target !== '*' } });
    const a = rig.client('a');
    await connectAll(rig, [a]);
    const everyone = track(a.watchPresence());
    const one = track(a.watchPresence(['b']));
    await rig.until(() => everyone.settled && one.settled);
    expect((everyone.error as { code: number }).code).toBe(403);
    expect(one.value).toEqual({ online: 0 });
  });
});
