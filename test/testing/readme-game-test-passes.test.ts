// The README's testing example (docs/examples/testing.ts) is a complete vitest test: run it as one.
import '../../docs/examples/testing';
