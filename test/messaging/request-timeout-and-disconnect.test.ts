import { afterEach, describe, expect, it } from 'vitest';
import { RequestError } from '../../engine-plugin/src/index';
import { AskName, GetScore } from '../support/messaging-protocol';
import { type MessagingRig, connectAll, startMessagingRig, track } from '../support/messaging-rig';

const code = (state: { error?: unknown }) => (state.error instanceof RequestError ? state.error.code : undefined);

describe('outstanding requests are bounded and never hang', () => {
  let rig: MessagingRig;
  afterEach(() => rig?.close());

  it('a request nobody answers rejects with 408 after its timeout, while another client’s is answered', async () => {
    rig = await startMessagingRig();
    const [ignored, answered] = [rig.client('ann'), rig.client('bob')];
    await connectAll(rig, [ignored!, answered!]);
    const started = Date.now();
    const lost = track(ignored!.request(GetScore, { player: 'ignore me' }, { timeout: 300 }));
    const fine = track(answered!.request(GetScore, { player: 'me' }, { timeout: 300 }));
    await rig.until(() => {
      for (const r of rig.server.requests(GetScore)) if (r.data.player === 'me') r.respond({ score: 1 });
      return lost.settled && fine.settled;
    });
    expect(fine.value).toEqual({ score: 1 });
    expect(code(lost)).toBe(408);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(ignored!.messaging.pendingRequests).toBe(0);
  });

  it('past maxPendingRequests a request is refused at once with 429', async () => {
    rig = await startMessagingRig();
    const a = rig.client('ann', { settings: { maxPendingRequests: 2 } });
    await connectAll(rig, [a]);
    const first = [track(a.request(GetScore, { player: '1' })), track(a.request(GetScore, { player: '2' }))];
    const third = track(a.request(GetScore, { player: '3' }));
    await Promise.resolve();
    await Promise.resolve();
    expect(code(third)).toBe(429);
    expect(first.every((f) => !f.settled)).toBe(true);
  });

  it('a client’s outstanding requests reject with 503 when its connection is closed', async () => {
    rig = await startMessagingRig();
    const [a, b] = [rig.client('ann'), rig.client('bob')];
    await connectAll(rig, [a!, b!]);
    const pending = [track(a!.request(GetScore, { player: 'x' })), track(a!.request(GetScore, { player: 'y' }))];
    const other = track(b!.request(GetScore, { player: 'z' }, { timeout: 60_000 }));
    await rig.until(() => rig.server.requests(GetScore).length > 0);
    rig.server.disconnect(rig.server.connection(a!.id)!);
    await rig.until(() => pending.every((p) => p.settled));
    expect(pending.map(code)).toEqual([503, 503]);
    expect(other.settled).toBe(false);
  });

  it('a server request to a client that never answers times out; to one that drops, rejects with 503', async () => {
    rig = await startMessagingRig();
    const [silent, leaving] = [rig.client('ann'), rig.client('bob')];
    await connectAll(rig, [silent!, leaving!]);
    const toSilent = track(rig.server.request(rig.server.connection(silent!.id)!, AskName, { why: 'x' }, { timeout: 200 }));
    const toLeaving = track(rig.server.request(rig.server.connection(leaving!.id)!, AskName, { why: 'y' }, { timeout: 60_000 }));
    await rig.until(() => leaving!.requests(AskName).length === 1);
    leaving!.disconnect();
    await rig.until(() => toSilent.settled && toLeaving.settled);
    expect(code(toSilent)).toBe(408);
    expect(code(toLeaving)).toBe(503);
    const late = track(rig.server.request(rig.server.connection(silent!.id)!, AskName, { why: 'z' }));
    const connection = rig.server.connection(silent!.id)!;
    silent!.disconnect();
    await rig.until(() => late.settled);
    expect(code(late)).toBe(503);
    // Asking a connection that is gone rejects at once.
    const gone = track(rig.server.request(connection, AskName, { why: 'again' }));
    await Promise.resolve();
    await Promise.resolve();
    expect(code(gone)).toBe(503);
  });
});
