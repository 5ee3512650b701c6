import { afterEach, describe, expect, it } from 'vitest';
import { RequestError } from '../../engine-plugin/src/index';
import { Chat, Note } from '../support/messaging-protocol';
import { type MessagingRig, connectAll, startMessagingRig, track } from '../support/messaging-rig';

describe('direct messages go to every connection of an identity', () => {
  let rig: MessagingRig;
  afterEach(() => rig?.close());

  it('reaches both of alice’s connections with the sender’s identity, and nobody else', async () => {
    rig = await startMessagingRig();
    const [alicePhone, aliceLaptop, bob, eve] = [rig.client('alice'), rig.client('alice'), rig.client('bob'), rig.client('eve')];
    await connectAll(rig, [alicePhone!, aliceLaptop!, bob!, eve!]);
    const sent = track(bob!.direct('alice', Chat, { text: 'hi alice' }));
    const got = new Map<string, string[]>();
    const collect = () => {
      for (const [name, client] of [['phone', alicePhone], ['laptop', aliceLaptop], ['bob', bob], ['eve', eve]] as const) {
        const list = got.get(name) ?? [];
        list.push(...client!.directMessages(Chat).map((m) => `${m.from}:${m.data.text}`));
        got.set(name, list);
      }
    };
    await rig.until(() => {
      collect();
      return sent.settled && got.get('phone')!.length === 1 && got.get('laptop')!.length === 1;
    });
    for (let i = 0; i < 3; i++) {
      rig.step();
      collect();
    }
    expect(sent.value).toEqual({ delivered: 2 });
    expect(got.get('phone')).toEqual(['bob:hi alice']);
    expect(got.get('laptop')).toEqual(['bob:hi alice']);
    expect(got.get('bob')).toEqual([]);
    expect(got.get('eve')).toEqual([]);
  });

  it('a direct message to an offline identity fails with 404 naming it; the server’s sendToIdentity counts 0', async () => {
    rig = await startMessagingRig();
    const [bob, carol] = [rig.client('bob'), rig.client('carol')];
    await connectAll(rig, [bob!, carol!]);
    expect(rig.server.sendToIdentity('carol', Note, { text: 'server note' })).toBe(1);
    expect(rig.server.sendToIdentity('dave', Note, { text: 'nobody' })).toBe(0);
    const offline = track(bob!.direct('dave', Chat, { text: 'are you there?' }));
    let notes = 0;
    await rig.until(() => {
      notes += carol!.messages(Note).length;
      return offline.settled && notes === 1;
    });
    expect(offline.error).toBeInstanceOf(RequestError);
    expect((offline.error as RequestError).code).toBe(404);
    expect((offline.error as RequestError).message).toMatch(/identity dave is not connected/);

    // Carol leaves: she is offline now too.
    carol!.disconnect();
    await rig.until(() => rig.server.connection(carol!.id) === undefined);
    const afterLeaving = track(bob!.direct('carol', Chat, { text: 'bye?' }));
    await rig.until(() => afterLeaving.settled);
    expect((afterLeaving.error as RequestError).code).toBe(404);
    expect(rig.server.sendToIdentity('carol', Note, { text: 'gone' })).toBe(0);
  });
});
