import type { Field, Shape } from './fields';

const textEncoder = new TextEncoder();

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
      // Cheap bound first: a UTF-8 byte count is at most 3 per UTF-16 unit.
      if (value.length * 3 > field.maxBytes && textEncoder.encode(value).length > field.maxBytes)
        return `${path} is longer than ${field.maxBytes} bytes`;
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

/** Check a record against a shape. */
export function checkShape(shape: Shape, value: unknown, path = 'data'): string | undefined {
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
