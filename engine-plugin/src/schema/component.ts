import type { BoolField, ComponentField, NumberField, NumericKind, StringField } from './fields.js';
import { allocateColumns, type ColumnMemory } from './column-memory.js';
import { describeShape } from './fields.js';

/** The typed array bitECS-style systems read and write for a numeric field. */
export type NumericArray<K extends NumericKind> = K extends 'u8'
  ? Uint8Array
  : K extends 'i8'
    ? Int8Array
    : K extends 'u16'
      ? Uint16Array
      : K extends 'i16'
        ? Int16Array
        : K extends 'u32'
          ? Uint32Array
          : K extends 'i32'
            ? Int32Array
            : K extends 'f32'
              ? Float32Array
              : Float64Array;

/** Any typed array a component field may be stored in. */
export type FieldArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** The store behind one field: a typed array indexed by entity id, or a string array. */
export type FieldStore<F extends ComponentField> = F extends NumberField<infer K>
  ? NumericArray<K>
  : F extends BoolField
    ? Uint8Array
    : F extends StringField
      ? string[]
      : never;

/** The shape of a component: named replicable fields. */
export type ComponentShape = { readonly [name: string]: ComponentField };

/** Structure-of-arrays storage: `Position.x[eid]`. */
export type ComponentStore<S extends ComponentShape> = { readonly [K in keyof S]: FieldStore<S[K]> };

/** Everything tickwire knows about a component besides its store. */
export interface ComponentInfo {
  /** The wire name; ids are derived from names at handshake, never from class names. */
  readonly name: string;
  readonly shape: ComponentShape;
  /** Field names in wire order (declaration order). */
  readonly fieldNames: readonly string[];
  /** Entity ids must stay below this; the typed arrays are this long. */
  readonly capacity: number;
  /** The memory the numeric arrays live in, with a twin region per array (absent where WebAssembly is unavailable). */
  readonly columns?: ColumnMemory;
}

/** Where a component keeps its description. A symbol so it never collides with a field name. */
export const componentInfo: unique symbol = Symbol('tickwire.component');

/** A replicable component: a bitECS component (plain SoA object) that also carries its description. */
export type Component<S extends ComponentShape = ComponentShape> = ComponentStore<S> & {
  readonly [componentInfo]: ComponentInfo;
};

/** The most fields one component may hold: the changed-field mask is one 32-bit varint. */
export const MAX_COMPONENT_FIELDS = 32;

/** Default entity capacity of a component's arrays. */
export const DEFAULT_CAPACITY = 65_536;

type NumericArrayType = (new (buffer: ArrayBuffer, byteOffset: number, length: number) => FieldArray) & { readonly BYTES_PER_ELEMENT: number };

function arrayType(field: ComponentField): NumericArrayType | undefined {
  switch (field.kind) {
    case 'bool':
    case 'u8':
      return Uint8Array;
    case 'i8':
      return Int8Array;
    case 'u16':
      return Uint16Array;
    case 'i16':
      return Int16Array;
    case 'u32':
      return Uint32Array;
    case 'i32':
      return Int32Array;
    case 'f32':
      return Float32Array;
    case 'f64':
      return Float64Array;
    case 'string':
      return undefined;
  }
}

/**
 * Declare a replicated component once, in code both sides import. The result is the bitECS
 * component itself: pass it to `addComponent(world, eid, Position)` and write `Position.x[eid]`.
 *
 * ```ts
 * export const Position = defineComponent('position', {
 *   x: t.f32({ precision: 0.01, interpolate: true }),
 *   y: t.f32({ precision: 0.01, interpolate: true }),
 * });
 * ```
 */
export function defineComponent<S extends ComponentShape>(
  name: string,
  shape: S,
  options: { capacity?: number } = {},
): Component<S> {
  const fieldNames = Object.keys(shape);
  if (!name) throw new TypeError('a component needs a name');
  if (fieldNames.length > MAX_COMPONENT_FIELDS)
    throw new TypeError(`component ${name} has ${fieldNames.length} fields; the most is ${MAX_COMPONENT_FIELDS}`);
  const capacity = options.capacity ?? DEFAULT_CAPACITY;
  const store: Record<string | symbol, unknown> = {};
  const numeric: { field: string; type: NumericArrayType; length: number }[] = [];
  for (const field of fieldNames) {
    const spec = shape[field]!;
    if (spec.optional) throw new TypeError(`component ${name}.${field}: component fields cannot be optional`);
    const type = arrayType(spec);
    // Every key now, in declaration order; numeric arrays are filled in below.
    store[field] = type === undefined ? new Array<string>(capacity).fill('') : undefined;
    if (type !== undefined) numeric.push({ field, type, length: capacity });
  }
  // Numeric arrays share one memory with room for the server's shadows beside them (see column-memory.ts).
  const laid = allocateColumns(numeric);
  numeric.forEach((c, i) => {
    store[c.field] = laid === undefined ? new c.type(new ArrayBuffer(c.length * c.type.BYTES_PER_ELEMENT), 0, c.length) : laid.arrays[i]!;
  });
  const info: ComponentInfo = laid === undefined ? { name, shape, fieldNames, capacity } : { name, shape, fieldNames, capacity, columns: laid.memory };
  store[componentInfo] = info;
  return store as Component<S>;
}

/**
 * A component with the same name, fields and capacity but its own, zeroed typed arrays. Several
 * worlds in one process (a test running a server and clients together) each need their own
 * stores, because a component's arrays belong to the definition, not to a world.
 */
export function cloneComponent<S extends ComponentShape>(component: Component<S>): Component<S> {
  const info = component[componentInfo];
  return defineComponent(info.name, info.shape as S, { capacity: info.capacity });
}

/** Declare a component with no fields: a tag that replicates presence only. */
export function defineTag(name: string): Component<Record<string, never>> {
  return defineComponent(name, {});
}

/** The canonical description used in the protocol fingerprint. */
export function describeComponent(component: Component): string {
  const info = component[componentInfo];
  return `${info.name}{${describeShape(info.shape)}}`;
}
