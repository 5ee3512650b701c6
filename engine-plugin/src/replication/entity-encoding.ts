import type { ByteWriter } from '../protocol/bytes.js';
import type { FieldArray } from '../schema/component.js';
import type { ComponentShadow } from './change-detection.js';
import { FieldCode } from './component-layout.js';
import { putBoundedString, putF32, putF64, putVarint, putZigzag } from './raw-bytes.js';

/**
 * Entity record bodies, written once per tick per entity and copied to every client that needs
 * them. Byte layouts are specified in docs/protocol.md, "State section".
 *
 * Each record reserves its worst-case size once (known from the layout) and then writes raw
 * bytes, so the per-value cost is a store and an increment, not a capacity check per call.
 * The buffers are reused every tick, so a second measuring pass (nengi 2 writes snapshots that
 * way into fresh exact-size buffers) would buy nothing here: the steady state allocates nothing.
 */

/** Up to this many fields in an entity's present components, an update carries one combined field mask. */
export const COMPACT_MASK_FIELDS = 31;

/** Worst-case bytes of an id gap or a 32-bit mask as a varint. */
const VARINT32 = 5;

/** Write one field's absolute sent value (quantised fields: the integer q) at `pos`. */
function putAbsolute(buf: Uint8Array, pos: number, code: number, sent: FieldArray | string[], shadow: ComponentShadow, index: number, eid: number): number {
  switch (code) {
    case FieldCode.U8:
      buf[pos] = (sent as Uint8Array)[eid]!;
      return pos + 1;
    case FieldCode.Bool:
      buf[pos] = (sent as Uint8Array)[eid]! === 0 ? 0 : 1;
      return pos + 1;
    case FieldCode.I8:
      buf[pos] = (sent as Int8Array)[eid]! & 0xff;
      return pos + 1;
    case FieldCode.U16:
    case FieldCode.U32:
      return putVarint(buf, pos, (sent as Uint16Array | Uint32Array)[eid]!);
    case FieldCode.I16:
    case FieldCode.I32:
      return putZigzag(buf, pos, (sent as Int16Array | Int32Array)[eid]!);
    case FieldCode.Quantized:
      return putZigzag(buf, pos, (sent as Float64Array)[eid]!);
    case FieldCode.F32:
      return putF32(buf, pos, (sent as Float32Array)[eid]!);
    case FieldCode.F64:
      return putF64(buf, pos, (sent as Float64Array)[eid]!);
    default:
      return putBoundedString(buf, pos, (sent as string[])[eid] ?? '', shadow.layout.fields[index]!.maxBytes);
  }
}

/**
 * A full record body: the component mask, then every field of every present component as an
 * absolute value. Used for spawns, snapshots, catch-up and structural changes; it also resets the
 * client's quantisation baselines.
 */
export function writeFullBody(w: ByteWriter, eid: number, componentMask: number, shadows: readonly ComponentShadow[]): void {
  let bound = VARINT32;
  let bits = componentMask | 0;
  while (bits !== 0) {
    const low = bits & -bits;
    bits ^= low;
    bound += shadows[31 - Math.clz32(low)]!.fullBound;
  }
  const buf = w.ensure(bound);
  let pos = putVarint(buf, w.length, componentMask >>> 0);
  bits = componentMask | 0;
  while (bits !== 0) {
    const low = bits & -bits;
    bits ^= low;
    const shadow = shadows[31 - Math.clz32(low)]!;
    const { codes, sent } = shadow;
    for (let i = 0; i < codes.length; i++) pos = putAbsolute(buf, pos, codes[i]!, sent[i]!, shadow, i, eid);
  }
  w.length = pos;
}

/** Write the changed fields of one component (clearing its changed mask); quantised ones as q deltas. */
function putChangedFields(buf: Uint8Array, pos: number, shadow: ComponentShadow, eid: number): number {
  const compiled = shadow.writeChanged;
  if (compiled !== undefined) return compiled.run(compiled.context, buf, pos, eid);
  const { codes, sent, delta } = shadow;
  let mask = shadow.changed[eid]! | 0;
  shadow.changed[eid] = 0;
  let p = pos;
  while (mask !== 0) {
    const fbit = mask & -mask;
    mask ^= fbit;
    const index = 31 - Math.clz32(fbit);
    const code = codes[index]!;
    if (code === FieldCode.Quantized) p = putZigzag(buf, p, delta[index]![eid]!);
    else p = putAbsolute(buf, p, code, sent[index]!, shadow, index, eid);
  }
  return p;
}

/** Worst-case bytes of one update record's id gap and mask(s) beyond its components' {@link ComponentShadow.updateBound}s. */
export const UPDATE_HEADER_BOUND = 2 * VARINT32;

/**
 * Write one update record at `pos` of `buf` (the caller reserved its worst case): the id gap,
 * then the body — which fields changed (one combined mask over the entity's present components
 * when they hold at most {@link COMPACT_MASK_FIELDS} fields, else a component mask plus one field
 * mask per changed component), then only those fields; quantised ones as q deltas. Clears the
 * entity's per-component changed masks and stores the body's offset (after the gap) in
 * `bodyAt[eid]`. Returns the position after the record.
 */
export function putUpdate(
  buf: Uint8Array,
  at: number,
  gap: number,
  eid: number,
  present: number,
  dirty: number,
  fieldTotal: number,
  shadows: readonly ComponentShadow[],
  bodyAt: Int32Array,
): number {
  let pos = putVarint(buf, at, gap);
  bodyAt[eid] = pos;
  // One component (the common case): the combined mask is its field mask.
  if ((present & (present - 1)) === 0 && fieldTotal <= COMPACT_MASK_FIELDS) {
    const shadow = shadows[31 - Math.clz32(present)]!;
    pos = putVarint(buf, pos, shadow.changed[eid]!);
    return putChangedFields(buf, pos, shadow, eid);
  }
  let bits: number;
  if (fieldTotal <= COMPACT_MASK_FIELDS) {
    let combined = 0;
    let shift = 0;
    bits = present | 0;
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      const shadow = shadows[31 - Math.clz32(low)]!;
      if ((dirty & low) !== 0) combined |= shadow.changed[eid]! << shift;
      shift += shadow.codes.length;
    }
    pos = putVarint(buf, pos, combined >>> 0);
  } else {
    pos = putVarint(buf, pos, dirty >>> 0);
    bits = dirty | 0;
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      pos = putVarint(buf, pos, shadows[31 - Math.clz32(low)]!.changed[eid]!);
    }
  }
  bits = dirty | 0;
  while (bits !== 0) {
    const low = bits & -bits;
    bits ^= low;
    pos = putChangedFields(buf, pos, shadows[31 - Math.clz32(low)]!, eid);
  }
  return pos;
}
