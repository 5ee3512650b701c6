import { afterEach, describe, expect, it } from 'vitest';
import { RequestError, topicMatches } from '../../engine-plugin/src/index';
import { Chat } from '../support/messaging-protocol';
import { type MessagingRig, connectAll, startMessagingRig, track } from '../support/messaging-rig';

describe('topics: subscribe with wildcards, publish to every subscriber, acknowledged with the recipient count', () => {
  let rig: MessagingRig;
  afterEach(() => rig?.close());

  it('matches * as one segment and a final ** as one or more', () => {
    expect(topicMatches('chat.*', 'chat.general')).toBe(true);
    expect(topicMatches('chat.*', 'chat')).toBe(false);
    expect(topicMatches('chat.*', 'chat.general.sub')).toBe(false);
    expect(topicMatches('chat.**', 'chat.general.sub')).toBe(true);
    expect(topicMatches('*.general', 'chat.general')).toBe(true);
    expect(topicMatches('chat.general', 'chat.general')).toBe(true);
  });

  it('a publication reaches exact and wildcard subscribers once each, and the publisher learns how many', async () => {
    rig = await startMessagingRig();
    const [all, general, both, none] = [rig.client('all'), rig.client('general'), rig.client('both'), rig.client('none')];
    await connectAll(rig, [all!, general!, both!, none!]);
    const subscribed = [
      track(all!.subscribe('chat.*')),
      track(general!.subscribe('chat.general')),
      track(both!.subscribe(['chat.*', 'chat.general', 'chat.**'])),
      track(none!.subscribe('news.*')),
    ];
    await rig.until(() => subscribed.every((s) => s.settled));
    expect(subscribed[2]!.value).toEqual({ subscribed: ['chat.*', 'chat.general', 'chat.**'], refused: [], active: 3 });

    const sent = track(none!.publish('chat.general', Chat, { text: 'hello' }));
    const got = new Map<string, Array<{ topic: string; from: string | undefined; text: string }>>();
    const collect = () => {
      for (const [name, client] of [['all', all], ['general', general], ['both', both], ['none', none]] as const) {
        const list = got.get(name) ?? [];
        list.push(...client!.publications(Chat).map((p) => ({ topic: p.topic, from: p.from, text: p.data.text })));
        got.set(name, list);
        // Publications are not plain messages.
        expect(client!.messages(Chat)).toHaveLength(0);
      }
    };
    await rig.until(() => {
      collect();
      return sent.settled && got.get('both')!.length > 0;
    });
    for (let i = 0; i < 3; i++) {
      rig.step();
      collect();
    }
    expect(sent.value).toEqual({ recipients: 3 });
    const one = [{ topic: 'chat.general', from: 'none', text: 'hello' }];
    expect(got.get('all')).toEqual(one);
    expect(got.get('general')).toEqual(one);
    expect(got.get('both')).toEqual(one);
    expect(got.get('none')).toEqual([]);

    // Unsubscribing stops delivery; the server publishes too (no `from`).
    const left = track(all!.unsubscribe('chat.*'));
    await rig.until(() => left.settled);
    expect(left.value).toEqual({ unsubscribed: ['chat.*'], active: 0 });
    expect(rig.server.publish('chat.general', Chat, { text: 'from the server' })).toBe(2);
    got.clear();
    await rig.until(() => {
      collect();
      return got.get('general')!.length === 1 && got.get('both')!.length === 1;
    });
    expect(got.get('general')).toEqual([{ topic: 'chat.general', from: undefined, text: 'from the server' }]);
    expect(got.get('all')).toEqual([]);
  });

  it('malformed patterns are refused with 400, subscriptions past maxSubscriptions with 429, publications past the per-tick budget with 429', async () => {
    rig = await startMessagingRig({ settings: { maxSubscriptions: 2, maxPublishesPerTick: 2 } });
    const a = rig.client('a');
    await connectAll(rig, [a]);
    const result = track(a.subscribe(['ok.one', 'bad..topic', 'half*', 'ok.two', 'ok.three']));
    await rig.until(() => result.settled);
    expect(result.value).toEqual({
      subscribed: ['ok.one', 'ok.two'],
      refused: [
        { topic: 'bad..topic', code: 400 },
        { topic: 'half*', code: 400 },
        { topic: 'ok.three', code: 429 },
      ],
      active: 2,
    });
    const wildcardTopic = track(a.publish('ok.*', Chat, { text: 'x' }));
    const burst = [1, 2, 3].map((i) => track(a.publish('ok.one', Chat, { text: `${i}` })));
    await rig.until(() => wildcardTopic.settled && burst.every((b) => b.settled));
    expect((wildcardTopic.error as RequestError).code).toBe(400);
    expect(burst.map((b) => (b.error instanceof RequestError ? b.error.code : b.value?.recipients))).toEqual([1, 429, 429]);
  });
});
