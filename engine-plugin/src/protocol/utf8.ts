/**
 * True when `bytes[from, to)` is well-formed UTF-8 as RFC 3629 defines it: no stray continuation
 * bytes, no overlong forms, no surrogates (U+D800–U+DFFF), nothing past U+10FFFF, no sequence cut
 * off at `to`. Hand-written because decoders that replace bad bytes (MessagePack's among them)
 * give no way to tell, and a TextDecoder per string would cost a call and a copy; ASCII, the
 * common case, costs one compare per byte.
 */
export function isWellFormedUtf8(bytes: Uint8Array, from: number, to: number): boolean {
  let i = from;
  while (i < to) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    if (b < 0xc2) return false; // a continuation byte, or the lead of an overlong 2-byte form
    if (b < 0xe0) {
      if (i + 1 >= to || (bytes[i + 1]! & 0xc0) !== 0x80) return false;
      i += 2;
      continue;
    }
    if (b < 0xf0) {
      if (i + 2 >= to) return false;
      const b1 = bytes[i + 1]!;
      if ((b1 & 0xc0) !== 0x80 || (bytes[i + 2]! & 0xc0) !== 0x80) return false;
      if ((b === 0xe0 && b1 < 0xa0) || (b === 0xed && b1 >= 0xa0)) return false; // overlong; surrogate
      i += 3;
      continue;
    }
    if (b < 0xf5) {
      if (i + 3 >= to) return false;
      const b1 = bytes[i + 1]!;
      if ((b1 & 0xc0) !== 0x80 || (bytes[i + 2]! & 0xc0) !== 0x80 || (bytes[i + 3]! & 0xc0) !== 0x80) return false;
      if ((b === 0xf0 && b1 < 0x90) || (b === 0xf4 && b1 >= 0x90)) return false; // overlong; past U+10FFFF
      i += 4;
      continue;
    }
    return false;
  }
  return true;
}
