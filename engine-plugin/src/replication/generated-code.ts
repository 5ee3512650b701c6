declare const boundBrand: unique symbol;

/**
 * The per-instance values a generated function reads: an object with one property per bound
 * name, passed as the function's first argument. Opaque to callers, who only hand it back.
 */
export interface GeneratedContext {
  readonly [boundBrand]: true;
}

/** A generated function, shared per source, and the context of one server's or client's arrays. */
export interface Generated<F> {
  /** Call as `run(context, ...)`. */
  readonly run: F;
  readonly context: GeneratedContext;
}

/**
 * Build a function from generated source, once per distinct source in the process, and a
 * context object holding `bound` for it.
 *
 * `source` is a function expression whose first parameter is `$`: it reads each bound value as
 * `$.name` and each constant by its bare name. `constants` must be the same values every time
 * the same source is generated (module-level functions and classes; a mismatch throws).
 *
 * Why one function per source rather than one closure per instance: the callers of a closure
 * record which function object they called, and a second server or client made a second one —
 * each call site went polymorphic, then megamorphic, the first instances' optimised code was
 * thrown away as they died, and the code bound to the dead closures was deoptimised
 * (docs/architecture.md, "Replication", "One generated function per layout"). Now every call
 * site sees one target for good, the lone closure lets V8 fold the constants in, and the bound
 * arrays come through a context whose hidden class is the same for every instance of a layout:
 * the object literal of one factory, keyed on the bound values' constructors too, so a field's
 * type never widens.
 *
 * `undefined` where code generation is refused (a Content-Security-Policy without
 * 'unsafe-eval'); callers then keep their generic path.
 */
export function generate<F>(constants: Readonly<Record<string, unknown>>, bound: Readonly<Record<string, unknown>>, source: string): Generated<F> | undefined {
  const constantNames = Object.keys(constants);
  const boundNames = Object.keys(bound);
  const constantValues = constantNames.map((name) => constants[name]);
  const boundValues = boundNames.map((name) => bound[name]);
  const kinds = boundValues.map((v) => (typeof v === 'object' && v !== null ? v.constructor.name : typeof v));
  const key = `${constantNames.join(',')}\n${boundNames.join(',')}\n${kinds.join(',')}\n${source}`;
  let entry = cache.get(key);
  if (entry === undefined) {
    try {
      const run = (new Function(...constantNames, `return ${source};`) as (...args: unknown[]) => unknown)(...constantValues);
      const context = new Function(...boundNames, `return { ${boundNames.map((name) => `${name}: ${name}`).join(', ')} };`) as (...args: unknown[]) => GeneratedContext;
      entry = { run, context, constants: constantValues };
    } catch {
      return undefined;
    }
    cache.set(key, entry);
  } else if (entry.constants.some((value, i) => value !== constantValues[i])) {
    throw new Error('generated code: the same source was generated with different constants');
  }
  return { run: entry.run as F, context: entry.context(...boundValues) };
}

interface Entry {
  readonly run: unknown;
  readonly context: (...values: unknown[]) => GeneratedContext;
  readonly constants: readonly unknown[];
}

const cache = new Map<string, Entry>();
