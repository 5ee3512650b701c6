/**
 * `matchmakeOverHttp` as a client's `matchmake`: the client asks the server's matchmaking endpoint
 * for a seat over real HTTP and dials the seat over a real WebSocket (127.0.0.1). A server without
 * matchmaking is joined without a seat; a refusal is a failed attempt, and the next one waits for
 * the reconnect backoff instead of asking again at once.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWorld } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ClientEvent,
  CloseCode,
  type Matchmake,
  MatchmakingRequestError,
  type NetworkClient,
  type BackoffOptions,
  cloneProtocol,
  createClient,
  matchmakeOverHttp,
  silentLogger,
} from '../../engine-plugin/src/index';
import { nodeWebSocketClient } from '../../engine-plugin/src/node';
import { type MatchmakingRig, startMatchmakingRig } from '../support/matchmaking-rig';
import { protocol } from '../support/messaging-protocol';
import { stepServerAndClients, stepUntil } from '../support/rig';

/** Every backoff delay 60 ms exactly: retries are countable in a window. */
const STEADY_60_MS: BackoffOptions = { initialMs: 60, maxMs: 60, jitter: 0 };

/** What a client's `matchmake` was asked and what came of it, with `performance.now()` times. */
interface MatchmakeLog {
  readonly calls: number[];
  readonly outcomes: Array<{ readonly value?: unknown; readonly error?: unknown }>;
}

/** `matchmake` wrapped to log its calls (the requests it makes: one each). */
function logged(matchmake: Matchmake): { readonly matchmake: Matchmake; readonly log: MatchmakeLog } {
  const log: MatchmakeLog = { calls: [], outcomes: [] };
  return {
    log,
    matchmake: async (attempt) => {
      log.calls.push(performance.now());
      try {
        const value = await matchmake(attempt);
        log.outcomes.push({ value });
        return value;
      } catch (error) {
        log.outcomes.push({ error });
        throw error;
      }
    },
  };
}

describe('a client finds its room through matchmakeOverHttp', () => {
  let rig: MatchmakingRig | undefined;
  let front: Server | undefined;
  const clients: NetworkClient[] = [];
  const events: ClientEvent[] = [];

  afterEach(async () => {
    for (const client of clients) client.disconnect();
    clients.length = 0;
    events.length = 0;
    if (front) await new Promise<void>((resolve) => front!.close(() => resolve()));
    front = undefined;
    await rig?.close();
    rig = undefined;
  });

  function client(transportUrl: string, matchmake: Matchmake, reconnect: BackoffOptions = STEADY_60_MS): NetworkClient {
    // Its own stores: a client sharing the server's typed arrays would write into the server's state.
    const c = createClient(createWorld(), cloneProtocol(protocol).protocol, {
      transport: nodeWebSocketClient(transportUrl),
      logger: silentLogger,
      reconnect,
      matchmake,
    });
    clients.push(c);
    return c;
  }

  function step(): void {
    stepServerAndClients(rig!.server, clients);
    for (const c of clients) events.push(...c.events());
  }

  it('the seat it is given over HTTP joins the room the seat is for (the transport URL is never dialed)', async () => {
    rig = await startMatchmakingRig([['arena', { maxClients: 4, filterBy: ['mode'] }]], { server: { matchmaking: { requireSeat: true } } });
    const { matchmake, log } = logged(matchmakeOverHttp(`ws://127.0.0.1:${rig.port}/ws`, 'arena', { roomOptions: { mode: 'ranked' } }));
    const player = client('ws://127.0.0.1:1/unused', matchmake);
    player.connect();
    await stepUntil(step, () => player.state === 'connected');

    const [room, ...others] = await rig.server.matchmaker.listRooms('arena', { filter: { mode: 'ranked' } });
    expect(others).toEqual([]);
    expect(room!.clients).toBe(1);
    expect(player.connection.seat?.room?.roomId).toBe(room!.roomId);
    expect(rig.server.matchmaker.room(room!.roomId)!.connections.size).toBe(1);
    expect(log.calls).toHaveLength(1);
  });

  it('a server without matchmaking (404 on the path) resolves undefined: the client joins at its transport URL without a seat', async () => {
    rig = await startMatchmakingRig([['arena', {}]], { endpoint: false });
    const { matchmake, log } = logged(matchmakeOverHttp(`ws://127.0.0.1:${rig.port}/ws`, 'arena'));
    const player = client(`ws://127.0.0.1:${rig.port}/ws`, matchmake);
    player.connect();
    await stepUntil(step, () => player.state === 'connected');

    expect(log.outcomes).toEqual([{ value: undefined }]);
    expect(player.connection.seat).toBeUndefined();
    expect([...rig.server.matchmaker.rooms()]).toEqual([]);
    expect([...rig.server.connections()]).toHaveLength(1);
  });

  it('an unknown room type is a MatchmakingRequestError 404 unknown-type, and each retry waits for the backoff', async () => {
    rig = await startMatchmakingRig([['arena', {}]]);
    const { matchmake, log } = logged(matchmakeOverHttp(`ws://127.0.0.1:${rig.port}/ws`, 'no-such-type'));
    const player = client(`ws://127.0.0.1:${rig.port}/ws`, matchmake);
    const started = performance.now();
    player.connect();
    await stepUntil(step, () => log.calls.length >= 4 && performance.now() - started >= 400);

    // 60 ms apart: at most 0, 60, …, 360 ms in the first 400 ms; asking again at once made 145.
    expect(log.calls.filter((at) => at - started < 400).length).toBeLessThanOrEqual(7);
    for (let i = 1; i < log.calls.length; i++) expect(log.calls[i]! - log.calls[i - 1]!).toBeGreaterThanOrEqual(55);
    for (const outcome of log.outcomes) {
      expect(outcome.error).toBeInstanceOf(MatchmakingRequestError);
      expect(outcome.error).toMatchObject({ status: 404, failure: 'unknown-type' });
    }
    expect(events.some((e) => e.type === 'error' && e.error instanceof MatchmakingRequestError && e.error.failure === 'unknown-type')).toBe(true);
    const delays = events.flatMap((e) => (e.type === 'reconnecting' ? [e.delayMs] : []));
    expect(delays.length).toBeGreaterThan(0);
    expect(delays.every((d) => d === 60)).toBe(true);
    expect(player.state).not.toBe('connected');
    expect([...rig.server.connections()]).toEqual([]);
  });

  it('a front server answering 503 twice: the requests are a backoff apart, then the client joins with the seat', async () => {
    rig = await startMatchmakingRig([['arena', {}]], { server: { matchmaking: { requireSeat: true } } });
    const behind = `http://127.0.0.1:${rig.port}`;
    const asked: number[] = [];
    front = createHttpServer((request: IncomingMessage, response: ServerResponse) => {
      asked.push(performance.now());
      if (asked.length <= 2) {
        response.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '1' });
        response.end(JSON.stringify({ error: 'matchmaking is busy', failure: 'unavailable' }));
        return;
      }
      // The third one is passed on to the real endpoint, and its answer back.
      request.resume();
      void fetch(`${behind}${request.url}`, { method: 'POST', body: '' }).then(async (answer) => {
        response.writeHead(answer.status, { 'Content-Type': 'application/json' });
        response.end(await answer.text());
      });
    });
    await new Promise<void>((resolve) => front!.listen(0, '127.0.0.1', resolve));
    const frontPort = (front.address() as AddressInfo).port;
    const { matchmake, log } = logged(matchmakeOverHttp(`ws://127.0.0.1:${frontPort}/ws`, 'arena'));
    const player = client('ws://127.0.0.1:1/unused', matchmake);
    player.connect();
    await stepUntil(step, () => player.state === 'connected');

    expect(asked).toHaveLength(3);
    expect(asked[1]! - asked[0]!).toBeGreaterThanOrEqual(55);
    expect(asked[2]! - asked[1]!).toBeGreaterThanOrEqual(55);
    expect(log.outcomes[0]!.error).toMatchObject({ status: 503, failure: 'unavailable', retryAfterMs: 1000 });
    expect(log.outcomes[1]!.error).toBeInstanceOf(MatchmakingRequestError);
    const [room] = await rig.server.matchmaker.listRooms('arena');
    expect(player.connection.seat?.room?.roomId).toBe(room!.roomId);
    expect(room!.clients).toBe(1);
  });

  it('after a seat whose node does not answer, the next request names that address (?unreachable=); a Welcome clears it', async () => {
    rig = await startMatchmakingRig([['arena', {}]], { server: { matchmaking: { requireSeat: true } } });
    const behind = `http://127.0.0.1:${rig.port}`;
    // A port nobody listens on: a node that died with its rooms still listed.
    const dead = await new Promise<number>((resolve) => {
      const probe = createHttpServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const deadAddress = `ws://127.0.0.1:${dead}/ws`;
    const asked: string[] = [];
    front = createHttpServer((request: IncomingMessage, response: ServerResponse) => {
      asked.push(request.url ?? '');
      request.resume();
      if (asked.length === 1) {
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ address: deadAddress, seat: 'room.secret' }));
        return;
      }
      void fetch(`${behind}${request.url}`, { method: 'POST', body: '' }).then(async (answer) => {
        response.writeHead(answer.status, { 'Content-Type': 'application/json' });
        response.end(await answer.text());
      });
    });
    await new Promise<void>((resolve) => front!.listen(0, '127.0.0.1', resolve));
    const frontPort = (front.address() as AddressInfo).port;
    const attempts: Array<{ reason: string; unreachable?: string }> = [];
    const overHttp = matchmakeOverHttp(`ws://127.0.0.1:${frontPort}/ws`, 'arena');
    const player = client('ws://127.0.0.1:1/unused', (attempt) => {
      attempts.push({ reason: attempt.reason, ...(attempt.unreachable === undefined ? {} : { unreachable: attempt.unreachable }) });
      return overHttp(attempt);
    });
    player.connect();
    await stepUntil(step, () => player.state === 'connected');

    expect(attempts).toEqual([{ reason: 'first' }, { reason: 'retry', unreachable: deadAddress }]);
    expect(asked).toEqual(['/matchmake/joinOrCreate/arena', `/matchmake/joinOrCreate/arena?unreachable=${encodeURIComponent(deadAddress)}`]);
    expect(player.connection.seat?.address).toBe(`ws://127.0.0.1:${rig.port}/ws`);

    // Welcomed: the next matchmaking (a 4011 from the server) names nothing.
    const [connection] = rig.server.connections();
    rig.server.disconnect(connection!, CloseCode.Rematchmake, 'rematchmake');
    await stepUntil(step, () => attempts.length === 3 && player.state === 'connected');
    expect(attempts[2]).toEqual({ reason: 'rematchmake' });
    expect(asked[2]).toBe('/matchmake/joinOrCreate/arena');
  });
});
