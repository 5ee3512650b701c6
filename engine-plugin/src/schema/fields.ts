/**
 * Field types shared by components (replicated state) and messages (validated payloads).
 * A field is a plain description object; `t` builds them. The phantom `_type` lets TypeScript
 * infer payload and store types from a declaration without any code generation.
 */

/** Numeric storage kinds, each with its bitECS typed array. */
export type NumericKind = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'f64';

/** How a field is blended between two server states on the client. */
export type Interpolation = 'none' | 'linear' | 'angle';

/** Fixed-point quantisation of a float: `q = round((value - offset) / step)`. */
export interface Quantization {
  readonly step: number;
  readonly offset: number;
  /** Largest q (from `{ bits }`); values are clamped into [0, maxQ]. Unbounded when undefined. */
  readonly maxQ: number | undefined;
}

interface FieldBase<T> {
  /** True when a message may omit this field. Component fields are never optional. */
  readonly optional: boolean;
  /** Phantom: the TypeScript type of a value of this field. Never set at run time. */
  readonly _type?: T;
}

/** A number: integer kinds are range-checked, float kinds may be quantised and interpolated. */
export interface NumberField<K extends NumericKind = NumericKind> extends FieldBase<number> {
  readonly kind: K;
  readonly min: number;
  readonly max: number;
  readonly quantize: Quantization | undefined;
  readonly interpolate: Interpolation;
}

/** A boolean, stored as 0/1 in a Uint8Array. */
export interface BoolField extends FieldBase<boolean> {
  readonly kind: 'bool';
}

/** A UTF-8 string of at most `maxBytes` encoded bytes. */
export interface StringField extends FieldBase<string> {
  readonly kind: 'string';
  readonly maxBytes: number;
}

/** Raw bytes (messages only). */
export interface BytesField extends FieldBase<Uint8Array> {
  readonly kind: 'bytes';
  readonly maxBytes: number;
}

/** One of a fixed set of strings or numbers (messages only). */
export interface EnumField<V extends string | number = string | number> extends FieldBase<V> {
  readonly kind: 'enum';
  readonly values: readonly V[];
}

/** A list of at most `maxLength` items (messages only). */
export interface ArrayField<I extends Field = Field> extends FieldBase<unknown[]> {
  readonly kind: 'array';
  readonly item: I;
  readonly maxLength: number;
}

/** A nested record (messages only). */
export interface ObjectField<S extends Shape = Shape> extends FieldBase<object> {
  readonly kind: 'object';
  readonly shape: S;
}

/** Any field description. */
export type Field = NumberField | BoolField | StringField | BytesField | EnumField | ArrayField | ObjectField;

/** The fields a component may hold: fixed-size values that fit a typed array, and short strings. */
export type ComponentField = NumberField | BoolField | StringField;

/** A record of named fields. */
export type Shape = { readonly [name: string]: Field };

/** The TypeScript type of a field's value. */
export type FieldValue<F> = F extends ArrayField<infer I>
  ? Array<FieldValue<I>>
  : F extends ObjectField<infer S>
    ? ShapeValue<S>
    : F extends FieldBase<infer T>
      ? T
      : never;

type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K]['optional'] extends true ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;

/** The TypeScript type of a record with shape `S`: optional fields become optional properties. */
export type ShapeValue<S extends Shape> = { -readonly [K in RequiredKeys<S>]: FieldValue<S[K]> } & {
  -readonly [K in OptionalKeys<S>]?: FieldValue<S[K]>;
};

/** Options for numeric fields. */
export interface NumberOptions {
  /** Smallest accepted value (messages are validated against it; defaults to the kind's range). */
  min?: number;
  /** Largest accepted value. */
  max?: number;
  /** Floats only: replicate as fixed point with this step (e.g. 0.01), sent as varint deltas. */
  precision?: number;
  /** Floats only, with min and max: quantise into this many bits over [min, max]. */
  bits?: number;
  /** Blend between server states on the client: `true` (linear) or `'angle'` (wraps at ±π). */
  interpolate?: boolean | 'angle';
}

const RANGES: Record<NumericKind, [number, number]> = {
  u8: [0, 0xff],
  i8: [-0x80, 0x7f],
  u16: [0, 0xffff],
  i16: [-0x8000, 0x7fff],
  u32: [0, 0xffffffff],
  i32: [-0x80000000, 0x7fffffff],
  f32: [-3.4028234663852886e38, 3.4028234663852886e38],
  f64: [-Number.MAX_VALUE, Number.MAX_VALUE],
};

function numberField<K extends NumericKind>(kind: K, options: NumberOptions = {}): NumberField<K> {
  const [lo, hi] = RANGES[kind];
  const min = options.min ?? lo;
  const max = options.max ?? hi;
  if (!(min <= max)) throw new TypeError(`${kind} field: min ${min} is above max ${max}`);
  const isFloat = kind === 'f32' || kind === 'f64';
  let quantize: Quantization | undefined;
  if (options.precision !== undefined || options.bits !== undefined) {
    if (!isFloat) throw new TypeError(`${kind} field: precision and bits apply to f32/f64 only`);
    if (options.bits !== undefined) {
      if (options.min === undefined || options.max === undefined) throw new TypeError('bits needs min and max');
      if (!Number.isInteger(options.bits) || options.bits < 1 || options.bits > 31) throw new TypeError('bits must be 1..31');
      const maxQ = 2 ** options.bits - 1;
      quantize = { step: (max - min) / maxQ, offset: min, maxQ };
    } else {
      const step = options.precision!;
      if (!(step > 0) || !Number.isFinite(step)) throw new TypeError(`precision must be a positive number, got ${step}`);
      quantize = { step, offset: 0, maxQ: undefined };
    }
  }
  const interpolate: Interpolation =
    options.interpolate === 'angle' ? 'angle' : options.interpolate === true ? 'linear' : 'none';
  if (interpolate !== 'none' && !isFloat) throw new TypeError(`${kind} field: interpolate applies to f32/f64 only`);
  return { kind, min, max, quantize, interpolate, optional: false };
}

/** Field type constructors, used in `defineComponent` and `defineMessage` shapes. */
export const t = {
  u8: (o?: NumberOptions): NumberField<'u8'> => numberField('u8', o),
  i8: (o?: NumberOptions): NumberField<'i8'> => numberField('i8', o),
  u16: (o?: NumberOptions): NumberField<'u16'> => numberField('u16', o),
  i16: (o?: NumberOptions): NumberField<'i16'> => numberField('i16', o),
  u32: (o?: NumberOptions): NumberField<'u32'> => numberField('u32', o),
  i32: (o?: NumberOptions): NumberField<'i32'> => numberField('i32', o),
  f32: (o?: NumberOptions): NumberField<'f32'> => numberField('f32', o),
  f64: (o?: NumberOptions): NumberField<'f64'> => numberField('f64', o),
  bool: (): BoolField => ({ kind: 'bool', optional: false }),
  /** A UTF-8 string of at most `maxBytes` bytes (default 64). */
  string: (o: { maxBytes?: number } = {}): StringField => ({ kind: 'string', maxBytes: o.maxBytes ?? 64, optional: false }),
  /** Raw bytes, at most `maxBytes` (default 1024). Messages only. */
  bytes: (o: { maxBytes?: number } = {}): BytesField => ({ kind: 'bytes', maxBytes: o.maxBytes ?? 1024, optional: false }),
  /** One of the given values. Messages only. */
  enum: <const V extends string | number>(values: readonly V[]): EnumField<V> => ({ kind: 'enum', values, optional: false }),
  /** A list of `item`, at most `maxLength` long (default 256). Messages only. */
  array: <I extends Field>(item: I, o: { maxLength?: number } = {}): ArrayField<I> => ({
    kind: 'array',
    item,
    maxLength: o.maxLength ?? 256,
    optional: false,
  }),
  /** A nested record. Messages only. */
  object: <S extends Shape>(shape: S): ObjectField<S> => ({ kind: 'object', shape, optional: false }),
  /** The same field, but a message may leave it out. */
  optional: <F extends Field>(field: F): F & { readonly optional: true } => ({ ...field, optional: true }),
} as const;

/** A canonical, stable description of a field, for fingerprints and mismatch reports. */
export function describeField(field: Field): string {
  const opt = field.optional ? '?' : '';
  switch (field.kind) {
    case 'bool':
      return `bool${opt}`;
    case 'string':
    case 'bytes':
      return `${field.kind}(${field.maxBytes})${opt}`;
    case 'enum':
      return `enum(${field.values.map((v) => JSON.stringify(v)).join(',')})${opt}`;
    case 'array':
      return `array(${describeField(field.item)},${field.maxLength})${opt}`;
    case 'object':
      return `{${describeShape(field.shape)}}${opt}`;
    default: {
      const q = field.quantize ? `,q=${field.quantize.step}@${field.quantize.offset}/${field.quantize.maxQ ?? ''}` : '';
      return `${field.kind}(${field.min},${field.max}${q},${field.interpolate})${opt}`;
    }
  }
}

/** Canonical description of a shape: fields in declaration order (order is part of the wire format). */
export function describeShape(shape: Shape): string {
  return Object.entries(shape)
    .map(([name, field]) => `${name}:${describeField(field)}`)
    .join(';');
}
