import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, ProtocolError } from '../../engine-plugin/src/protocol';

describe('varints and fixed-width values round-trip', () => {
  it('unsigned varints up to 2^53 - 1', () => {
    fc.assert(
      fc.property(fc.array(fc.maxSafeNat()), (values) => {
        const w = new ByteWriter(1);
        for (const v of values) w.varint(v);
        const r = new ByteReader(w.finish());
        for (const v of values) expect(r.varint()).toBe(v);
        expect(r.remaining).toBe(0);
      }),
    );
  });

  it('zigzag keeps small magnitudes of either sign in one byte', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), (v) => {
        const w = new ByteWriter(1);
        w.zigzag(v);
        expect(new ByteReader(w.finish()).zigzag()).toBe(v);
      }),
    );
    for (const v of [-64, -1, 0, 1, 63]) {
      const w = new ByteWriter();
      w.zigzag(v);
      expect(w.length).toBe(1);
    }
  });

  it('f32, f64, u32 and strings', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), fc.float({ noNaN: true }), fc.nat({ max: 0xffffffff }), fc.string(), (d, f, u, s) => {
        const w = new ByteWriter(2);
        w.f64(d);
        w.f32(f);
        w.u32(u);
        w.string(s);
        const r = new ByteReader(w.finish());
        expect(r.f64()).toBe(d);
        expect(r.f32()).toBe(f);
        expect(r.u32()).toBe(u);
        expect(r.string(1 << 20)).toBe(s);
      }),
    );
  });
});

describe('the reader refuses what it cannot trust', () => {
  it('throws ProtocolError on every truncation, never reads past the end', () => {
    fc.assert(
      fc.property(fc.array(fc.maxSafeNat(), { minLength: 1 }), (values) => {
        const w = new ByteWriter();
        for (const v of values) w.varint(v);
        w.f64(1.5);
        const bytes = w.finish();
        const cut = bytes.subarray(0, bytes.length - 1);
        const r = new ByteReader(cut);
        expect(() => {
          for (const _ of values) r.varint();
          r.f64();
        }).toThrow(ProtocolError);
      }),
    );
  });

  it('rejects a varint longer than 8 bytes', () => {
    const r = new ByteReader(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    expect(() => r.varint()).toThrow(/longer than 8 bytes/);
  });

  it('rejects a string whose length exceeds its limit or the frame', () => {
    const w = new ByteWriter();
    w.varint(1000);
    w.bytes(new Uint8Array(10));
    expect(() => new ByteReader(w.finish()).string(100)).toThrow(/over its limit/);
    expect(() => new ByteReader(w.finish()).string(5000)).toThrow(/truncated/);
  });

  it('rejects invalid UTF-8 with 1007', () => {
    const r = new ByteReader(new Uint8Array([2, 0xc3, 0x28]));
    try {
      r.string();
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as ProtocolError).code).toBe(1007);
    }
  });

  it('never throws anything but ProtocolError on random garbage', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const r = new ByteReader(bytes);
        try {
          while (r.remaining > 0) {
            r.varint();
            r.string(32);
          }
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
      }),
    );
  });
});
