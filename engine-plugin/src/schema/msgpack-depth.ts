import { isWellFormedUtf8 } from '../protocol/utf8.js';
import type { Field, Shape } from './fields.js';

/**
 * How deeply a value of this shape nests (a flat record is 1). A payload nested deeper cannot
 * match the schema, so it can be refused before it is decoded.
 */
export function shapeDepth(shape: Shape): number {
  let deepest = 0;
  for (const key in shape) deepest = Math.max(deepest, fieldDepth(shape[key]!));
  return 1 + deepest;
}

function fieldDepth(field: Field): number {
  if (field.kind === 'object') return shapeDepth(field.shape);
  if (field.kind === 'array') return 1 + fieldDepth(field.item);
  return 0;
}

const openLevels: number[] = [];

/** Big-endian reads by hand: a DataView per message cost more than the scan itself. The caller checked the bounds. */
function u16(bytes: Uint8Array, i: number): number {
  return (bytes[i]! << 8) | bytes[i + 1]!;
}

function u32(bytes: Uint8Array, i: number): number {
  return bytes[i]! * 0x1000000 + ((bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!);
}

/** What {@link scanMsgpack} found. */
export const MsgpackScan = {
  /** Nothing wrong before decoding (malformed framing is left to the decoder, which reports it). */
  Ok: 0,
  /** Containers nest deeper than allowed. */
  TooDeep: 1,
  /** A string (value or map key) is not well-formed UTF-8: close 1007, as the spec says. */
  BadUtf8: 2,
} as const;

/** True when the MessagePack bytes nest containers no deeper than `maxDepth` (see {@link scanMsgpack}). */
export function msgpackDepthWithin(bytes: Uint8Array, maxDepth: number): boolean {
  return scanMsgpack(bytes, maxDepth) !== MsgpackScan.TooDeep;
}

/**
 * One linear scan of MessagePack headers, with no allocation, before the bytes are decoded:
 * nesting past `maxDepth`, and strings that are not UTF-8. A nesting bomb (`[[[[…]]]]`, one byte
 * per level) would otherwise cost the decoder a stack frame per byte — about 100 ms for 100 KB —
 * before the schema could refuse it; and the decoder turns bad UTF-8 into replacement characters
 * (or worse, lone surrogates) without a word. Malformed framing returns Ok: the decoder reports it.
 */
export function scanMsgpack(bytes: Uint8Array, maxDepth: number): (typeof MsgpackScan)[keyof typeof MsgpackScan] {
  // Items still to read at each open container level, `open` of them in use. Shared (this runs on every
  // received message and never re-enters) and never shrunk, so a scan allocates nothing.
  const remaining = openLevels;
  let open = 0;
  let pending = 1;
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    while (pending === 0) {
      if (open === 0) return MsgpackScan.Ok;
      pending = remaining[--open]!;
    }
    pending--;
    const b = bytes[i++]!;
    let skip = 0;
    let children = -1;
    // A string's bytes start `header` bytes after `i` and run to `i + skip`.
    let header = -1;
    if (b <= 0x7f || b >= 0xe0 || (b >= 0xc0 && b <= 0xc3)) skip = 0;
    else if (b >= 0x80 && b <= 0x8f) children = (b & 0x0f) * 2;
    else if (b >= 0x90 && b <= 0x9f) children = b & 0x0f;
    else if (b >= 0xa0 && b <= 0xbf) {
      skip = b & 0x1f;
      header = 0;
    } else if (i + 4 > n && b !== 0xcc && b !== 0xd0 && b !== 0xd4 && b !== 0xd9) return MsgpackScan.Ok;
    else {
      switch (b) {
        case 0xd9: if (i >= n) return MsgpackScan.Ok; skip = 1 + bytes[i]!; header = 1; break;
        case 0xda: skip = 2 + u16(bytes, i); header = 2; break;
        case 0xdb: skip = 4 + u32(bytes, i); header = 4; break;
        case 0xc4: skip = 1 + bytes[i]!; break;
        case 0xc5: skip = 2 + u16(bytes, i); break;
        case 0xc6: skip = 4 + u32(bytes, i); break;
        case 0xc7: skip = 2 + bytes[i]!; break;
        case 0xc8: skip = 3 + u16(bytes, i); break;
        case 0xc9: skip = 5 + u32(bytes, i); break;
        case 0xca: case 0xce: case 0xd2: skip = 4; break;
        case 0xcb: case 0xcf: case 0xd3: skip = 8; break;
        case 0xcc: case 0xd0: skip = 1; break;
        case 0xcd: case 0xd1: skip = 2; break;
        case 0xd4: skip = 2; break;
        case 0xd5: skip = 3; break;
        case 0xd6: skip = 5; break;
        case 0xd7: skip = 9; break;
        case 0xd8: skip = 17; break;
        case 0xdc: children = u16(bytes, i); skip = 2; break;
        case 0xdd: children = u32(bytes, i); skip = 4; break;
        case 0xde: children = u16(bytes, i) * 2; skip = 2; break;
        case 0xdf: children = u32(bytes, i) * 2; skip = 4; break;
        default: return MsgpackScan.Ok;
      }
    }
    // A string cut short by the end of the payload is the decoder's to report, not ours.
    if (header >= 0 && i + skip <= n && !isWellFormedUtf8(bytes, i + header, i + skip)) return MsgpackScan.BadUtf8;
    i += skip;
    if (children > 0) {
      if (open + 1 > maxDepth) return MsgpackScan.TooDeep;
      remaining[open++] = pending;
      pending = children;
    } else if (children === 0 && open + 1 > maxDepth) return MsgpackScan.TooDeep;
  }
  return MsgpackScan.Ok;
}
