import { describe, expect, it } from 'vitest';
import { ConnectionNotice } from '../../client-demo/src/connection-notice';
import { MatchmakingRequestError } from '../../engine-plugin/src/index';

const URL = 'ws://game.example/ws';

describe('what the player reads about the connection', () => {
  it('says connecting, then nothing once connected', () => {
    const notice = new ConnectionNotice(URL);
    expect(notice.current?.title).toBe('Connecting…');
    notice.handle({ type: 'connected', connectionId: 1, resumed: false });
    expect(notice.current).toBeUndefined();
  });

  it('keeps the protocol-mismatch advice over the 4006 close that follows it', () => {
    const notice = new ConnectionNotice(URL);
    const error = new Error('protocol mismatch with the server: only on the server: component x');
    error.name = 'ProtocolMismatchError';
    notice.handle({ type: 'error', error, code: 4006 });
    notice.handle({ type: 'disconnected', code: 4006, reason: 'protocol mismatch', willRetry: false });
    expect(notice.current?.title).toBe('Version mismatch');
    expect(notice.current?.detail).toMatch(/Reload/);
  });

  it('names a full server with the reason the server gave, and the retry', () => {
    const notice = new ConnectionNotice(URL);
    notice.handle({ type: 'connected', connectionId: 3, resumed: false });
    notice.handle({ type: 'disconnected', code: 4002, reason: 'all 32 player slots are taken', willRetry: true });
    notice.handle({ type: 'reconnecting', attempt: 1, delayMs: 1500 });
    expect(notice.current).toEqual({ title: 'Server full', detail: 'All 32 player slots are taken. Reconnecting in 2 s (attempt 1)…' });
  });

  it('tells "cannot reach" (never connected) from "connection lost" (was connected)', () => {
    const never = new ConnectionNotice(URL);
    never.handle({ type: 'disconnected', code: 1006, reason: 'connection failed', willRetry: false });
    expect(never.current?.title).toBe('Cannot reach the server');
    expect(never.current?.detail).toContain(URL);

    const lost = new ConnectionNotice(URL);
    lost.handle({ type: 'connected', connectionId: 1, resumed: false });
    lost.handle({ type: 'disconnected', code: 1006, reason: 'connection lost', willRetry: true });
    expect(lost.current?.title).toBe('Connection lost');
  });

  it('says the server shut down (4004)', () => {
    const notice = new ConnectionNotice(URL);
    notice.handle({ type: 'connected', connectionId: 1, resumed: false });
    notice.handle({ type: 'disconnected', code: 4004, reason: 'server shutdown', willRetry: true });
    expect(notice.current?.title).toBe('Server shut down');
  });

  it('says the player is moving to another arena on 4011 (its node hands its players over to matchmaking)', () => {
    const notice = new ConnectionNotice(URL);
    notice.handle({ type: 'connected', connectionId: 1, resumed: false });
    notice.handle({ type: 'disconnected', code: 4011, reason: 'node draining', willRetry: true });
    expect(notice.current?.title).toBe('Moving to another arena');
  });

  it('says matchmaking refused rather than "cannot reach" when the server answered without a seat', () => {
    const notice = new ConnectionNotice(URL);
    const error = new MatchmakingRequestError(503, 'unavailable', 'matchmaking refused arena: 503 unavailable', 1000);
    notice.handle({ type: 'error', error });
    notice.handle({ type: 'disconnected', code: 1006, reason: 'matchmaking failed', willRetry: true });
    expect(notice.current?.title).toBe('Matchmaking is busy');
    // The refusal explains only the close it caused.
    notice.handle({ type: 'disconnected', code: 1006, reason: 'connection failed', willRetry: true });
    expect(notice.current?.title).toBe('Cannot reach the server');
  });
});
