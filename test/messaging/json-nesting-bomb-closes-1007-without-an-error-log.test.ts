import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../engine-plugin/src/index';
import { Chat } from '../support/messaging-protocol';
import { type MessagingRig, startMessagingRig } from '../support/messaging-rig';

describe('a JSON message nested 5,000 deep', () => {
  let rig: MessagingRig;
  afterEach(() => rig?.close());

  it('closes that peer with 1007, logs no error and at most one warning, and others carry on', async () => {
    const logged: Array<{ level: string; message: string }> = [];
    const record = (level: string) => (message: string) => logged.push({ level, message });
    const logger: Logger = { debug: () => {}, info: record('info'), warn: record('warn'), error: record('error') };
    rig = await startMessagingRig({ logger });
    const [bomb, good] = [rig.json(), rig.json()];
    for (const peer of [bomb!, good!]) {
      await rig.until(() => peer.opened);
      peer.send({ type: 'tickwire.hello' });
      await rig.until(() => peer.of('tickwire.welcome').length === 1);
    }
    bomb!.send(`{"type":"chat","data":{"text":"x","deep":${'['.repeat(5000)}${']'.repeat(5000)}}}`);
    await rig.until(() => bomb!.closed !== undefined);
    expect(bomb!.closed!.code).toBe(1007);
    expect(logged.filter((l) => l.level === 'error')).toEqual([]);
    expect(logged.filter((l) => l.level === 'warn').length).toBeLessThanOrEqual(1);
    good!.send({ type: 'chat', data: { text: 'still fine' } });
    await rig.until(() => rig.server.messages(Chat).length === 1);
    expect(good!.closed).toBeUndefined();
  });
});
