import { addComponent, addEntity } from 'bitecs';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Networked, PROTOCOL_VERSION } from '../../engine-plugin/src/index';
import { encodeHello } from '../../engine-plugin/src/protocol';
import { Blob, Position, Shout, protocol } from '../support/chat-protocol';
import { type WsRig, startWsRig } from './support/ws-rig';

const HIGH_WATER = 64 * 1024;
const TIMEOUT = 600;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

describe('a client that stops reading', () => {
  let rig: WsRig;
  let slow: WebSocket | undefined;
  afterEach(async () => {
    slow?.terminate();
    await rig?.close();
  });

  it('keeps server memory bounded and the tick time unchanged, is coalesced, then closed 4008 after slowConsumerTimeoutMs', async () => {
    rig = await startWsRig(protocol, {
      settings: { highWaterMark: HIGH_WATER, slowConsumerTimeoutMs: TIMEOUT, idleTimeoutMs: 60_000, heartbeatIntervalMs: 60_000 },
    });
    const world = rig.server.world;
    const eids = Array.from({ length: 50 }, () => {
      const eid = addEntity(world);
      addComponent(world, eid, Position);
      addComponent(world, eid, Networked);
      return eid;
    });
    let t = 0;
    const timedTick = (): number => {
      t++;
      for (const eid of eids) Position.x[eid] = Math.sin(t / 10 + eid) * 100;
      const start = performance.now();
      rig.step();
      return performance.now() - start;
    };
    const healthy = rig.client();
    healthy.connect();
    await rig.until(() => healthy.state === 'connected');
    const before: number[] = [];
    for (let i = 0; i < 40; i++) {
      before.push(timedTick());
      await new Promise((r) => setTimeout(r, 2));
    }

    // A raw ws client: handshake, then stop reading from its TCP socket.
    slow = new WebSocket(`ws://127.0.0.1:${rig.port}/ws`);
    const ws = slow;
    ws.binaryType = 'arraybuffer';
    let welcomed = false;
    ws.on('open', () => ws.send(encodeHello({ version: PROTOCOL_VERSION, fingerprint: protocol.fingerprint, resumeToken: '', received: 0 })));
    ws.on('message', () => {
      welcomed = true;
    });
    await rig.until(() => welcomed);
    const slowId = [...rig.server.connections()].map((c) => c.id).find((id) => id !== healthy.id)!;
    const session = rig.server.endpoint.connections.get(slowId)!;
    ws.pause();

    // Fill its socket with big broadcasts until the server sees it backed up.
    const blob = new Uint8Array(50_000);
    await rig.until(() => {
      if (session.stats.backpressuredTicks === 0) rig.server.broadcast(Blob, { data: blob });
      return session.stats.backpressuredTicks > 0;
    }, 10_000, 2);
    const backedUpAt = performance.now();

    // From here on only state changes: coalesced, never queued.
    const during: number[] = [];
    let maxBuffered = 0;
    let closedCode: number | undefined;
    let closedAfter = 0;
    let healthyChanges = 0;
    while (closedCode === undefined && performance.now() - backedUpAt < TIMEOUT * 5) {
      during.push(timedTick());
      maxBuffered = Math.max(maxBuffered, session.socket?.bufferedAmount ?? 0);
      healthyChanges += healthy.changed().length;
      for (const e of rig.server.events()) {
        if (e.type === 'disconnected' && e.connection.id === slowId) {
          closedCode = e.code;
          closedAfter = performance.now() - backedUpAt;
        }
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(closedCode).toBe(4008);
    expect(closedAfter).toBeGreaterThanOrEqual(TIMEOUT);
    // Memory: nothing is written to a backed-up socket, so its buffer never grows past one frame over the mark.
    expect(maxBuffered).toBeLessThan(HIGH_WATER + 2 * 60_000);
    expect(session.channel.depth).toBeLessThanOrEqual(1);
    // The tick does not wait for the slow client.
    expect(median(during)).toBeLessThan(median(before) * 3 + 1);
    // The healthy client kept receiving state the whole time.
    expect(healthyChanges).toBeGreaterThan(0);
    rig.server.broadcast(Shout, { text: 'still fine', from: 0 });
    await rig.until(() => healthy.messages(Shout).length === 1);
    expect(healthy.state).toBe('connected');
  });
});
