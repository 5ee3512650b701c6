import { afterEach, describe, expect, it } from 'vitest';
import { type Connection, type MessagingAction, RequestError } from '../../engine-plugin/src/index';
import { Chat } from '../support/messaging-protocol';
import { type MessagingRig, connectAll, startMessagingRig, track } from '../support/messaging-rig';

describe('the authorise hook decides every subscription', () => {
  let rig: MessagingRig;
  afterEach(() => rig?.close());

  it('an unauthorised subscription is refused with 403 and delivers nothing; an unauthorised publication is refused', async () => {
    const asked: string[] = [];
    const authorize = (connection: Connection, action: MessagingAction, target: string) => {
      const who = (connection.identity as { id: string }).id;
      asked.push(`${who} ${action} ${target}`);
      return !target.startsWith('admin') || who === 'root';
    };
    rig = await startMessagingRig({ messaging: { authorize } });
    const [root, mallory, guest] = [rig.client('root'), rig.client('mallory'), rig.client('guest')];
    await connectAll(rig, [root!, mallory!, guest!]);
    const results = [track(root!.subscribe('admin.*')), track(mallory!.subscribe(['admin.*', 'chat.*'])), track(guest!.subscribe('chat.*'))];
    await rig.until(() => results.every((r) => r.settled));
    expect(results[0]!.value).toEqual({ subscribed: ['admin.*'], refused: [], active: 1 });
    expect(results[1]!.value).toEqual({ subscribed: ['chat.*'], refused: [{ topic: 'admin.*', code: 403 }], active: 1 });
    expect(asked).toContain('mallory subscribe admin.*');

    const secret = track(root!.publish('admin.keys', Chat, { text: 'secret' }));
    const forbidden = track(mallory!.publish('admin.keys', Chat, { text: 'forged' }));
    let malloryGot = 0;
    let guestGot = 0;
    await rig.until(() => {
      malloryGot += mallory!.publications(Chat).length;
      guestGot += guest!.publications(Chat).length;
      return secret.settled && forbidden.settled;
    });
    for (let i = 0; i < 3; i++) {
      rig.step();
      malloryGot += mallory!.publications(Chat).length;
      guestGot += guest!.publications(Chat).length;
    }
    expect(secret.value).toEqual({ recipients: 1 });
    expect(forbidden.error).toBeInstanceOf(RequestError);
    expect((forbidden.error as RequestError).code).toBe(403);
    expect(malloryGot).toBe(0);
    expect(guestGot).toBe(0);
  });
});
