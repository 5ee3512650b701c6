import { afterEach, describe, expect, it } from 'vitest';
import { type IncomingRequest, RequestError } from '../../engine-plugin/src/index';
import { AskName, Chat, GetScore } from '../support/messaging-protocol';
import { type MessagingRig, connectAll, startMessagingRig, track } from '../support/messaging-rig';

describe('request/response over ws with several clients', () => {
  let rig: MessagingRig;
  afterEach(() => rig?.close());

  it('each client’s request resolves with the reply a server system gave it, and fail() rejects with its code', async () => {
    rig = await startMessagingRig();
    const clients = [rig.client('ann'), rig.client('bob'), rig.client('cy')];
    await connectAll(rig, clients);
    const asked = clients.map((c, i) => track(c.request(GetScore, { player: `p${i}` })));
    const refused = track(clients[1]!.request(GetScore, { player: 'cheater' }));
    const seen: string[] = [];
    await rig.until(() => {
      for (const request of rig.server.requests(GetScore)) {
        seen.push(`${rig.server.identityOf(request.source)}:${request.data.player}`);
        if (request.data.player === 'cheater') request.fail(403, 'no scores for cheaters');
        else request.respond({ score: 100 + Number(request.data.player.slice(1)) });
        // Answered once: a second answer is refused.
        expect(request.respond({ score: 0 })).toBe(false);
      }
      // Requests are not plain messages.
      expect(rig.server.messages(Chat)).toHaveLength(0);
      return asked.every((a) => a.settled) && refused.settled;
    });
    expect(seen.sort()).toEqual(['ann:p0', 'bob:cheater', 'bob:p1', 'cy:p2']);
    expect(asked.map((a) => a.value)).toEqual([{ score: 100 }, { score: 101 }, { score: 102 }]);
    expect(refused.error).toBeInstanceOf(RequestError);
    expect((refused.error as RequestError).code).toBe(403);
    expect((refused.error as RequestError).message).toContain('no scores for cheaters');
  });

  it('a server system may answer a later tick, after asynchronous work', async () => {
    rig = await startMessagingRig();
    const [a] = [rig.client('ann')];
    await connectAll(rig, [a!]);
    const reply = track(a!.request(GetScore, { player: 'slow' }));
    const held: IncomingRequest<{ player: string }, { score: number }>[] = [];
    await rig.until(() => {
      held.push(...rig.server.requests(GetScore));
      return held.length === 1;
    });
    for (let i = 0; i < 5; i++) rig.step();
    expect(reply.settled).toBe(false);
    held[0]!.respond({ score: 7 });
    await rig.until(() => reply.settled);
    expect(reply.value).toEqual({ score: 7 });
  });

  it('the server asks clients and each answers from its own frame', async () => {
    rig = await startMessagingRig();
    const clients = [rig.client('ann'), rig.client('bob')];
    await connectAll(rig, clients);
    const answers = clients.map((c) => track(rig.server.request(rig.server.connection(c.id)!, AskName, { why: 'roll call' })));
    await rig.until(() => {
      clients.forEach((c, i) => {
        for (const request of c.requests(AskName)) {
          expect(request.data.why).toBe('roll call');
          if (i === 0) request.respond({ name: 'Ann' });
          else request.fail(404, 'I have no name');
        }
      });
      return answers.every((a) => a.settled);
    });
    expect(answers[0]!.value).toEqual({ name: 'Ann' });
    expect((answers[1]!.error as RequestError).code).toBe(404);
  });
});
