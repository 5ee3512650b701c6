import { afterEach, describe, expect, it } from 'vitest';
import { AuthStatusMessage, type Connection, ErrorMessage, RefreshTokenMessage } from '../../engine-plugin/src/index';
import { Chat, protocol } from '../support/chat-protocol';
import { type ManualRig, startManualRig } from './support/manual-rig';

/** Tokens in this test are `<subject>:<lifetime ms>`; the verifier turns them into identities that expire. */
function identityFor(token: string, now: number): { subject: string; expiresAt: number } | undefined {
  const [subject, lifetime] = token.split(':');
  if (!subject || !lifetime || subject === 'bad') return undefined;
  return { subject, expiresAt: now + Number(lifetime) };
}

describe('token expiry: warned, refreshed in-band, or closed with 4001', () => {
  let rig: ManualRig;
  afterEach(() => rig?.close());

  async function start(): Promise<ManualRig> {
    let clockRef: ManualRig['clock'] | undefined;
    rig = await startManualRig(protocol, {
      settings: { tokenWarningMs: 1000, heartbeatIntervalMs: 500, idleTimeoutMs: 60_000 },
      authenticate: (request) => identityFor(new URLSearchParams(request.url.split('?')[1]).get('token') ?? '', clockRef!.wallTime()),
      verifyToken: (token) => identityFor(token, clockRef!.wallTime()),
    });
    clockRef = rig.clock;
    return rig;
  }

  it('warns token_expiring ahead of expiry, accepts a refresh, then closes 4001 when the new token lapses', async () => {
    await start();
    const client = rig.client({}, { url: '/ws?token=alice:5000' });
    client.connect();
    await rig.stepUntil(() => client.state === 'connected');
    const connectedAt = rig.clock.wallTime();
    const session = rig.server.connection(client.id)!;
    const firstExpiry = (session.identity as { expiresAt: number }).expiresAt;
    expect(session.identity).toMatchObject({ subject: 'alice' });
    expect(firstExpiry).toBeGreaterThan(connectedAt + 4800);
    expect(firstExpiry).toBeLessThanOrEqual(connectedAt + 5000);

    const statuses: Array<{ status: string; expiresAt: number }> = [];
    const collect = () => statuses.push(...client.messages(AuthStatusMessage));
    await rig.stepUntil(() => {
      collect();
      return statuses.length > 0;
    });
    expect(statuses[0]!.status).toBe('token_expiring');
    expect(statuses[0]!.expiresAt).toBe(firstExpiry);
    // Warned tokenWarningMs ahead, not earlier.
    expect(rig.clock.wallTime()).toBeGreaterThanOrEqual(firstExpiry - 1000);

    client.send(RefreshTokenMessage, { token: 'alice:10000' });
    await rig.stepUntil(() => {
      collect();
      return statuses.some((s) => s.status === 'token_refreshed');
    });
    const refreshedAt = rig.clock.wallTime();
    // The refresh never reaches game code: credentials are the connection layer's.
    expect(rig.server.messages(RefreshTokenMessage)).toHaveLength(0);
    expect((session.identity as { expiresAt: number }).expiresAt).toBeGreaterThan(firstExpiry);

    // Past the first token's expiry: still connected and talking.
    await rig.stepUntil(() => rig.clock.wallTime() > connectedAt + 6000);
    expect(client.state).toBe('connected');
    client.send(Chat, { text: 'still here' });
    await rig.stepUntil(() => rig.server.messages(Chat).length === 1);

    const closes: number[] = [];
    await rig.stepUntil(() => {
      for (const e of rig.server.events()) if (e.type === 'disconnected') closes.push(e.code);
      return closes.length > 0 && client.state === 'closed';
    }, 2000);
    expect(closes).toEqual([4001]);
    expect(rig.clock.wallTime()).toBeGreaterThanOrEqual(refreshedAt + 9000);
    const ended = client.events().find((e) => e.type === 'disconnected') as { code: number } | undefined;
    expect(ended?.code ?? 4001).toBe(4001);
    expect(rig.server.endpoint.tokenExpiry.size).toBe(0);
  });

  it('refuses a bad refresh with error 401 and a token for another subject with 403; the connection still expires', async () => {
    await start();
    const client = rig.client({}, { url: '/ws?token=bob:3000' });
    client.connect();
    await rig.stepUntil(() => client.state === 'connected');
    const errors: Array<{ code: number; about?: string }> = [];
    const collect = () => errors.push(...client.messages(ErrorMessage));
    client.send(RefreshTokenMessage, { token: 'bad:99999' });
    await rig.stepUntil(() => {
      collect();
      return errors.length === 1;
    });
    expect(errors[0]).toMatchObject({ code: 401, about: 'tickwire.refreshToken' });
    client.send(RefreshTokenMessage, { token: 'mallory:99999' });
    await rig.stepUntil(() => {
      collect();
      return errors.length === 2;
    });
    expect(errors[1]).toMatchObject({ code: 403 });
    expect((rig.server.connection(client.id) as Connection).identity).toMatchObject({ subject: 'bob' });
    const closes: number[] = [];
    await rig.stepUntil(() => {
      for (const e of rig.server.events()) if (e.type === 'disconnected') closes.push(e.code);
      return closes.length > 0;
    });
    expect(closes).toEqual([4001]);
  });

  it('does not track connections whose identity has no expiry', async () => {
    rig = await startManualRig(protocol, { authenticate: () => ({ subject: 'eve' }) });
    const client = rig.client();
    client.connect();
    await rig.stepUntil(() => client.state === 'connected');
    expect(rig.server.endpoint.tokenExpiry.size).toBe(0);
    for (let i = 0; i < 100; i++) rig.step(100);
    expect(client.state).toBe('connected');
  });
});
