import { type Component, type FieldArray, componentInfo } from '../schema/component.js';
import type { Interpolation } from '../schema/fields.js';

/** One numeric field of a component, as the client's smoothing code reads and writes it. */
export interface NumericField {
  readonly name: string;
  /** The bitECS store the game and the renderer read: `Position.x`. */
  readonly store: FieldArray;
  /** How the field blends: 'linear', 'angle', or 'none' (stepped). */
  readonly blend: Interpolation;
  /** Position among the component's declared fields (strings included). */
  readonly index: number;
}

/** The numeric (and bool) fields of a component, in declaration order; strings are left to replication. */
export function numericFields(component: Component): NumericField[] {
  const info = component[componentInfo];
  const stores = component as unknown as Record<string, FieldArray | string[]>;
  const out: NumericField[] = [];
  info.fieldNames.forEach((name, index) => {
    const field = info.shape[name]!;
    if (field.kind === 'string') return;
    const blend: Interpolation = field.kind === 'bool' ? 'none' : field.interpolate;
    out.push({ name, store: stores[name] as FieldArray, blend, index });
  });
  return out;
}

/** True when any field of the component is declared `interpolate`. */
export function isInterpolated(component: Component): boolean {
  return numericFields(component).some((f) => f.blend !== 'none');
}

const TAU = Math.PI * 2;

/** An angle brought into [-π, π). */
export function wrapAngle(a: number): number {
  const r = (((a + Math.PI) % TAU) + TAU) % TAU;
  return r - Math.PI;
}

/** The shortest signed turn from `a` to `b`, in [-π, π). */
export function angleDelta(a: number, b: number): number {
  return wrapAngle(b - a);
}
