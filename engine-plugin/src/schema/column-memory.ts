import type { FieldArray } from './component.js';

/**
 * Where a component's numeric columns live: one `WebAssembly.Memory` holding every numeric
 * field's typed array, each followed, {@link ColumnMemory.twinOffset} bytes further, by a region
 * of the same size that nothing in the schema touches — the server's change detection keeps its
 * shadow of the column there, so a SIMD kernel bound to this memory can compare the two in place
 * (replication/column-diff.ts). For game code the arrays are ordinary typed arrays. The memory
 * never grows (growing would detach every array), and pages nobody writes are never committed, so
 * the twins of a client's components cost address space, not RSS.
 */
export interface ColumnMemory {
  readonly memory: WebAssembly.Memory;
  /** Bytes from a column's first element to its twin's. */
  readonly twinOffset: number;
  /** Start (bytes) of a {@link COLUMN_SCRATCH_BYTES} region after the twins, for the kernel's output. */
  readonly scratch: number;
  /** The change detection that holds the twins, if any: one at a time (see `claimTwins`). */
  claimant: WeakRef<object> | undefined;
}

/** Bytes of the scratch region after the twins. */
export const COLUMN_SCRATCH_BYTES = 4096;

/**
 * Components whose numeric arrays take fewer bytes than this keep plain typed arrays: scanning
 * them in JavaScript costs little, and each `WebAssembly.Memory` reserves address space that
 * only a garbage collection returns (a test process defining thousands of small components
 * would pay for that).
 */
export const COLUMN_MEMORY_MIN_BYTES = 32_768;

/** Column starts are aligned to this many bytes (a cache line, and any element size). */
const ALIGN = 64;
const PAGE = 65_536;

/** A typed array constructor over an existing buffer. */
type ColumnArrayType = (new (buffer: ArrayBuffer, byteOffset: number, length: number) => FieldArray) & { readonly BYTES_PER_ELEMENT: number };

/**
 * Lay out `columns` (element constructor and length each) in one memory with twins; `undefined`
 * where WebAssembly is unavailable or the memory cannot be reserved (callers then allocate plain
 * typed arrays).
 */
export function allocateColumns(columns: readonly { type: ColumnArrayType; length: number }[]): { memory: ColumnMemory; arrays: FieldArray[] } | undefined {
  if (columns.length === 0 || typeof WebAssembly !== 'object' || typeof WebAssembly.Memory !== 'function') return undefined;
  let bytes = 0;
  const offsets: number[] = [];
  for (const c of columns) {
    offsets.push(bytes);
    bytes += Math.ceil((c.length * c.type.BYTES_PER_ELEMENT) / ALIGN) * ALIGN;
  }
  if (bytes < COLUMN_MEMORY_MIN_BYTES) return undefined;
  const twinOffset = bytes;
  const scratch = 2 * bytes;
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: Math.ceil((scratch + COLUMN_SCRATCH_BYTES) / PAGE) });
  } catch {
    return undefined;
  }
  const buffer = memory.buffer;
  const arrays = columns.map((c, i) => new c.type(buffer, offsets[i]!, c.length));
  return { memory: { memory, twinOffset, scratch, claimant: undefined }, arrays };
}

/**
 * Give `owner` the twins of `columns` (true), unless another live owner holds them (false: keep
 * your own shadow arrays). Twins handed to a new owner are zeroed first, as fresh arrays are.
 */
export function claimTwins(columns: ColumnMemory, owner: object): boolean {
  const current = columns.claimant?.deref();
  if (current !== undefined && current !== owner) return false;
  if (current === undefined) {
    new Uint8Array(columns.memory.buffer, columns.twinOffset, columns.scratch - columns.twinOffset).fill(0);
    columns.claimant = new WeakRef(owner);
  }
  return true;
}
