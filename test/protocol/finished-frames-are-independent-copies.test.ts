import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../engine-plugin/src/protocol';

// Small frames are cut from a shared slab (bytes.ts): each must still behave as a copy of its own.
describe('ByteWriter.finish hands out independent copies', () => {
  it('a finished frame keeps its bytes while the writer is reused and other frames are finished', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 0, maxLength: 3000 }), { minLength: 1, maxLength: 40 }), (payloads) => {
        const w = new ByteWriter(16);
        const frames = payloads.map((payload) => {
          w.reset();
          w.bytes(payload);
          const frame = w.finish();
          // The writer's next use overwrites its own buffer, never a frame already handed out.
          w.reset();
          w.bytes(new Uint8Array(payload.length).fill(0xee));
          return frame;
        });
        frames.forEach((frame, i) => {
          expect(frame.byteLength).toBe(payloads[i]!.length);
          expect(Array.from(frame)).toEqual(Array.from(payloads[i]!));
        });
        // Writing into one frame (a transport may mask or patch in place) touches no other frame.
        for (const frame of frames) frame.fill(0x55);
        frames.forEach((frame) => {
          expect(frame.every((b) => b === 0x55)).toBe(true);
        });
      }),
    );
  });

  it('append copies another writer whole, and at reads a written byte', () => {
    const a = new ByteWriter(4);
    const b = new ByteWriter(4);
    for (let i = 0; i < 100; i++) b.u8(i);
    a.u8(7);
    a.append(b);
    expect(a.length).toBe(101);
    expect(a.at(0)).toBe(7);
    expect(a.at(100)).toBe(99);
    expect(Array.from(a.written().subarray(1))).toEqual(Array.from(b.written()));
  });
});
