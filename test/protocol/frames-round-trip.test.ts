import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ByteReader,
  ByteWriter,
  FrameKind,
  PROTOCOL_VERSION,
  ProtocolError,
  decodeHello,
  decodeMismatch,
  decodePong,
  decodeWelcome,
  encodeHello,
  encodeMismatch,
  encodePong,
  encodeWelcome,
  readMessages,
  readTickHeader,
  writeMessages,
  writeTickHeader,
} from '../../engine-plugin/src/protocol';

const token = fc.string({ maxLength: 64 });
const limits = fc
  .record({ maxFrameBytes: fc.integer({ min: 1024, max: 2 ** 40 }), maxMessagesPerFrame: fc.integer({ min: 1, max: 2 ** 31 }) })
  .chain((l) => fc.integer({ min: 1, max: l.maxFrameBytes }).map((maxMessageBytes) => ({ ...l, maxMessageBytes })));
const rates = fc.record({ messagesPerSecond: fc.nat(), messageBurst: fc.nat(), bytesPerSecond: fc.nat(), byteBurst: fc.nat() });

describe('handshake frames round-trip', () => {
  it('Hello', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), token, fc.nat(), limits, (fingerprint, resumeToken, received, limits) => {
        const hello = { version: PROTOCOL_VERSION, fingerprint, resumeToken, received, limits };
        const r = new ByteReader(encodeHello(hello));
        expect(r.u8()).toBe(FrameKind.Hello);
        expect(decodeHello(r)).toEqual(hello);
        expect(r.remaining).toBe(0);
      }),
    );
  });

  it('Welcome', () => {
    fc.assert(
      fc.property(
        fc.record({
          connectionId: fc.nat(),
          tickRate: fc.integer({ min: 1, max: 240 }),
          tick: fc.nat(),
          serverTime: fc.double({ noNaN: true }),
          sessionToken: token,
          resumed: fc.boolean(),
          received: fc.nat(),
          limits,
          rates,
        }),
        (welcome) => {
          const r = new ByteReader(encodeWelcome(welcome));
          expect(r.u8()).toBe(FrameKind.Welcome);
          expect(decodeWelcome(r)).toEqual(welcome);
        },
      ),
    );
  });

  it('Mismatch and Pong', () => {
    const m = { version: 1, fingerprint: 0xdeadbeef, description: ['message chat{text:string(64)}', 'component p{x:f32}'] };
    const r = new ByteReader(encodeMismatch(m));
    expect(r.u8()).toBe(FrameKind.Mismatch);
    expect(decodeMismatch(r)).toEqual(m);
    const p = new ByteReader(encodePong({ echo: 12.5, time: 1.7e12, tick: 99 }));
    expect(p.u8()).toBe(FrameKind.Pong);
    expect(decodePong(p)).toEqual({ echo: 12.5, time: 1.7e12, tick: 99 });
  });
});

describe('Tick frames carry a header and a messages section', () => {
  it('round-trip with sequence numbers', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.nat(),
        fc.nat(),
        fc.nat(),
        fc.array(fc.record({ typeId: fc.nat({ max: 300 }), payload: fc.uint8Array({ maxLength: 40 }) }), { maxLength: 20 }),
        fc.integer({ min: 1, max: 1e9 }),
        (tick, lastInput, ack, inputQueue, messages, firstSeq) => {
          const w = new ByteWriter(8);
          writeTickHeader(w, { tick, lastInput, ack, inputQueue });
          writeMessages(w, messages, firstSeq);
          const r = new ByteReader(w.finish(), 1);
          expect(readTickHeader(r)).toEqual({ tick, lastInput, ack, inputQueue });
          const section = readMessages(r, 100, 1000);
          expect(section.messages.map((m) => ({ typeId: m.typeId, payload: [...m.payload] }))).toEqual(
            messages.map((m) => ({ typeId: m.typeId, payload: [...m.payload] })),
          );
          if (messages.length) expect(section.firstSeq).toBe(firstSeq);
          expect(r.remaining).toBe(0);
        },
      ),
    );
  });

  it('refuses more messages or larger payloads than allowed, with 1009', () => {
    const w = new ByteWriter();
    writeMessages(w, [{ typeId: 1, payload: new Uint8Array(50) }], 1);
    try {
      readMessages(new ByteReader(w.finish()), 10, 49);
      expect.unreachable();
    } catch (error) {
      expect((error as ProtocolError).code).toBe(1009);
    }
    const many = new ByteWriter();
    writeMessages(many, Array.from({ length: 11 }, () => ({ typeId: 0, payload: new Uint8Array(0) })), 1);
    expect(() => readMessages(new ByteReader(many.finish()), 10, 100)).toThrow(/limit 10/);
  });

  it('decoding truncated frames throws ProtocolError at every cut', () => {
    const w = new ByteWriter();
    writeTickHeader(w, { tick: 500, lastInput: 20, ack: 7, inputQueue: 0 });
    writeMessages(w, [{ typeId: 3, payload: new Uint8Array([1, 2, 3]) }], 9);
    const bytes = w.finish();
    for (let cut = 1; cut < bytes.length; cut++) {
      const r = new ByteReader(bytes.subarray(0, cut), 1);
      expect(() => {
        readTickHeader(r);
        readMessages(r, 10, 10);
      }).toThrow(ProtocolError);
    }
  });
});

describe('consecutive messages of one type share their type id', () => {
  const payload = new Uint8Array(64);
  const sectionBytes = (typeIds: number[]) => {
    const w = new ByteWriter();
    writeMessages(
      w,
      typeIds.map((typeId) => ({ typeId, payload })),
      1,
    );
    return w.length;
  };

  it('a batch of one type costs about one byte of framing per message', () => {
    const framing = sectionBytes(Array(1000).fill(5)) - 1000 * 64;
    expect(framing / 1000).toBeLessThan(1.01);
  });

  it('a lone message costs no more than a type id and a length', () => {
    // Section header (count, firstSeq) + a type id and a length per message, as before runs.
    expect(sectionBytes([5, 6, 5, 6]) - 4 * 64).toBe(2 + 4 * 2);
  });

  it('a run that claims more messages than the count, or fewer than two, is malformed', () => {
    const w = new ByteWriter();
    w.varint(2); // two messages
    w.varint(1);
    w.varint(5 * 2 + 1); // a run…
    w.varint(3); // …of three
    expect(() => readMessages(new ByteReader(w.finish()), 10, 100)).toThrow(/overruns/);
    const one = new ByteWriter();
    one.varint(1);
    one.varint(1);
    one.varint(5 * 2 + 1);
    one.varint(1);
    expect(() => readMessages(new ByteReader(one.finish()), 10, 100)).toThrow(/a run of 1/);
  });
});
