/**
 * Build a function from generated source with `new Function(...names, source)` and call it with
 * `values` bound to `names` (the generated encoders and decoders take their arrays that way).
 * One factory per distinct source: every server or client in a process with the same layout
 * shares one function literal, so V8 compiles and optimises it once. `undefined` where code
 * generation is refused (a Content-Security-Policy without 'unsafe-eval'); callers then keep
 * their generic path.
 */
export function generate<T>(names: readonly string[], values: readonly unknown[], source: string): T | undefined {
  let factory = factories.get(source);
  if (factory === undefined) {
    try {
      factory = new Function(...names, source) as Factory;
    } catch {
      return undefined;
    }
    factories.set(source, factory);
  }
  return factory(...values) as T;
}

type Factory = (...args: unknown[]) => unknown;

const factories = new Map<string, Factory>();
