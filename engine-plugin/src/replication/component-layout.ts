import { type Component, componentInfo, DEFAULT_CAPACITY, type FieldArray } from '../schema/component.js';
import type { ComponentField } from '../schema/fields.js';
import type { Protocol } from '../schema/protocol.js';
import { boundedStringSize, MAX_VARINT_BYTES } from './raw-bytes.js';

/**
 * How a field travels on the wire. Resolved once per field when a protocol is laid out, so the
 * per-tick loops switch on a small integer instead of inspecting field descriptions.
 */
export const FieldCode = {
  U8: 0,
  I8: 1,
  U16: 2,
  I16: 3,
  U32: 4,
  I32: 5,
  F32: 6,
  F64: 7,
  Bool: 8,
  /** A quantised f32/f64: the integer `q` as a zigzag varint (absolute, or a delta in updates). */
  Quantized: 9,
  String: 10,
} as const;

/** One of {@link FieldCode}'s values. */
export type FieldCodeValue = (typeof FieldCode)[keyof typeof FieldCode];

/**
 * The largest |q| of a quantised field without declared bits. Deltas of two such values stay
 * below 2^50 after zigzag, inside the varint's safe-integer range.
 */
export const UNBOUNDED_Q = 2 ** 48;

/** Everything the codecs need about one component field. */
export interface FieldLayout {
  readonly name: string;
  /** Position in the component's declaration order: its bit in the changed-field mask. */
  readonly index: number;
  readonly code: FieldCodeValue;
  /** The typed array (or string array) the game writes. */
  readonly store: FieldArray | string[];
  /** Inclusive integer range accepted from the wire (integer codes only). */
  readonly min: number;
  readonly max: number;
  /** Quantisation (code Quantized only): `value = q * step + offset`, q clamped to [minQ, maxQ]. */
  readonly step: number;
  readonly offset: number;
  readonly minQ: number;
  readonly maxQ: number;
  /** Longest accepted encoded string (code String only). */
  readonly maxBytes: number;
  /** True for f32 storage (quantised or not): the client needs a Float32Array shadow. */
  readonly isFloat32: boolean;
}

/** A registered component with its fields resolved for the codecs. */
export interface ComponentLayout {
  /** The protocol's component id (index in sorted-name order). */
  readonly id: number;
  readonly component: Component;
  readonly name: string;
  /** Entity ids that carry this component stay below this. */
  readonly capacity: number;
  readonly fields: readonly FieldLayout[];
  /** `2^fields - 1`: every field's bit. A number, not an int32, so 32 fields stay positive. */
  readonly allFields: number;
}

const INTEGER_CODE: Record<string, FieldCodeValue> = {
  u8: FieldCode.U8,
  i8: FieldCode.I8,
  u16: FieldCode.U16,
  i16: FieldCode.I16,
  u32: FieldCode.U32,
  i32: FieldCode.I32,
};

function layoutField(name: string, index: number, field: ComponentField, store: FieldArray | string[]): FieldLayout {
  const base = { name, index, store, min: 0, max: 0, step: 1, offset: 0, minQ: 0, maxQ: 0, maxBytes: 0, isFloat32: false };
  switch (field.kind) {
    case 'bool':
      return { ...base, code: FieldCode.Bool, max: 1 };
    case 'string':
      return { ...base, code: FieldCode.String, maxBytes: field.maxBytes };
    case 'f32':
    case 'f64': {
      const isFloat32 = field.kind === 'f32';
      const q = field.quantize;
      if (!q) return { ...base, code: isFloat32 ? FieldCode.F32 : FieldCode.F64, isFloat32 };
      const bounded = q.maxQ !== undefined;
      return {
        ...base,
        code: FieldCode.Quantized,
        isFloat32,
        step: q.step,
        offset: q.offset,
        minQ: bounded ? 0 : -UNBOUNDED_Q,
        maxQ: bounded ? q.maxQ! : UNBOUNDED_Q,
      };
    }
    default: {
      // The full storage range, not the declared min/max: those validate messages, while a
      // component store may legally hold anything its typed array can.
      const ranges: Record<string, [number, number]> = {
        u8: [0, 0xff],
        i8: [-0x80, 0x7f],
        u16: [0, 0xffff],
        i16: [-0x8000, 0x7fff],
        u32: [0, 0xffffffff],
        i32: [-0x80000000, 0x7fffffff],
      };
      const [min, max] = ranges[field.kind]!;
      return { ...base, code: INTEGER_CODE[field.kind]!, min, max };
    }
  }
}

/** Resolve every registered component's fields, in protocol id order. */
export function layoutComponents(protocol: Protocol): ComponentLayout[] {
  return protocol.components.map((component, id) => {
    const info = component[componentInfo];
    const stores = component as unknown as Record<string, FieldArray | string[]>;
    const fields = info.fieldNames.map((name, index) => layoutField(name, index, info.shape[name]!, stores[name]!));
    return { id, component, name: info.name, capacity: info.capacity, fields, allFields: 2 ** fields.length - 1 };
  });
}

/** The entity-id bound of a protocol: the largest component capacity (the default if none). */
export function entityCapacity(layouts: readonly ComponentLayout[]): number {
  let capacity = 0;
  for (const layout of layouts) capacity = Math.max(capacity, layout.capacity);
  return capacity || DEFAULT_CAPACITY;
}

/**
 * The most bytes a valid value of `f` takes on the wire: encoders reserve a record's worth of
 * these at once. Quantised values (absolute, or deltas of two values within 2^48) stay below 2^50
 * after zigzag: 8 bytes.
 */
export function wireBound(f: FieldLayout): number {
  switch (f.code) {
    case FieldCode.U8:
    case FieldCode.I8:
    case FieldCode.Bool:
      return 1;
    case FieldCode.U16:
    case FieldCode.I16:
      return 3;
    case FieldCode.U32:
    case FieldCode.I32:
      return 5;
    case FieldCode.F32:
      return 4;
    case FieldCode.String:
      return boundedStringSize(f.maxBytes);
    default:
      return 8;
  }
}

/**
 * The most bytes a decoder may consume reading one value of `f`, valid or not: any varint may run
 * to 8 bytes before it is refused, a string to its length varint plus `maxBytes`.
 */
export function readBound(f: FieldLayout): number {
  const size = wireSize(f);
  return size > 0 ? size : size === 0 ? MAX_VARINT_BYTES : MAX_VARINT_BYTES + f.maxBytes;
}

/** A value's bytes on the wire when fixed (1, 4, 8), 0 for a varint, -1 for a string. */
export function wireSize(f: FieldLayout): number {
  switch (f.code) {
    case FieldCode.U8:
    case FieldCode.I8:
    case FieldCode.Bool:
      return 1;
    case FieldCode.F32:
      return 4;
    case FieldCode.F64:
      return 8;
    case FieldCode.String:
      return -1;
    default:
      return 0;
  }
}

/**
 * `q = round((value - offset) / step)`, clamped to the field's range (±Infinity: its ends). NaN
 * has no place in a range: it quantises as 0 does (the representable value nearest 0), so a NaN
 * in a store can never put a non-integer on the wire. Change detection keeps the last sent value
 * instead where there is one (see QuantizedPass).
 */
export function quantize(value: number, step: number, offset: number, minQ: number, maxQ: number): number {
  const q = Math.round(((Number.isNaN(value) ? 0 : value) - offset) / step);
  if (q > maxQ) return maxQ;
  if (q < minQ) return minQ;
  return q;
}
