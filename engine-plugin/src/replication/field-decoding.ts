import type { ByteReader } from '../protocol/bytes.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { FieldArray } from '../schema/component.js';
import { FieldCode, type FieldLayout } from './component-layout.js';
import { getVarintLong, unzigzag } from './raw-bytes.js';

/**
 * Reading field values into the client's authoritative arrays (by server id) and the game's
 * stores (by local id). Two readers with one meaning: {@link readField} checks every read
 * against the end of the section; {@link readFieldsFast} runs when the caller has checked that
 * the record's worst case ({@link readBound} per field) fits, and inlines the one-byte varint.
 * Both validate every value the same way and throw {@link ProtocolError} on the same inputs.
 */

/** One component's decoded values, indexed by server id (see {@link AuthoritativeComponent}). */
export interface FieldTargets {
  readonly values: readonly (FieldArray | string[])[];
  readonly quantized: readonly (Float64Array | undefined)[];
}

/**
 * Store a validated number. One branch per storage kind, so each typed-array store site sees at
 * most two array types and stays fast (a single shared site would go megamorphic).
 */
function storeNumber(f: FieldLayout, values: FieldArray | string[], e: number, local: number, value: number): void {
  switch (f.code) {
    case FieldCode.U8:
    case FieldCode.Bool:
      (values as Uint8Array)[e] = value;
      (f.store as Uint8Array)[local] = value;
      return;
    case FieldCode.I8:
      (values as Int8Array)[e] = value;
      (f.store as Int8Array)[local] = value;
      return;
    case FieldCode.U16:
    case FieldCode.U32:
      (values as Uint16Array | Uint32Array)[e] = value;
      (f.store as Uint16Array | Uint32Array)[local] = value;
      return;
    case FieldCode.I16:
    case FieldCode.I32:
      (values as Int16Array | Int32Array)[e] = value;
      (f.store as Int16Array | Int32Array)[local] = value;
      return;
    case FieldCode.F32:
      (values as Float32Array)[e] = value;
      (f.store as Float32Array)[local] = value;
      return;
    default:
      (values as Float64Array)[e] = value;
      (f.store as Float32Array | Float64Array)[local] = value;
  }
}

function checkRange(f: FieldLayout, value: number): void {
  if (value < f.min || value > f.max) throw new ProtocolError(`${f.name} value ${value} is out of range`);
}

function quantized(f: FieldLayout, qs: Float64Array, e: number, q: number): number {
  if (q < f.minQ || q > f.maxQ) throw new ProtocolError(`${f.name} quantised value ${q} is out of range`);
  qs[e] = q;
  return q * f.step + f.offset;
}

/** Read a bounded string into the authoritative and game stores. */
export function readString(r: ByteReader, f: FieldLayout, values: FieldArray | string[], e: number, local: number): void {
  const text = r.string(f.maxBytes);
  (values as string[])[e] = text;
  (f.store as string[])[local] = text;
}

/** Read one field with the bounds-checked reader. `delta`: quantised values are q deltas. */
export function readField(r: ByteReader, f: FieldLayout, state: FieldTargets, index: number, e: number, local: number, delta: boolean): void {
  const values = state.values[index]!;
  let value: number;
  switch (f.code) {
    case FieldCode.U8:
      value = r.u8();
      break;
    case FieldCode.Bool:
      value = r.u8();
      if (value > 1) throw new ProtocolError(`bool ${f.name} holds ${value}`);
      break;
    case FieldCode.I8:
      value = (r.u8() << 24) >> 24;
      break;
    case FieldCode.U16:
    case FieldCode.U32:
      value = r.varint();
      checkRange(f, value);
      break;
    case FieldCode.I16:
    case FieldCode.I32:
      value = r.zigzag();
      checkRange(f, value);
      break;
    case FieldCode.F32:
      value = r.f32();
      break;
    case FieldCode.F64:
      value = r.f64();
      break;
    case FieldCode.Quantized: {
      const qs = state.quantized[index]!;
      value = quantized(f, qs, e, (delta ? qs[e]! : 0) + r.zigzag());
      break;
    }
    default:
      readString(r, f, values, e, local);
      return;
  }
  storeNumber(f, values, e, local, value);
}

/**
 * Read the update values of the fields in `mask` from `buf` at `pos`, without per-value bounds
 * checks: the caller guarantees the worst case of all of them fits before the section's end.
 * Floats and strings go through `r` (positioned at the value), which is rare and already fast.
 * Returns the position after the last value.
 */
export function readFieldsFast(
  r: ByteReader,
  buf: Uint8Array,
  at: number,
  fields: readonly FieldLayout[],
  state: FieldTargets,
  mask: number,
  e: number,
  local: number,
  out: Float64Array,
): number {
  let pos = at;
  let m = mask;
  while (m !== 0) {
    const fbit = m & -m;
    m ^= fbit;
    const index = 31 - Math.clz32(fbit);
    const f = fields[index]!;
    const values = state.values[index]!;
    const code = f.code;
    let value: number;
    if (code === FieldCode.Quantized || code === FieldCode.U16 || code === FieldCode.U32 || code === FieldCode.I16 || code === FieldCode.I32) {
      let v = buf[pos]!;
      if (v < 0x80) pos++;
      else {
        pos = getVarintLong(buf, pos, out);
        v = out[0]!;
      }
      if (code === FieldCode.Quantized) {
        const qs = state.quantized[index]!;
        value = quantized(f, qs, e, qs[e]! + unzigzag(v));
      } else {
        value = code === FieldCode.U16 || code === FieldCode.U32 ? v : unzigzag(v);
        checkRange(f, value);
      }
    } else if (code === FieldCode.U8 || code === FieldCode.Bool || code === FieldCode.I8) {
      value = buf[pos++]!;
      if (code === FieldCode.I8) value = (value << 24) >> 24;
      else if (code === FieldCode.Bool && value > 1) throw new ProtocolError(`bool ${f.name} holds ${value}`);
    } else {
      r.offset = pos;
      if (code === FieldCode.String) {
        readString(r, f, values, e, local);
        pos = r.offset;
        continue;
      }
      value = code === FieldCode.F32 ? r.f32() : r.f64();
      pos = r.offset;
    }
    storeNumber(f, values, e, local, value);
  }
  return pos;
}
