import { describe, expect, it } from 'vitest';
import { RequestError } from '../../engine-plugin/src/index';
import { startTestGame } from '../../engine-plugin/src/testing';
import { GetScore, protocol } from '../support/messaging-protocol';

/** The RequestError a client gets when a server system answers `fail(code, reason)`. */
async function refusal(code: number, reason: string): Promise<RequestError> {
  const game = await startTestGame(protocol, {
    system(_world, net) {
      for (const request of net.requests(GetScore)) request.fail(code, reason);
    },
  });
  const client = game.client();
  await game.until(() => client.net.state === 'connected');
  let error: unknown;
  client.net.request(GetScore, { player: 'ann' }).catch((e: unknown) => {
    error = e;
  });
  await game.until(() => error !== undefined);
  await game.close();
  if (!(error instanceof RequestError)) throw new Error(`not a RequestError: ${String(error)}`);
  return error;
}

describe('RequestError.message', () => {
  it('names the request and the code once', async () => {
    const error = await refusal(403, 'no scores for cheaters');
    expect(error.message).toBe('getScore failed with 403: no scores for cheaters');
    expect(error.code).toBe(403);
  });

  it('does not repeat a code the responder already wrote into its reason', async () => {
    const error = await refusal(403, '403 Forbidden');
    expect(error.message).toBe('getScore failed: 403 Forbidden');
    expect(error.message.match(/403/g)).toHaveLength(1);
  });

  it('keeps a close code apart from the request code when the connection drops', async () => {
    const game = await startTestGame(protocol);
    const client = game.client();
    await game.until(() => client.net.state === 'connected');
    let error: unknown;
    client.net.request(GetScore, { player: 'ann' }).catch((e: unknown) => {
      error = e;
    });
    await game.tick();
    client.link!.disconnect();
    await game.until(() => error !== undefined);
    await game.close();
    expect((error as RequestError).message).toMatch(/^getScore failed with 503: the connection closed with close code \d{4}$/);
  });
});
