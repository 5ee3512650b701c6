import type { ByteWriter } from '../protocol/bytes';
import type { FieldArray } from '../schema/component';
import { FieldCode, type FieldLayout } from './component-layout';
import type { ComponentShadow } from './change-detection';

/**
 * Entity record bodies, written once per tick per entity and copied to every client that needs
 * them. Byte layouts are specified in docs/protocol.md, "State section".
 */

/** Up to this many fields in an entity's present components, an update carries one combined field mask. */
export const COMPACT_MASK_FIELDS = 31;

const textEncoder = new TextEncoder();

/** Length-prefixed UTF-8, cut at a character boundary to the field's maxBytes so the client never refuses it. */
export function writeBoundedString(w: ByteWriter, value: string, maxBytes: number): void {
  const bytes = textEncoder.encode(value);
  let length = bytes.length;
  if (length > maxBytes) {
    length = maxBytes;
    while (length > 0 && (bytes[length]! & 0xc0) === 0x80) length--;
  }
  w.varint(length);
  w.bytes(length === bytes.length ? bytes : bytes.subarray(0, length));
}

/** Write one field's absolute sent value (quantised fields: the integer q). */
function writeAbsolute(w: ByteWriter, f: FieldLayout, sent: FieldArray | string[], eid: number): void {
  switch (f.code) {
    case FieldCode.U8:
      w.u8((sent as Uint8Array)[eid]!);
      break;
    case FieldCode.Bool:
      w.u8((sent as Uint8Array)[eid]! === 0 ? 0 : 1);
      break;
    case FieldCode.I8:
      w.u8((sent as Int8Array)[eid]! & 0xff);
      break;
    case FieldCode.U16:
    case FieldCode.U32:
      w.varint((sent as Uint32Array)[eid]!);
      break;
    case FieldCode.I16:
    case FieldCode.I32:
    case FieldCode.Quantized:
      w.zigzag((sent as Int32Array)[eid]!);
      break;
    case FieldCode.F32:
      w.f32((sent as Float32Array)[eid]!);
      break;
    case FieldCode.F64:
      w.f64((sent as Float64Array)[eid]!);
      break;
    case FieldCode.String:
      writeBoundedString(w, (sent as string[])[eid] ?? '', f.maxBytes);
      break;
  }
}

/**
 * A full record body: the component mask, then every field of every present component as an
 * absolute value. Used for spawns, snapshots, catch-up and structural changes; it also resets the
 * client's quantisation baselines.
 */
export function writeFullBody(w: ByteWriter, eid: number, componentMask: number, shadows: readonly ComponentShadow[]): void {
  w.varint(componentMask >>> 0);
  let bits = componentMask | 0;
  while (bits !== 0) {
    const low = bits & -bits;
    bits ^= low;
    const shadow = shadows[31 - Math.clz32(low)]!;
    const fields = shadow.layout.fields;
    for (let i = 0; i < fields.length; i++) writeAbsolute(w, fields[i]!, shadow.sent[i]!, eid);
  }
}

/**
 * An update body: which fields changed (one combined mask over the entity's present components
 * when they hold at most {@link COMPACT_MASK_FIELDS} fields, else a component mask plus one field
 * mask per changed component), then only those fields; quantised ones as q deltas. Clears the
 * entity's per-component changed masks.
 */
export function writeUpdateBody(
  w: ByteWriter,
  eid: number,
  present: number,
  dirty: number,
  fieldTotal: number,
  shadows: readonly ComponentShadow[],
): void {
  if (fieldTotal <= COMPACT_MASK_FIELDS) {
    let combined = 0;
    let shift = 0;
    let bits = present | 0;
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      const shadow = shadows[31 - Math.clz32(low)]!;
      if ((dirty & low) !== 0) combined |= shadow.changed[eid]! << shift;
      shift += shadow.layout.fields.length;
    }
    w.varint(combined >>> 0);
  } else {
    w.varint(dirty >>> 0);
    let bits = dirty | 0;
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      w.varint(shadows[31 - Math.clz32(low)]!.changed[eid]!);
    }
  }
  let bits = dirty | 0;
  while (bits !== 0) {
    const low = bits & -bits;
    bits ^= low;
    const shadow = shadows[31 - Math.clz32(low)]!;
    const fields = shadow.layout.fields;
    let mask = shadow.changed[eid]! | 0;
    shadow.changed[eid] = 0;
    while (mask !== 0) {
      const fbit = mask & -mask;
      mask ^= fbit;
      const index = 31 - Math.clz32(fbit);
      const f = fields[index]!;
      if (f.code === FieldCode.Quantized) w.zigzag(shadow.delta[index]![eid]!);
      else writeAbsolute(w, f, shadow.sent[index]!, eid);
    }
  }
}
