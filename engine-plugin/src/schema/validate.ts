import type { Field, Shape } from './fields.js';

/**
 * True when `value` takes more than `maxBytes` bytes as UTF-8 (as `TextEncoder` writes it: a lone
 * surrogate becomes U+FFFD, 3 bytes). Counted, not encoded: validation runs on every message
 * both ways, and an encoder would allocate a buffer per string field per message.
 */
function utf8LongerThan(value: string, maxBytes: number): boolean {
  // Every UTF-16 unit is at least one byte and at most three.
  if (value.length > maxBytes) return true;
  if (value.length * 3 <= maxBytes) return false;
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
    if (bytes > maxBytes) return true;
  }
  return false;
}

/**
 * A lone surrogate matches (a paired one is one code point to a `u` regex): such a string has no
 * UTF-8 form — MessagePack encoders write it as bytes the receiver must refuse (close 1007).
 */
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Check `value` against a field, returning the first problem as a readable path + reason, or
 * undefined when valid. Unknown object keys are problems too: a client cannot smuggle data past
 * the schema.
 */
export function checkField(field: Field, value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return field.optional ? undefined : `${path} is missing`;
  switch (field.kind) {
    case 'bool':
      return typeof value === 'boolean' ? undefined : `${path} must be a boolean`;
    case 'string': {
      if (typeof value !== 'string') return `${path} must be a string`;
      if (utf8LongerThan(value, field.maxBytes)) return `${path} is longer than ${field.maxBytes} bytes`;
      if (LONE_SURROGATE.test(value)) return `${path} holds a lone surrogate: it is not valid Unicode, and has no UTF-8 form`;
      return undefined;
    }
    case 'bytes':
      if (!(value instanceof Uint8Array)) return `${path} must be bytes`;
      return value.length > field.maxBytes ? `${path} is longer than ${field.maxBytes} bytes` : undefined;
    case 'enum':
      return (field.values as readonly unknown[]).includes(value) ? undefined : `${path} must be one of ${field.values.join(', ')}`;
    case 'array': {
      if (!Array.isArray(value)) return `${path} must be an array`;
      if (value.length > field.maxLength) return `${path} has more than ${field.maxLength} items`;
      for (let i = 0; i < value.length; i++) {
        const problem = checkField(field.item, value[i], `${path}[${i}]`);
        if (problem) return problem;
      }
      return undefined;
    }
    case 'object':
      return checkShape(field.shape, value, path);
    default: {
      if (typeof value !== 'number' || Number.isNaN(value)) return `${path} must be a number`;
      const isFloat = field.kind === 'f32' || field.kind === 'f64';
      if (!isFloat && !Number.isInteger(value)) return `${path} must be an integer`;
      if (value < field.min || value > field.max) return `${path} must be within [${field.min}, ${field.max}]`;
      return undefined;
    }
  }
}

/**
 * The same checks as {@link checkField}, answering only yes or no: no path strings are built, so
 * the common case (a valid message, both ways, every message) allocates nothing. The explaining
 * pass runs only for a value this one refuses.
 */
function fieldValid(field: Field, value: unknown): boolean {
  if (value === undefined || value === null) return field.optional === true;
  switch (field.kind) {
    case 'bool':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string' && !utf8LongerThan(value, field.maxBytes) && !LONE_SURROGATE.test(value);
    case 'bytes':
      return value instanceof Uint8Array && value.length <= field.maxBytes;
    case 'enum':
      return (field.values as readonly unknown[]).includes(value);
    case 'array': {
      if (!Array.isArray(value) || value.length > field.maxLength) return false;
      for (let i = 0; i < value.length; i++) if (!fieldValid(field.item, value[i])) return false;
      return true;
    }
    case 'object':
      return shapeValid(field.shape, value);
    default: {
      if (typeof value !== 'number' || Number.isNaN(value)) return false;
      if (field.kind !== 'f32' && field.kind !== 'f64' && !Number.isInteger(value)) return false;
      return value >= field.min && value <= field.max;
    }
  }
}

function shapeValid(shape: Shape, value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) return false;
  const record = value as Record<string, unknown>;
  for (const key in record) if (!Object.hasOwn(shape, key)) return false;
  for (const key in shape) if (!fieldValid(shape[key]!, record[key])) return false;
  return true;
}

/** Check a record against a shape. */
export function checkShape(shape: Shape, value: unknown, path = 'data'): string | undefined {
  if (shapeValid(shape, value)) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array)
    return `${path} must be an object`;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (!Object.hasOwn(shape, key)) return `${path}.${key} is not in the schema`;
  }
  for (const key in shape) {
    const problem = checkField(shape[key]!, record[key], `${path}.${key}`);
    if (problem) return problem;
  }
  return undefined;
}
