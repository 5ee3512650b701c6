import { FieldCode } from './component-layout.js';
import { type Generated, type GeneratedContext, generate } from './generated-code.js';
import { putBoundedString, putF64, putVarint } from './raw-bytes.js';
import { CompareKind, type CompareTargets, literal } from './row-compare.js';

/**
 * The per-entity arrays a tick's update records are indexed by (owned by the server's
 * replication; allocated once, so the generated code binds them as constants).
 */
export interface RecordTargets {
  /** Per entity: bits of its present components. */
  readonly present: Uint32Array;
  /** Per entity: offset of its update body (after the id gap) and of its end. */
  readonly updateBody: Int32Array;
  readonly updateEnd: Int32Array;
  /** Per entity: the tick it last changed. */
  readonly lastChanged: Float64Array;
}

/** What one call of a {@link FusedUpdates} reports besides the position after its records. */
export interface FusedOutcome {
  /** Entities written as update records (their ids went to `ids[0 ..< count]`). */
  count: number;
}

/**
 * Writes the update record of an entity the fused loop does not handle itself (it is not a
 * member, or it has other components too): compares it the two-pass way and writes its record
 * at `pos` with id gap `gap`. Returns the position after it, or -1 when nothing changed.
 */
export type SlowRecord = (e: number, buf: Uint8Array, pos: number, gap: number) => number;

/**
 * Called for an entity the mark verifier found changed without a mark: `fields` are the bits of
 * the fields that changed.
 */
export type UnmarkedRecord = (e: number, fields: number) => void;

/**
 * Change detection and encoding of one component in one pass, for a tick in which this
 * component is the only one with candidates: for each candidate (ascending), each field is
 * compared with its shadow and, when its sent value changes, written straight into the tick's
 * update buffer while the shadow takes the new value. The record (id gap, field mask, fields)
 * is rewound when nothing changed. The two-pass path (row compare into per-entity masks and
 * delta arrays, then a drain and a writer per record) touches about twice the memory per
 * changed entity; this loop touches only the store, the shadow and the output. Bytes are
 * exactly the two-pass path's (test/replication/fused-updates-match-two-pass.test.ts).
 *
 * `marks` (verify ticks of a marked component only): the words of the ids that were marked; a
 * reported entity outside them goes to `unmarked`.
 */
export type FusedUpdates = (
  context: GeneratedContext,
  list: Int32Array,
  n: number,
  buf: Uint8Array,
  pos: number,
  ids: Int32Array,
  tick: number,
  outcome: FusedOutcome,
  slow: SlowRecord,
  marks: Int32Array | undefined,
  unmarked: UnmarkedRecord | undefined,
) => number;

/** The most fields a fused layout may have: its field mask then always fits in one varint byte. */
export const FUSED_MAX_FIELDS = 7;

/** Source writing the value `v` of a field with `code` at `p` (exact fields; quantised ones write a zigzag delta). */
function putValue(code: number, maxBytes: number, kind: number): string {
  switch (code) {
    case FieldCode.U8:
      return 'buf[p++] = v;';
    case FieldCode.Bool:
      return 'buf[p++] = v === 0 ? 0 : 1;';
    case FieldCode.I8:
      return 'buf[p++] = v & 0xff;';
    case FieldCode.U16:
    case FieldCode.U32:
      return 'if (v < 0x80) buf[p++] = v; else p = putVarint(buf, p, v);';
    case FieldCode.I16:
    case FieldCode.I32:
      return 'v = v >= 0 ? v * 2 : -v * 2 - 1; if (v < 0x80) buf[p++] = v; else p = putVarint(buf, p, v);';
    case FieldCode.F32:
      // `v` is the value's bit pattern (an Int32 view): its little-endian bytes are the f32's.
      return kind === CompareKind.Bits32 ? 'buf[p] = v; buf[p + 1] = v >> 8; buf[p + 2] = v >> 16; buf[p + 3] = v >> 24; p += 4;' : '';
    case FieldCode.String:
      return `p = putBoundedString(buf, p, v ?? '', ${maxBytes});`;
    default:
      return '';
  }
}

/**
 * The {@link FusedUpdates} of one layout: one block per field with its arrays taken from the
 * server's context once per call (see generated-code.ts) and quantisation constants inlined. `undefined` for a layout of more than
 * {@link FUSED_MAX_FIELDS} fields (the two-pass path serves it) or where code generation is refused.
 */
export function compileFusedUpdates(t: CompareTargets, records: RecordTargets, componentBit: number): Generated<FusedUpdates> | undefined {
  if (t.fields.length > FUSED_MAX_FIELDS) return undefined;
  const bound: Record<string, unknown> = {
    member: t.member,
    present: records.present,
    updateBody: records.updateBody,
    updateEnd: records.updateEnd,
    lastChanged: records.lastChanged,
  };
  const body: string[] = [];
  t.fields.forEach((f, i) => {
    const bit = String(2 ** i);
    const st = `st${i}`;
    const sb = `sb${i}`;
    const se = `se${i}`;
    const sn = `sn${i}`;
    switch (t.kinds[i]) {
      case CompareKind.Integer:
      case CompareKind.String:
        Object.assign(bound, { [st]: f.store, [se]: t.sent[i] });
        body.push(`    v = ${st}[e]; if (v !== ${se}[e]) { ${se}[e] = v; m |= ${bit}; ${putValue(f.code, f.maxBytes, t.kinds[i]!)} }`);
        break;
      case CompareKind.Bits32:
        Object.assign(bound, { [sb]: t.storeBits[i], [se]: t.sentBits[i] });
        body.push(`    v = ${sb}[e]; if (v !== ${se}[e]) { ${se}[e] = v; m |= ${bit}; ${putValue(f.code, f.maxBytes, t.kinds[i]!)} }`);
        break;
      case CompareKind.Bits64:
        Object.assign(bound, { [st]: f.store, [sb]: t.storeBits[i], [se]: t.sentBits[i] });
        body.push(
          `    v = ${sb}[2 * e]; w = ${sb}[2 * e + 1]; if (v !== ${se}[2 * e] || w !== ${se}[2 * e + 1]) { ${se}[2 * e] = v; ${se}[2 * e + 1] = w; m |= ${bit}; p = putF64(buf, p, ${st}[e]); }`,
        );
        break;
      default: {
        const nn = `nn${i}`;
        Object.assign(bound, { [st]: f.store, [sb]: t.storeBits[i], [sn]: t.seen[i], [se]: t.sent[i], [nn]: t.nans[i] });
        const changedBits =
          t.kinds[i] === CompareKind.Quantized32
            ? `v = ${sb}[e]; if (v !== ${sn}[e]) { ${sn}[e] = v;`
            : `v = ${sb}[2 * e]; w = ${sb}[2 * e + 1]; if (v !== ${sn}[2 * e] || w !== ${sn}[2 * e + 1]) { ${sn}[2 * e] = v; ${sn}[2 * e + 1] = w;`;
        body.push(
          `    ${changedBits} q = Math.round((${st}[e] - ${literal(f.offset)}) / ${literal(f.step)}); ` +
            `if (q > ${literal(f.maxQ)}) q = ${literal(f.maxQ)}; else if (q < ${literal(f.minQ)}) q = ${literal(f.minQ)}; ` +
            `if (q !== q) ${nn}.push(e); ` +
            `else { d = q - ${se}[e]; ` +
            // The common delta (|d| < 2^30) without a branch on its value: whether it is 0 and its
            // sign are data the predictor cannot learn when entities move at varied speeds.
            `if (d >= -0x3fffffff && d <= 0x3fffffff) { z = (d << 1) ^ (d >> 31); if (z < 0x80) { c = (z | -z) >>> 31; buf[p] = z; p += c; m |= c << ${i}; ${se}[e] = q; } else { ${se}[e] = q; m |= ${bit}; p = putVarint(buf, p, z); } } ` +
            `else { ${se}[e] = q; m |= ${bit}; v = d >= 0 ? d * 2 : -d * 2 - 1; p = putVarint(buf, p, v); } } }`,
        );
      }
    }
  });
  const source = [
    'function fusedUpdates($, list, n, buf, pos, ids, tick, outcome, slow, marks, unmarked) {',
    `  const { ${Object.keys(bound).join(', ')} } = $;`,
    '  let p = pos;',
    '  let previous = -1;',
    '  let count = 0;',
    '  let v = 0, w = 0, q = 0, d = 0, z = 0, c = 0;',
    '  for (let i = 0; i < n; i++) {',
    '    const e = list[i];',
    '    const gap = e - previous - 1;',
    `    if (member[e] === 0 || present[e] !== ${componentBit}) {`,
    '      const end = slow(e, buf, p, gap);',
    '      if (end < 0) continue;',
    '      p = end;',
    '    } else {',
    '      const start = p;',
    '      if (gap < 0x80) buf[p++] = gap; else p = putVarint(buf, p, gap);',
    '      const at = p++;',
    '      let m = 0;',
    ...body,
    '      if (m === 0) { p = start; continue; }',
    '      buf[at] = m;',
    '      updateBody[e] = at;',
    '      if (marks !== undefined && (marks[e >>> 5] & (1 << (e & 31))) === 0) unmarked(e, m);',
    '    }',
    '    updateEnd[e] = p;',
    '    lastChanged[e] = tick;',
    '    ids[count++] = e;',
    '    previous = e;',
    '  }',
    '  outcome.count = count;',
    '  return p;',
    '}',
  ].join('\n');
  return generate<FusedUpdates>({ putVarint, putF64, putBoundedString }, bound, source);
}
