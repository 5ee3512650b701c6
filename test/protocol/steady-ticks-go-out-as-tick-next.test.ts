import { afterEach, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../engine-plugin/src/index';
import { ByteReader, ByteWriter, FrameKind, type TickHeader, encodeHello, expandTickNext, readMessages, readTickHeader } from '../../engine-plugin/src/protocol';
import { Position, Shout, protocol } from '../support/chat-protocol';
import { spawnNetworked } from '../support/entities';
import { type Rig, openRaw, startRig } from '../support/rig';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/** The binary frames after the Welcome, in arrival order. */
const ticksAfterWelcome = (messages: Array<Uint8Array | string>): Uint8Array[] =>
  messages.filter((m): m is Uint8Array => typeof m !== 'string' && m[0] !== FrameKind.Welcome);

it('a tick after the last one sent, with an unchanged header and no messages, goes out as TickNext: the kind byte, then the state section', async () => {
  rig = await startRig('ws', protocol);
  const eid = spawnNetworked(rig.server.world, 0);
  const raw = openRaw(rig.rawTransport(), (s) => s.send(encodeHello({ version: PROTOCOL_VERSION, fingerprint: protocol.fingerprint, resumeToken: '', received: 0 })));
  // Past the handshake and the first snapshot, the world held still: idle ticks send nothing.
  await rig.until(() => raw.messages.length >= 3);
  for (let i = 0; i < 5; i++) rig.step();
  await new Promise((resolve) => setTimeout(resolve, 20));
  const from = raw.messages.length;
  const { server } = rig;
  const move = async (steps: number) => {
    for (let i = 0; i < steps; i++) {
      Position.x[eid]! += 1;
      rig!.step();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  };
  await move(6);
  server.send([...server.connections()][0]!, Shout, { text: 'hi', from: 7 });
  await move(4);
  // The entity stops: one empty frame says the world held still, then idle ticks send nothing…
  for (let i = 0; i < 5; i++) rig.step();
  // …so the next frame with content is not the tick after the last one sent.
  await move(2);
  await rig.until(() => raw.messages.length - from >= 14, 5000, 2);

  const frames = ticksAfterWelcome(raw.messages.slice(from));
  // T: Tick, N: TickNext. The first frame after idle ticks is a Tick and the steady ticks after it
  // are TickNext; the tick with a message carries the full header and its messages section; after the
  // empty frame that follows the last one with content, ticks were skipped: a full header again.
  const kinds = frames.map((f) => (f[0] === FrameKind.Tick ? 'T' : f[0] === FrameKind.TickNext ? 'N' : `?${f[0]}`)).join('');
  expect(kinds).toMatch(/^TN{5}TN{4}TN+$/);
  const ticks = [...kinds].flatMap((k, i) => (k === 'T' ? [i] : []));
  // Each TickNext stands for the Tick frame of the next tick with the same header and no messages.
  let last: TickHeader | undefined;
  const expander = new ByteWriter(64);
  let messages = 0;
  for (const frame of frames) {
    if (frame[0] === FrameKind.Tick) {
      const r = new ByteReader(frame, 1);
      const header = readTickHeader(r);
      if (last) expect(header.tick).toBeGreaterThan(last.tick);
      messages += readMessages(r, 256, 1 << 16).messages.length;
      last = header;
      continue;
    }
    const full = expandTickNext(frame, last!, expander);
    const r = new ByteReader(full, 1);
    const header = readTickHeader(r);
    expect(header).toEqual({ ...last!, tick: last!.tick + 1 });
    expect(readMessages(r, 256, 1 << 16).messages).toHaveLength(0);
    // The rest of the expanded frame is exactly what followed the kind byte.
    expect([...full.subarray(full.length - (frame.length - 1))]).toEqual([...frame.subarray(1)]);
    last = header;
  }
  // The one message is in the second Tick frame.
  expect(messages).toBe(1);
  const withMessage = new ByteReader(frames[ticks[1]!]!, 1);
  readTickHeader(withMessage);
  expect(readMessages(withMessage, 256, 1 << 16).messages).toHaveLength(1);
  // A moving entity's frames carry state; the frame after it stopped is the kind byte alone.
  expect(frames.filter((f) => f[0] === FrameKind.TickNext && f.length > 1).length).toBeGreaterThanOrEqual(6);
  expect([...frames[ticks[2]! - 1]!]).toEqual([FrameKind.TickNext]);
  expect(raw.closed).toBeUndefined();
});
