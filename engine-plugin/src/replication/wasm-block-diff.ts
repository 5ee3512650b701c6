/**
 * The column diff's SIMD kernel, hand-assembled WebAssembly (no toolchain, ~200 bytes):
 *
 * ```wat
 * (func (export "diff") (param $store i32) (param $twin i32) (param $from i32) (param $to i32)
 *                       (param $out i32) (param $max i32) (result i32)
 *   ;; for i = from; i < to; i += 64: if any of the four 16-byte blocks at store+i differs from
 *   ;; twin+i (v128.xor, v128.or, v128.any_true), append each differing block's offset i+k to
 *   ;; the i32 list at out; return early with the count when it reaches max.
 * )
 * ```
 *
 * It imports the memory holding a component's columns and their twins (see
 * schema/column-memory.ts), so it compares them in place: 64 bytes per loop step, one branch,
 * where the JavaScript loop compares 32 (four doubles) with four. Bit patterns, as the word loop:
 * exact for every field kind.
 */

/** The kernel's signature: offsets in bytes; `to - from` a multiple of 64; returns how many block offsets it wrote. */
export type BlockDiff = (store: number, twin: number, from: number, to: number, out: number, max: number) => number;

function leb(value: number): number[] {
  const out: number[] = [];
  let n = value >>> 0;
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function name(s: string): number[] {
  return [...leb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

function section(id: number, body: number[]): number[] {
  return [id, ...leb(body.length), ...body];
}

// Locals: the six parameters, then i and the count.
const STORE = 0;
const TWIN = 1;
const FROM = 2;
const TO = 3;
const OUT = 4;
const MAX = 5;
const I = 6;
const COUNT = 7;

const op = {
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Const: 0x41,
  i32Add: 0x6a,
  i32Shl: 0x74,
  i32GeU: 0x4f,
  i32Store: 0x36,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  void: 0x40,
  simd: 0xfd,
  v128Load: 0x00,
  v128Or: 0x50,
  v128Xor: 0x51,
  v128AnyTrue: 0x53,
} as const;

const get = (local: number) => [op.localGet, local];
/** v128.load of `base + i + offset` (align 16). */
const load = (base: number, offset: number) => [...get(base), ...get(I), op.i32Add, op.simd, op.v128Load, 4, ...leb(offset)];
/** store[i + offset] ^ twin[i + offset] as a v128. */
const xorAt = (offset: number) => [...load(STORE, offset), ...load(TWIN, offset), op.simd, op.v128Xor];
/** If the block at i + offset differs, append i + offset to out; return the count once it reaches max. */
const appendIfDiffers = (offset: number) => [
  ...xorAt(offset),
  op.simd,
  op.v128AnyTrue,
  op.if,
  op.void,
  ...get(OUT),
  ...get(COUNT),
  op.i32Const,
  2,
  op.i32Shl,
  op.i32Add,
  ...get(I),
  op.i32Const,
  ...leb(offset), // offsets 0..48 encode the same as signed LEB
  op.i32Add,
  op.i32Store,
  2,
  0,
  ...get(COUNT),
  op.i32Const,
  1,
  op.i32Add,
  op.localTee,
  COUNT,
  ...get(MAX),
  op.i32GeU,
  op.if,
  op.void,
  ...get(COUNT),
  op.return,
  op.end,
  op.end,
];

const body = [
  1,
  2,
  0x7f, // two i32 locals
  ...get(FROM),
  op.localSet,
  I,
  op.block,
  op.void,
  op.loop,
  op.void,
  ...get(I),
  ...get(TO),
  op.i32GeU,
  op.brIf,
  1,
  ...xorAt(0),
  ...xorAt(16),
  op.simd,
  op.v128Or,
  ...xorAt(32),
  op.simd,
  op.v128Or,
  ...xorAt(48),
  op.simd,
  op.v128Or,
  op.simd,
  op.v128AnyTrue,
  op.if,
  op.void,
  ...appendIfDiffers(0),
  ...appendIfDiffers(16),
  ...appendIfDiffers(32),
  ...appendIfDiffers(48),
  op.end,
  ...get(I),
  op.i32Const,
  0xc0,
  0x00, // 64 as a signed LEB
  op.i32Add,
  op.localSet,
  I,
  op.br,
  0,
  op.end,
  op.end,
  ...get(COUNT),
  op.end,
];

const I32 = 0x7f;
const moduleBytes = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  1,
  0,
  0,
  0,
  ...section(1, [1, 0x60, 6, I32, I32, I32, I32, I32, I32, 1, I32]),
  ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 0x00]),
  ...section(3, [1, 0]),
  ...section(7, [1, ...name('diff'), 0x00, 0]),
  ...section(10, [1, ...leb(body.length), ...body]),
]);

let compiled: WebAssembly.Module | null | undefined;
const kernels = new WeakMap<WebAssembly.Memory, BlockDiff>();

/**
 * The kernel bound to `memory`, or `undefined` where WebAssembly or its SIMD is unavailable
 * (compilation refused by a Content-Security-Policy, an engine without SIMD): callers then keep
 * the JavaScript loop.
 */
export function blockDiffFor(memory: WebAssembly.Memory): BlockDiff | undefined {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(moduleBytes);
    } catch {
      compiled = null;
    }
  }
  if (compiled === null) return undefined;
  let kernel = kernels.get(memory);
  if (kernel === undefined) {
    kernel = (new WebAssembly.Instance(compiled, { env: { memory } }).exports as { diff: BlockDiff }).diff;
    kernels.set(memory, kernel);
  }
  return kernel;
}
